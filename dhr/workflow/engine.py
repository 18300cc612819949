"""The lifecycle engine: the one place a review's state changes.

`send_event` checks, in this order: the user may see the review (else 404), the event exists
(400), the user's role may send it on this review (403), the caller's expected version is
current (409 conflict), the event is possible from the review's state and pause (409
illegal_transition), the data is well formed (400), the guard holds (422 with what is
missing). It then moves the review with one conditional UPDATE (`... WHERE id = :id AND
lock_version = :expected`), so of two people acting at once exactly one wins and the other
gets StaleReview; writes the history row in the same transaction; and queues side effects
to run after commit. It flushes but never commits: the caller commits once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.extensions import db
from dhr.jobs import enqueue
from dhr.models import AuditEntry, HoAmendment, PoolMember, Review, User
from dhr.permissions import can_view_review
from dhr.reviews import ReviewInputError, normalise_agencies
from dhr.workflow import events as ev
from dhr.workflow.guards import check
from dhr.workflow.notify import notify_event
from dhr.workflow.states import STATE_LABELS
from dhr.workflow.table import (
    EVENT_LABELS,
    EVENT_ROLES_BY_ROLE,
    EVENTS,
    Transition,
    events_from,
    roles_for,
    transition,
)

log = logging.getLogger(__name__)
STALE_MESSAGE = "the review has moved on: re-read and retry"


class TransitionError(Exception):
    """A refused event: what the API answers (status, code, message, details)."""

    status = 400
    code = "error"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class ReviewNotVisible(TransitionError):
    status, code = 404, "not_found"


class EventDataInvalid(TransitionError):
    """Malformed event data or an unknown event; details is {field: message}."""

    status, code = 400, "validation_error"


class EventNotPermitted(TransitionError):
    status, code = 403, "forbidden"


class IllegalTransition(TransitionError):
    """Not possible from the review's state (or the review is paused)."""

    status, code = 409, "illegal_transition"


class StaleReview(TransitionError):
    """Someone else changed the review since the caller read it."""

    status, code = 409, "conflict"


class GuardFailed(TransitionError):
    status, code = 422, "guard_failed"

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message, {"missing": missing})
        self.missing = missing


@dataclass
class EventOption:
    event: str
    label: str
    allowed: bool
    missing: list[str] = field(default_factory=list)


def is_appointed_chair(user: User, review: Review) -> bool:
    return review.chair is not None and review.chair.user_id == user.id


def role_may_send(user: User, event: str) -> bool:
    """Whether the user's role may ever send `event` (on a review it may act on)."""
    return user.role in roles_for(event)


def may_send(user: User, review: Review, event: str) -> bool:
    """The user may send `event` on this review, whatever its state.

    Admins see every review; coordinators, sub-group members and CSP managers act on the
    reviews they can see (their county, their CSP); a chair only on a review they chair
    (not one where they are only the report writer).
    """
    if not role_may_send(user, event) or not can_view_review(user, review):
        return False
    if user.role == "chair":
        return is_appointed_chair(user, review)
    return True


def _refusal(user: User, event: str) -> str:
    label = EVENT_LABELS[event].lower()
    if user.role == "chair" and event in EVENT_ROLES_BY_ROLE["chair"]:
        return f"only the chair appointed to this review may {label}"
    return f"your role ({user.role.replace('_', ' ')}) cannot {label}"


def parse_data(event: str, data: dict[str, Any] | None) -> ev.EventData:
    """Validate the event's data: JSON types strictly (dates as ISO strings or dates)."""
    if data is not None and not isinstance(data, dict):
        raise EventDataInvalid("the data must be an object", {"data": "must be a JSON object"})
    model = ev.EVENT_DATA[event]
    try:
        return model.model_validate_json(json.dumps(data or {}, default=str), strict=True)
    except ValidationError as exc:
        details: dict[str, str] = {}
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"]) or "data"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"].startswith("date_"):
                message = "must be a real date, written like 2024-03-01"
            elif err["type"] == "extra_forbidden":
                message = f"is not part of the data of {event}"
            details.setdefault(name, message)
        raise EventDataInvalid("some fields of the event's data are not valid",
                               details) from None


def _possible(review: Review, event: str) -> Transition:
    """The transition for `event` from the review's state, or IllegalTransition."""
    state_label = STATE_LABELS[review.state].lower()
    if review.is_paused and event != "resume":
        raise IllegalTransition(
            "the review is paused: resume it first (nothing else can happen while it is "
            "paused)", {"state": review.state, "paused": True, "possible": ["resume"]})
    if event == "resume" and not review.is_paused:
        raise IllegalTransition("the review is not paused",
                                {"state": review.state, "paused": False})
    found = transition(review.state, event)
    if found is None:
        raise IllegalTransition(
            f"'{EVENT_LABELS[event]}' is not possible while the review is at the stage "
            f"'{state_label}'",
            {"state": review.state, "possible": possible_events(review)})
    return found


