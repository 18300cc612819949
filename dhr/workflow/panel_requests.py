"""Asking every agency on a review's panel for the same thing in one step (the IMRs at the
start of information gathering), each with its own named contact. All or nothing: when one
contact is wrong, no request is made and every problem is named at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from dhr.errors import InvalidInput
from dhr.extensions import db
from dhr.models import AgencyRequest, Review, User
from dhr.reviews import agency_codes
from dhr.workflow.agency_requests import clean_contact, create_request
from dhr.workflow.drafting import panel_or_scope


@dataclass(frozen=True)
class PanelAgency:
    code: str
    label: str
    already_asked: bool  # for the kind in question


def panel_agencies(review: Review, kind: str) -> list[PanelAgency]:
    """The panel's agencies in order, each marked if already asked for `kind` (one query)."""
    labels = agency_codes()
    asked = set(db.session.scalars(select(AgencyRequest.agency).where(
        AgencyRequest.review_id == review.id, AgencyRequest.kind == kind)))
    return [PanelAgency(code, labels.get(code, code), code in asked)
            for code in panel_or_scope(review)]


def request_from_panel(review: Review, actor: User, kind: str,
                       contacts: dict[str, tuple[str | None, str | None]],
                       due_date: date | None = None) -> list[AgencyRequest]:
    """One request of `kind` to each agency in `contacts` ({code: (name, e-mail)}), all on the
    panel. Field errors are keyed `agencies` or `contact_name-<code>` / `contact_email-<code>`."""
    if not contacts:
        raise InvalidInput("no agency chosen", {"agencies": "select at least one agency"})
    panel = set(panel_or_scope(review))
    problems: dict[str, str] = {}
    outside = [code for code in contacts if code not in panel]
    if outside:
        problems["agencies"] = f"not on the panel: {', '.join(outside)}"
    for code, (name, email) in contacts.items():
        try:
            clean_contact(name, email)
        except InvalidInput as exc:
            problems.update({f"{field}-{code}": message
                             for field, message in (exc.details or {}).items()})
    if problems:
        raise InvalidInput("some agencies or contacts are not valid", problems)
    return [create_request(review, actor, agency=code, kind=kind, due_date=due_date,
                           contact_name=name, contact_email=email)
            for code, (name, email) in contacts.items()]
