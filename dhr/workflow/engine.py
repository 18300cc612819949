"""The lifecycle engine: the one place a review's state changes.

`send_event` checks, in this order: the user may see the review (else 404), the event exists
(400), the user's role may send it on this review (403), the caller's expected version is
current (409 conflict), the event is possible from the review's state and pause (409
illegal_transition), the data is well formed (400), the guard holds (422 with what is
missing). It then moves the review with one conditional UPDATE (`... WHERE id = :id AND
lock_version = :expected`), so of two people acting at once exactly one wins and the other
gets Stale; writes the history row in the same transaction; and queues side effects to run
after commit. It flushes but never commits: the caller commits once.

It knows no event by name: what an event sets and computes is its declaration
(dhr.workflow.declarations), where it may go is the table (dhr.workflow.table).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.errors import (
    STALE_MESSAGE,
    GuardFailed,
    IllegalMove,
    InvalidInput,
    NotFound,
    NotPermitted,
    Stale,
)
from dhr.extensions import db
from dhr.jobs import enqueue
from dhr.models import Review, User
from dhr.models.states import STATE_LABELS
from dhr.models.users import ROLE_LABELS
from dhr.permissions import can_view_review
from dhr.wording import date_in_words, lower_first
from dhr.workflow import events as ev
from dhr.workflow.declarations import EVENT_LABELS, EVENTS, EVENTS_BY_NAME, WHILE_PAUSED, may_send
from dhr.workflow.guards import check
from dhr.workflow.notify import notify_event
from dhr.workflow.table import Transition, events_from, transition

log = logging.getLogger(__name__)


@dataclass
class EventOption:
    event: str
    label: str
    allowed: bool
    missing: list[str] = field(default_factory=list)


def _refusal(user: User, event: str) -> str:
    label = lower_first(EVENT_LABELS[event])
    if user.role == "chair" and "chair" in EVENTS_BY_NAME[event].roles:
        return f"only the chair appointed to this review may {label}"
    return f"your role ({ROLE_LABELS[user.role]}) cannot {label}"


def parse_data(event: str, data: dict[str, Any] | None) -> ev.EventData:
    """Validate the event's data: JSON types strictly (dates as ISO strings or dates)."""
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the data must be an object", {"data": "must be a JSON object"})
    model = EVENTS_BY_NAME[event].data
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
        raise InvalidInput("some fields of the event's data are not valid",
                               details) from None


def _possible(review: Review, event: str) -> Transition:
    """The transition for `event` from the review's state, or IllegalMove."""
    state_label = lower_first(STATE_LABELS[review.state])
    while_paused = EVENTS_BY_NAME[event].while_paused
    if review.is_paused and not while_paused:
        raise IllegalMove(
            "the review is paused: resume it first (nothing else can happen while it is "
            "paused)", {"state": review.state, "paused": True, "possible": list(WHILE_PAUSED)})
    if while_paused and not review.is_paused:
        raise IllegalMove("the review is not paused",
                          {"state": review.state, "paused": False})
    found = transition(review.state, event)
    if found is None:
        raise IllegalMove(
            f"'{EVENT_LABELS[event]}' is not possible while the review is at the stage "
            f"'{state_label}'",
            {"state": review.state, "possible": possible_events(review)})
    return found


def possible_events(review: Review) -> list[str]:
    """Events possible from the review's state (while paused: only `resume`)."""
    if review.is_paused:
        return list(WHILE_PAUSED)
    return [event for event in events_from(review.state) if event not in WHILE_PAUSED]


def _check_dates(review: Review, event: str, data: ev.EventData) -> None:
    """Dates that contradict the review: before the notification, or against the event's own
    rule (a resume before its pause, a pause overlapping the previous one)."""
    problems: dict[str, str] = {}
    notified = review.notification_date
    for name, value in data.dates().items():
        if value < notified:
            problems[name] = (f"must not be before the police notification "
                              f"({date_in_words(notified)})")
    rule = EVENTS_BY_NAME[event].date_rule
    if rule is not None:
        problems.update(rule(review, data))
    if problems:
        raise InvalidInput("some dates do not fit the review", problems)


def event_problems(review: Review, user: User, event: str, data: dict[str, Any], *,
                   expected_version: int | None = None) -> tuple[dict[str, str], list[str]]:
    """Everything wrong with `data` for `event` at once, without sending it: the field
    problems ({field: message}) and what else the guard finds missing (a form shows them all
    together, not one round at a time). Raises what send_event raises for the event itself
    (not permitted, not possible now)."""
    if not may_send(user, review, event):
        raise NotPermitted(_refusal(user, event))
    if expected_version is not None and expected_version != review.lock_version:
        raise Stale(STALE_MESSAGE, {"lock_version": review.lock_version})
    found = _possible(review, event)
    details: dict[str, str] = {}
    try:
        parsed = parse_data(event, data)
    except InvalidInput as exc:
        details.update(exc.details or {})
        valid = {k: v for k, v in data.items() if k not in details}
        try:
            parsed = parse_data(event, valid)
        except InvalidInput:
            return details, []
    try:
        _check_dates(review, event, parsed)
    except InvalidInput as exc:
        details.update(exc.details or {})
    missing = [item for item in check(found.guard, review, parsed, viewer=user)
               if getattr(item, "field", None) not in details]
    return details, missing


def _history_data(data: ev.EventData, extra: dict[str, Any]) -> dict[str, Any]:
    return {**data.model_dump(mode="json", exclude_none=True), **extra}


def send_event(review: Review, user: User, event: str, data: dict[str, Any] | None = None, *,
               expected_version: int | None = None) -> Review:
    """Apply a lifecycle event to the review on behalf of `user`; return the review.

    Raises a dhr.errors.DomainError when refused; nothing is written then. Flushes but
    never commits.
    """
    if not can_view_review(user, review):
        raise NotFound("no such review")
    if event not in EVENTS:
        raise InvalidInput(f"unknown event: {event}",
                               {"event": f"must be one of: {', '.join(EVENTS)}"})
    if not may_send(user, review, event):
        raise NotPermitted(_refusal(user, event))
    version = review.lock_version if expected_version is None else expected_version
    if version != review.lock_version:
        raise Stale(STALE_MESSAGE, {"lock_version": review.lock_version})
    found = _possible(review, event)
    parsed = parse_data(event, data)
    _check_dates(review, event, parsed)
    missing = check(found.guard, review, parsed, viewer=user)
    if missing:
        raise GuardFailed(f"'{EVENT_LABELS[event]}' needs more first", missing)
    outcome = getattr(parsed, "outcome", None)
    target = found.target_for(outcome)
    source = review.state
    changes = EVENTS_BY_NAME[event].changes(review, parsed, user)
    result = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.lock_version == version)
        .values(state=target, lock_version=Review.lock_version + 1, **changes.values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Stale(STALE_MESSAGE)
    db.session.refresh(review)
    record(f"event.{event}", review, user, _history_data(parsed, changes.facts),
           review_id=review.id, from_state=source, to_state=target)
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