def possible_events(review: Review) -> list[str]:
    """Events possible from the review's state (only `resume` while paused)."""
    if review.is_paused:
        return ["resume"]
    return [event for event in events_from(review.state) if event != "resume"]


def _last_resumed(review: Review) -> dt.date | None:
    data = db.session.scalar(
        select(AuditEntry.data)
        .where(AuditEntry.review_id == review.id, AuditEntry.action == "event.resume")
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    return dt.date.fromisoformat(data["date"]) if data and data.get("date") else None


def _check_dates(review: Review, event: str, data: ev.EventData) -> None:
    """Dates that contradict the review: before the notification, a resume before its pause,
    a pause overlapping the previous one."""
    problems: dict[str, str] = {}
    notified = review.notification_date
    for name, value in data.dates().items():
        if value < notified:
            problems[name] = (f"must not be before the police notification "
                              f"({notified.isoformat()})")
    if event == "resume" and review.paused_since_date and data.date < review.paused_since_date:
        problems["date"] = (f"must not be before the date the review was paused "
                            f"({review.paused_since_date.isoformat()})")
    if event == "pause":
        resumed = _last_resumed(review)
        if resumed is not None and data.date < resumed:
            problems["date"] = (f"must not be before the end of the previous pause "
                                f"({resumed.isoformat()})")
    if problems:
        raise EventDataInvalid("some dates do not fit the review", problems)


def _report_versions(review: Review) -> dict[str, int]:
    from dhr.workflow.documents import latest

    found = {}
    for kind in ("overview_report", "executive_summary", "action_plan"):
        saved = latest(review, kind)
        if saved is not None:
            found[kind] = saved.version
    return found


def _changes(review: Review, event: str, data: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(column values to set on the review, extra facts for the history row)."""
    extra: dict[str, Any] = {}
    if event in {"decide_to_review", "decide_not_to_review"}:
        return {"decision_date": data.decision_date, "decision_rationale": data.rationale,
                "ho_informed_date": data.ho_informed_date}, extra
    if event == "ho_accepts_no_review":
        return {"no_review_letter_date": data.letter_date}, extra
    if event == "ho_directs_review":
        return {"direction_date": data.direction_date, "is_directed": True}, extra
    if event == "appoint_chair":
        return {"chair_id": data.chair_id, "report_writer_id": data.report_writer_id,
                "chair_appointed_date": data.appointed_date}, extra
    if event == "agree_terms_of_reference":
        try:
            agencies = normalise_agencies(data.panel_agencies)
        except ReviewInputError as exc:
            raise EventDataInvalid("unknown agency",
                                   {"panel_agencies": exc.details["agencies"]}) from None
        from dhr.workflow.documents import latest

        tor = latest(review, "terms_of_reference")
        extra["terms_of_reference_version"] = tor.version if tor else None
        return {"tor_agreed_date": data.agreed_date, "panel_agencies": agencies,
                "family_contact": data.family_contact,
                "family_contact_note": data.family_contact_note}, extra
    if event == "complete_information_gathering":
        return {"information_completed_date": data.date}, extra
    if event == "submit_for_local_qa":
        return {"local_qa_submitted_date": data.date,
                "is_family_consulted_on_draft": data.family_consulted_on_draft,
                "family_draft_note": data.family_note}, extra
    if event == "return_from_local_qa":
        return {"local_qa_returned_date": data.date,
                "local_qa_return_comments": data.comments}, extra
    if event == "approve_local_qa":
        return {"local_qa_approved_date": data.date,
                "local_qa_approval_comments": data.comments}, extra
    if event == "submit_to_home_office":
        extra["documents"] = _report_versions(review)
        # The statutory clock stops at the first submission; resubmissions keep that date.
        return {"submitted_date": review.submitted_date or data.date,
                "csp_signoff_date": data.csp_signoff_date}, extra
    if event == "record_ho_outcome":
        versions = _report_versions(review)
        values: dict[str, Any] = {"ho_outcome": data.outcome, "ho_letter_date": data.letter_date,
                                  "ho_outcome_versions": versions}
        if data.outcome == "resubmit":
            values["resubmissions"] = Review.resubmissions + 1
        return values, extra
    if event == "complete_amendments":
        return {"amendments_completed_date": data.date}, extra
    if event == "publish":
        return {"published_date": data.date, "published_url": data.url,
                "dac_copy_sent_date": data.dac_copy_sent_date, "is_withheld": False}, extra
    if event == "withhold_publication":
        return {"withheld_date": data.date, "withheld_reason": data.reason,
                "dac_copy_sent_date": data.dac_copy_sent_date, "is_withheld": True}, extra
    if event == "close_review":
        return {"closed_date": data.date}, extra
    if event == "pause":
        return {"is_paused": True, "pause_reason": data.reason, "paused_since_date": data.date,
                "pause_expected_end_date": data.expected_end}, extra
    if event == "resume":
        days = (data.date - review.paused_since_date).days
        extra["paused_since"] = review.paused_since_date.isoformat()
        extra["paused_days"] = days
        return {"is_paused": False, "pause_reason": None, "paused_since_date": None,
                "pause_expected_end_date": None,
                "paused_days": Review.paused_days + days}, extra
    if event == "withdraw":
        return {"withdrawn_date": data.date, "withdrawn_reason": data.reason}, extra
    raise AssertionError(f"no handler for {event}")  # every event of the table is above


def _reserve_pool_members(review: Review, data: ev.AppointChairData, user: User) -> None:
    """Lock the chosen pool members' rows and re-check eligibility and capacity, so two
    reviews cannot both take a chair's last place."""
    from dhr.workflow import allocation

    missing = []
    for member_id, role in ((data.chair_id, "chair"), (data.report_writer_id, "report_writer")):
        if member_id is None:
            continue
        member = db.session.get(PoolMember, member_id)
        assert member is not None  # the guard checked it is in the pool
        missing += allocation.cannot_appoint(member, role, allocation.reserve_capacity(
            member, review, role=role, on=data.appointed_date, viewer=user))
    if missing:
        raise GuardFailed("the chair cannot be appointed", missing)


def _create_amendments(review: Review, data: ev.RecordHoOutcomeData) -> None:
    start = db.session.scalar(
        select(func.coalesce(func.max(HoAmendment.number), 0))
        .where(HoAmendment.review_id == review.id)
    )
    for offset, text in enumerate(data.points, start=1):
        db.session.add(HoAmendment(review_id=review.id, number=start + offset, text=text,
                                   letter_date=data.letter_date))


def _history_data(data: ev.EventData, extra: dict[str, Any]) -> dict[str, Any]:
    return {**data.model_dump(mode="json", exclude_none=True), **extra}


def send_event(review: Review, user: User, event: str, data: dict[str, Any] | None = None, *,
               expected_version: int | None = None) -> Review:
    """Apply a lifecycle event to the review on behalf of `user`; return the review.

    Raises a TransitionError subclass when refused; nothing is written then. Flushes but
    never commits.
    """
    if not can_view_review(user, review):
        raise ReviewNotVisible("no such review")
    if event not in EVENTS:
        raise EventDataInvalid(f"unknown event: {event}",
                               {"event": f"must be one of: {', '.join(EVENTS)}"})
    if not may_send(user, review, event):
        raise EventNotPermitted(_refusal(user, event))
    version = review.lock_version if expected_version is None else expected_version
    if version != review.lock_version:
        raise StaleReview(STALE_MESSAGE, {"lock_version": review.lock_version})
    found = _possible(review, event)
    parsed = parse_data(event, data)
    _check_dates(review, event, parsed)
    missing = check(found.guard, review, parsed, viewer=user)
    if missing:
        raise GuardFailed(f"'{EVENT_LABELS[event]}' needs more first", missing)
    outcome = getattr(parsed, "outcome", None)
    target = found.target_for(outcome)
    source = review.state
    values, extra = _changes(review, event, parsed)
    if event == "appoint_chair":
        _reserve_pool_members(review, parsed, user)
    result = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.lock_version == version)
        .values(state=target, lock_version=Review.lock_version + 1, **values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise StaleReview(STALE_MESSAGE)
    db.session.refresh(review)
    if event == "record_ho_outcome" and outcome == "approved_subject_to_amendments":
        _create_amendments(review, parsed)
    record(f"event.{event}", review, user, _history_data(parsed, extra), review_id=review.id,
           from_state=source, to_state=target)
    run_after_commit(db.session, _after_event, review.id, event, user.id)
    return review


def _after_event(review_id: int, event: str, actor_id: int) -> None:
    """After commit: the transition stands even if the job cannot be queued."""
    try:
        enqueue(notify_event, review_id, event, actor_id)
    except Exception:
        log.exception("could not queue the notification of %s on review %s", event, review_id)


def available_events(review: Review, user: User) -> list[EventOption]:
    """The events `user` could send now on `review`, each with what is still missing on the
    review itself (data the event needs is asked for when it is sent)."""
    options = []
    for event in possible_events(review):
        if not may_send(user, review, event):
            continue
        found = transition(review.state, event)
        assert found is not None
        missing = check(found.guard, review, None, viewer=user)
        options.append(EventOption(event, EVENT_LABELS[event], not missing, missing))
    return options
