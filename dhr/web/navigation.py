"""The service navigation, declared once: at most eight links for any role, each shown to the
roles whose pages it leads to, and the one holding the current page marked. The learning pages
and the administration pages are grouped behind a page each (/learning, /administration), so
that an administrator's menu fits on one line and a practitioner's is not a wall of links."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from dhr.errors import NotPermitted
from dhr.models.users import User
from dhr.web.blueprint import bp

EVERYONE = frozenset({"admin", "coordinator", "csp_manager", "subgroup_member", "chair",
                      "practitioner"})
POOL_MANAGERS = frozenset({"coordinator", "admin"})


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    roles: frozenset[str] = EVERYONE
    description: str = ""


LEARNING = (
    Link("Repeated recommendations", "web.repeats_page", EVERYONE - {"chair"},
         "Recommendations made again and again across reviews, grouped, so the same lesson "
         "is not written a third time."),
    Link("Learning themes", "web.themes_page", EVERYONE - {"chair"},
         "How often each theme appears, by year and by CSP, each number opening the "
         "recommendations behind it."),
    Link("Reviews by year and timeliness", "web.annual_table", EVERYONE,
         "The annual table for the board: reviews by year of death and death type, and how "
         "many stages finished on time."),
)

ADMINISTRATION = (
    Link("Users", "web.users", POOL_MANAGERS,
         "Create accounts, change a role or scope, reset a password, disable someone who "
         "has left."),
    Link("Imports", "web.imports_index", POOL_MANAGERS,
         "Bring in an existing register of reviews or a recommendation tracker spreadsheet, "
         "checked before anything is saved."),
    Link("Vocabularies", "web.vocabularies_index", frozenset({"admin"}),
         "The controlled lists: themes, agencies, death types and the rest; rename, retire "
         "or merge a term."),
    Link("Audit history", "web.audit_page", frozenset({"admin"}),
         "Who read or changed what, and when, with filters and a CSV download."),
)


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str
    roles: frozenset[str]
    section: tuple[Link, ...] = ()  # the pages a hub item stands for

    def holds(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or any(link.endpoint == endpoint
                                                for link in self.section)


MENU = (
    # Practitioners' list of reviews is the search page, where /reviews takes them.
    MenuItem("Reviews", "web.dashboard", EVERYONE - {"practitioner"}),
    MenuItem("Recommendation tracker", "web.recommendation_tracker", EVERYONE),
    MenuItem("Search", "search.search_page", EVERYONE),
    MenuItem("Learning", "web.learning", EVERYONE, LEARNING),
    MenuItem("Chair pool", "web.pool_index", POOL_MANAGERS),
    MenuItem("Invitations", "web.pool_my_invitations", frozenset({"chair"})),
    MenuItem("Administration", "web.administration", POOL_MANAGERS, ADMINISTRATION),
)


def menu_for(user: User) -> list[tuple[MenuItem, bool]]:
    """The menu items this user sees, each with whether it holds the current page."""
    return [(item, item.holds(request.endpoint)) for item in MENU if user.role in item.roles]


@bp.app_context_processor
def _menu() -> dict:
    user = g.get("user")
    return {"menu": menu_for(user) if user is not None else []}


def _links_for(user: User, links: tuple[Link, ...]) -> list[Link]:
    shown = [link for link in links if user.role in link.roles]
    if not shown:
        raise NotPermitted("This page is not open to your role.")
    return shown


@bp.get("/learning")
def learning() -> ResponseReturnValue:
    return render_template("learning/index.html", links=_links_for(g.user, LEARNING))


@bp.get("/administration")
def administration() -> ResponseReturnValue:
    return render_template("admin/index.html", links=_links_for(g.user, ADMINISTRATION))
