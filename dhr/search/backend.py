"""The search interface: what any backend (Whoosh, PostgreSQL full-text search) takes and
returns, and who may see what, in terms a backend can turn into its own filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import PoolMember, User
from dhr.permissions import COUNTY_ROLES, sees_restricted_detail
from dhr.search.documents import SearchItem
from dhr.search.thesaurus import Thesaurus

KINDS = ("review", "recommendation", "lesson")
FACETS = ("kind", "csp", "year", "theme", "agency", "death_type")
PER_PAGE = 10
MAX_QUERY_CHARS = 500
NO_WORDS = ("Your search has no words to look for. Enter words, or a phrase in quotes, and use "
            "AND, OR or NOT between them.")
# Whole-item weights, chosen with benchmarks/relevance.py: a recommendation is the distilled
# lesson; a passage from the executive summary weighs more than one deep in the overview report.
KIND_BOOSTS = {"recommendation": 1.5, "review": 1.0, "executive_summary": 1.2,
               "overview_report": 1.0}
DEPTH_DECAY = 0.03  # per section into a report, down to REPORT_FLOOR
REPORT_FLOOR = 0.7


def item_boost(item: SearchItem) -> float:
    if item.kind == "lesson":
        base = KIND_BOOSTS[item.source]
        return max(REPORT_FLOOR, base - DEPTH_DECAY * item.position)
    return KIND_BOOSTS[item.kind]


@dataclass(frozen=True)
class Scope:
    """What a caller may match; the same rule as dhr.permissions.can_view_review.

    `insider`: may read working papers, so also matches the progress log.
    """

    everything: bool = False
    published: bool = False
    area_ids: frozenset[int] = frozenset()
    csp_ids: frozenset[int] = frozenset()
    pool_member_ids: frozenset[int] = frozenset()
    insider: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.published or self.area_ids or self.csp_ids
                    or self.pool_member_ids)


# Published, anonymised material only: practitioners, and the public learning pages, which
# must never see more than a practitioner does.
PUBLISHED_ONLY = Scope(published=True, insider=False)


def scope_for(user: User) -> Scope:
    """Deny by default: a role not named here matches nothing."""
    insider = sees_restricted_detail(user)
    if user.role == "admin":
        return Scope(everything=True, insider=insider)
    if user.role in COUNTY_ROLES:
        return Scope(area_ids=frozenset({user.area_id} if user.area_id else ()),
                     insider=insider)
    if user.role == "csp_manager":
        return Scope(csp_ids=frozenset(user.csp_ids), insider=insider)
    if user.role == "chair":
        ids = db.session.scalars(select(PoolMember.id).where(PoolMember.user_id == user.id))
        return Scope(pool_member_ids=frozenset(ids), insider=insider)
    if user.role == "practitioner":
        return PUBLISHED_ONLY
    return Scope()


@dataclass
class SearchRequest:
    q: str = ""
    kinds: list[str] = field(default_factory=list)
    csps: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    death_types: list[str] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    like: str = ""  # more like this: the doc_id of a hit (then q is not used)

    def selections(self) -> dict[str, list[str]]:
        """Facet name -> the values chosen (values of one facet are alternatives)."""
        return {"kind": self.kinds, "csp": self.csps, "year": self.years,
                "theme": self.themes, "agency": self.agencies,
                "death_type": self.death_types}


@dataclass
class Hit:
    doc_id: str  # stable for as long as the item exists; what `like` takes
    kind: str
    review_id: int
    title: str
    snippet: str
    # [start, end) character offsets of the matched words within `snippet`.
    highlights: list[tuple[int, int]]
    score: float
    reference: str
    is_published: bool
    recommendation_id: int | None = None
    number: str = ""
    source: str = ""
    heading: str = ""


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int
    pages: int
    suggestion: str | None = None
    # Why there is nothing to show, in words for the searcher (e.g. a query of operators only).
    message: str | None = None


@dataclass
class Drift:
    """Differences between the database and the index, by review id."""

    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


class SearchBackend(Protocol):
    def search(self, request: SearchRequest, scope: Scope,
               thesaurus: Thesaurus) -> SearchResults: ...

    def replace_review(self, review_id: int, items: list[SearchItem],
                       fingerprint: str) -> None:
        """Replace everything indexed for the review (no items: remove it)."""

    def fingerprints(self) -> dict[int, str]:
        """review id -> the fingerprint indexed for it."""

    def fingerprint(self, review_id: int) -> str | None:
        """The fingerprint indexed for one review (None: nothing indexed)."""

    def rebuild(self, reviews: Iterable[tuple[int, list[SearchItem], str]],
                progress: Callable[[], None]) -> None:
        """Build a complete new index from `reviews` and serve it only once it is whole."""

    def status(self) -> str: ...
