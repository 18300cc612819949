"""Agency requests (IMRs, chronologies, short reports) and their small lifecycle:

    requested -> submitted -> accepted
    submitted -> returned -> submitted
    requested | returned -> waived (with a reason)

Like the review engine, a move updates the row only if it is still in the state (and
version) that was read, so two people acting at once cannot both win. Overdue requests
are chased by the reminder engine (dhr.reminders, rule agency_request_due).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dhr.audit import record
from dhr.errors import IllegalMove, InvalidInput, NotPermitted, Stale, field_errors
from dhr.extensions import db
from dhr.models import AgencyRequest, Review, User
from dhr.models.agency_requests import AGENCY_REQUEST_KINDS
from dhr.reviews import ReviewInputError, normalise_agencies
from dhr.wording import lower_first
from dhr.workflow.review_items import can_manage_requests, refuse_if_final, refuse_if_paused

LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=5000)]


class _EventData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date | None = None


class SubmitData(_EventData):
    pass


class AcceptData(_EventData):
    pass


class ReturnData(_EventData):
    comments: LongText
    due_date: dt.date | None = None


class WaiveData(_EventData):
    reason: LongText


def accepted_after_submission(agency_request: AgencyRequest, data: AcceptData,
                              when: date) -> dict[str, Any]:
    if agency_request.submitted_date and when < agency_request.submitted_date:
        raise InvalidInput("accepted before it was submitted",
                           {"date": "must not be before the date it was submitted"})
    return {}


def new_due_date(agency_request: AgencyRequest, data: ReturnData, when: date) -> dict[str, Any]:
    """A return may give the agency a new due date, not before the return itself."""
    if data.due_date is None:
        return {}
    if data.due_date < when:
        raise InvalidInput("the new due date is before the return",
                           {"due_date": "must not be before the date of the return"})
    return {"due_date": data.due_date}


@dataclass(frozen=True)
class Move:
    """One move of an agency request, declared once (the same shape as a review's events)."""

    sources: tuple[str, ...]
    target: str
    data: type[_EventData]
    label: str
    # The column that records the move's date.
    date_column: str
    # Request column -> field of the move's data.
    sets: Mapping[str, str] = field(default_factory=dict)
    # Checks and computes further columns; may refuse.
    effect: Callable[[AgencyRequest, Any, date], dict[str, Any]] | None = None


EVENTS: dict[str, Move] = {
    "submit": Move(("requested", "returned"), "submitted", SubmitData, "Record as submitted",
                   "submitted_date"),
    "accept": Move(("submitted",), "accepted", AcceptData, "Accept", "accepted_date",
                   effect=accepted_after_submission),
    "return": Move(("submitted",), "returned", ReturnData, "Return to the agency",
                   "returned_date", sets={"return_comments": "comments"}, effect=new_due_date),
    "waive": Move(("requested", "returned"), "waived", WaiveData, "Waive", "waived_date",
                  sets={"waive_reason": "reason"}),
}


def requests_for(review: Review) -> list[AgencyRequest]:
    """The review's agency requests, oldest first."""
    return list(db.session.scalars(
        select(AgencyRequest)
        .where(AgencyRequest.review_id == review.id)
        .order_by(AgencyRequest.requested_date, AgencyRequest.id)
    ))


def events_for(agency_request: AgencyRequest) -> list[str]:
    """The events possible from the request's current state."""
    return [name for name, move in EVENTS.items() if agency_request.state in move.sources]


def default_due_date(requested: date) -> date:
    return requested + timedelta(weeks=current_app.config["AGENCY_REQUEST_DUE_WEEKS"])


def _agency_code(value: str) -> str:
    try:
        codes = normalise_agencies([value])
    except ReviewInputError as exc:
        raise InvalidInput("unknown agency", exc.details) from None
    if not codes:
        raise InvalidInput("no agency given", {"agency": "choose an agency"})
    return codes[0]


CONTACT_NAME_MAX = 200
CONTACT_EMAIL_MAX = 254


def clean_contact(name: str | None, email: str | None) -> tuple[str | None, str | None]:
    """The named contact at the agency (both optional): trimmed, the e-mail address checked
    and normalised; InvalidInput naming each wrong field otherwise."""
    name = (name or "").strip() or None
    email = (email or "").strip() or None
    problems = {}
    if name is not None and len(name) > CONTACT_NAME_MAX:
        problems["contact_name"] = (f"the contact's name must be {CONTACT_NAME_MAX} "
                                    "characters or fewer")
    if email is not None:
        try:
            if len(email) > CONTACT_EMAIL_MAX:
                raise EmailNotValidError("too long")
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems["contact_email"] = ("enter an email address in the correct format, "
                                         "like name@example.com")
    if problems:
        raise InvalidInput("the contact is not valid", problems)
    return name, email


def create_request(review: Review, actor: User, *, agency: str, kind: str,
                   due_date: date | None = None, requested_date: date | None = None,
                   contact_name: str | None = None,
                   contact_email: str | None = None) -> AgencyRequest:
    """Ask an agency for an IMR, chronology or short report (due in N weeks by default),
    optionally naming the person there who is to send it."""
    if not can_manage_requests(actor, review):
        raise NotPermitted("you cannot request information for this review")
    refuse_if_final(review, "its agency requests")
    refuse_if_paused(review, "its agency requests")
    if kind not in AGENCY_REQUEST_KINDS:
        raise InvalidInput("unknown kind of request",
                           {"kind": f"must be one of {', '.join(AGENCY_REQUEST_KINDS)}"})
    code = _agency_code(agency)
    contact_name, contact_email = clean_contact(contact_name, contact_email)
    requested = requested_date or date.today()
    if requested > date.today():
        raise InvalidInput("the request date is in the future",
                           {"requested_date": "must not be in the future"})
    due = due_date or default_due_date(requested)
    if due < requested:
        raise InvalidInput("the due date is before the request",
                           {"due_date": "must not be before the date of the request"})
    created = AgencyRequest(review_id=review.id, agency=code, kind=kind, requested_date=requested,
                            due_date=due, created_by=actor, contact_name=contact_name,
                            contact_email=contact_email)
    duplicate = InvalidInput(
        "this agency has already been asked for this",
        {"agency": f"{created.agency_label} has already been asked for "
                   f"{'an' if kind == 'imr' else 'a'} {lower_first(created.kind_label)}"},
    )
    exists = select(AgencyRequest.id).where(AgencyRequest.review_id == review.id,
                                            AgencyRequest.agency == code,
                                            AgencyRequest.kind == kind)
    if db.session.scalar(exists) is not None:
        raise duplicate
    try:
        with db.session.begin_nested():
            db.session.add(created)
    except IntegrityError:
        raise duplicate from None
    record("agency_request.created", created, actor,
           {"agency": code, "kind": kind, "requested_date": requested.isoformat(),
            "due_date": due.isoformat(), "contact_name": contact_name,
            "contact_email": contact_email},
           review_id=review.id, to_state="requested")
    return created


def change_contact(agency_request: AgencyRequest, actor: User, *, contact_name: str | None,
                   contact_email: str | None) -> AgencyRequest:
    """Name (or clear) the contact at the agency; audited with the old and new values."""
    review = db.session.get(Review, agency_request.review_id)
    assert review is not None
    if not can_manage_requests(actor, review):
        raise NotPermitted("you cannot change the agency requests of this review")
    refuse_if_final(review, "its agency requests")
    name, email = clean_contact(contact_name, contact_email)
    before = {"contact_name": agency_request.contact_name,
              "contact_email": agency_request.contact_email}
    agency_request.contact_name, agency_request.contact_email = name, email
    db.session.flush()
    record("agency_request.contact_changed", agency_request, actor,
           {"agency": agency_request.agency, "kind": agency_request.kind, "before": before,
            "after": {"contact_name": name, "contact_email": email}},
           review_id=review.id)
    return agency_request


def _parse_data(event: str, data: dict[str, Any]) -> _EventData:
    try:
        return EVENTS[event].data.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        raise InvalidInput("some fields are not valid", field_errors(exc)) from None


def send_request_event(agency_request: AgencyRequest, actor: User, event: str,
                       data: dict[str, Any] | None = None, *,
                       expected_version: int | None = None) -> AgencyRequest:
    """Move a request through its lifecycle; exactly one of two simultaneous moves wins."""
    review = db.session.get(Review, agency_request.review_id)
    assert review is not None
    if not can_manage_requests(actor, review):
        raise NotPermitted("you cannot change the agency requests of this review")
    refuse_if_final(review, "its agency requests")
    refuse_if_paused(review, "its agency requests")
    move = EVENTS.get(event)
    if move is None:
        raise InvalidInput(f"unknown event: {event}",
                           {"event": f"must be one of {', '.join(EVENTS)}"})
    parsed = _parse_data(event, data or {})
    current = agency_request.state
    if current not in move.sources:
        raise IllegalMove(f"a request that is {current} cannot be {move.target}",
                          {"state": current, "possible": events_for(agency_request)})
    if expected_version is not None and expected_version != agency_request.lock_version:
        raise Stale("someone else changed this request first: read it again and retry")
    when = parsed.date or date.today()
    changes = _changes(agency_request, move, parsed, when)
    result = db.session.execute(
        update(AgencyRequest)
        .where(AgencyRequest.id == agency_request.id, AgencyRequest.state == current,
               AgencyRequest.lock_version == agency_request.lock_version)
        .values(state=move.target, lock_version=agency_request.lock_version + 1, **changes),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Stale("someone else changed this request first: read it again and retry")
    db.session.refresh(agency_request)
    record(f"agency_request.{event}", agency_request, actor,
           {"agency": agency_request.agency, "kind": agency_request.kind,
            **parsed.model_dump(mode="json", exclude_none=True), "date": when.isoformat()},
           review_id=review.id, from_state=current, to_state=move.target)
    return agency_request


def _changes(agency_request: AgencyRequest, move: Move, data: _EventData,
             when: date) -> dict[str, Any]:
    """Column values for the move, after checking its dates make sense."""
    if when > date.today():
        raise InvalidInput("the date is in the future", {"date": "must not be in the future"})
    if when < agency_request.requested_date:
        raise InvalidInput("the date is before the request",
                           {"date": "must not be before the date of the request"})
    changes = {move.date_column: when}
    changes.update({column: getattr(data, name) for column, name in move.sets.items()})
    if move.effect is not None:
        changes.update(move.effect(agency_request, data, when))
    return changes
