"""Agency requests (IMRs, chronologies, short reports) and their small lifecycle:

    requested -> submitted -> accepted
    submitted -> returned -> submitted
    requested | returned -> waived (with a reason)

Like the review engine, a move updates the row only if it is still in the state (and
version) that was read, so two people acting at once cannot both win. Overdue requests
are chased by a scheduled job that claims each reminder with a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any

from celery import shared_task
from flask import current_app
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from dhr.audit import record
from dhr.errors import IllegalMove, InvalidInput, NotPermitted, Stale, field_errors
from dhr.extensions import db
from dhr.models import AgencyRequest, Notification, Review, User
from dhr.models.agency_requests import AGENCY_REQUEST_KINDS, AWAITING_STATES
from dhr.models.users import user_csps
from dhr.reviews import ReviewInputError, normalise_agencies
from dhr.wording import lower_first
from dhr.workflow.artefacts import FINAL_REVIEW_STATES, can_manage_requests, refuse_if_final

# A chased request is chased again after this long if still nothing has come in.
CHASE_INTERVAL = timedelta(days=7)

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


def create_request(review: Review, actor: User, *, agency: str, kind: str,
                   due_date: date | None = None,
                   requested_date: date | None = None) -> AgencyRequest:
    """Ask an agency for an IMR, chronology or short report (due in N weeks by default)."""
    if not can_manage_requests(actor, review):
        raise NotPermitted("you cannot request information for this review")
    refuse_if_final(review, "its agency requests")
    if kind not in AGENCY_REQUEST_KINDS:
        raise InvalidInput("unknown kind of request",
                           {"kind": f"must be one of {', '.join(AGENCY_REQUEST_KINDS)}"})
    code = _agency_code(agency)
    requested = requested_date or date.today()
    if requested > date.today():
        raise InvalidInput("the request date is in the future",
                           {"requested_date": "must not be in the future"})
    due = due_date or default_due_date(requested)
    if due < requested:
        raise InvalidInput("the due date is before the request",
                           {"due_date": "must not be before the date of the request"})
    created = AgencyRequest(review_id=review.id, agency=code, kind=kind, requested_date=requested,
                            due_date=due, created_by=actor)
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
            "due_date": due.isoformat()},
           review_id=review.id, to_state="requested")
    return created


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


# --- chasing overdue requests (a scheduled job) ---------------------------------------------


def requests_due_for_chase(today: date) -> list[tuple[int, date | None]]:
    """(id, last_chased_date) of overdue requests not chased within CHASE_INTERVAL, on live,
    unpaused reviews."""
    rows = db.session.execute(
        select(AgencyRequest.id, AgencyRequest.last_chased_date)
        .join(Review, Review.id == AgencyRequest.review_id)
        .where(
            AgencyRequest.state.in_(AWAITING_STATES),
            AgencyRequest.due_date < today,
            or_(AgencyRequest.last_chased_date.is_(None),
                AgencyRequest.last_chased_date <= today - CHASE_INTERVAL),
            Review.state.not_in(FINAL_REVIEW_STATES),
            Review.is_paused.is_(False),
        )
        .order_by(AgencyRequest.id)
    )
    return [(row[0], row[1]) for row in rows]


def claim_chase(request_id: int, seen: date | None, today: date) -> bool:
    """Mark the request chased today, only if nobody did since we read `seen`.

    Two workers (or a retried task) racing for the same reminder: the second UPDATE finds
    last_chased_date changed and touches no row, so it sends nothing.
    """
    unchanged = (AgencyRequest.last_chased_date.is_(None) if seen is None
                 else AgencyRequest.last_chased_date == seen)
    result = db.session.execute(
        update(AgencyRequest)
        .where(AgencyRequest.id == request_id, unchanged,
               AgencyRequest.state.in_(AWAITING_STATES))
        .values(last_chased_date=today),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def csp_managers(review: Review) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .join(user_csps, user_csps.c.user_id == User.id)
        .where(user_csps.c.csp_id == review.csp_id, User.role == "csp_manager",
               User.is_enabled.is_(True))
        .order_by(User.id)
    ))


def chase_message(agency_request: AgencyRequest, review: Review, today: date) -> str:
    days = (today - agency_request.due_date).days
    due = f"{agency_request.due_date.day} {agency_request.due_date.strftime('%B %Y')}"
    return (f"{review.reference}: the {lower_first(agency_request.kind_label)} requested from "
            f"{agency_request.agency_label} was due on {due} ({days} day{'s' if days != 1 else ''}"
            f" ago) and has not been received. Please chase the agency.")


def chase_overdue_requests(today: date | None = None) -> int:
    """Notify the CSP managers of each overdue request once; return how many were chased.

    Each claim commits with its notifications, so a crash loses nothing and repeats nothing.
    """
    today = today or date.today()
    chased = 0
    for request_id, seen in requests_due_for_chase(today):
        if not claim_chase(request_id, seen, today):
            db.session.rollback()
            continue
        agency_request = db.session.get(AgencyRequest, request_id)
        assert agency_request is not None
        review = db.session.get(Review, agency_request.review_id)
        assert review is not None
        message = chase_message(agency_request, review, today)
        managers = csp_managers(review)
        for manager in managers:
            db.session.add(Notification(user_id=manager.id, kind="agency_request_overdue",
                                        message=message))
        record("agency_request.chased", agency_request, None,
               {"agency": agency_request.agency, "kind": agency_request.kind,
                "due_date": agency_request.due_date.isoformat(), "notified": len(managers)},
               review_id=review.id)
        db.session.commit()
        chased += 1
    return chased


@shared_task(name="dhr.workflow.agency_requests.chase_overdue", ignore_result=True)
def chase_overdue() -> int:
    """Scheduled by beat (dhr.config): chase overdue agency requests."""
    return chase_overdue_requests()
