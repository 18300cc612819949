"""Statutory clocks: decision due, completion due, paused days and the pause-adjusted due date.

Calendar months follow the usual rule: 31 January + 1 month = 28 (or 29) February.

`due_dates` states which dates a review is due by; they are kept in the review's stored
columns (`*_due_date`) whenever a review is flushed, so that lists can filter and sort in SQL
(dhr.workflow.clock_sql). `clocks_for` adds what depends on today (a running pause, lateness)
and is what a single review's page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from dhr.audit import record
from dhr.extensions import db
from dhr.models import Review
from dhr.models.states import FINAL_STATES

# States in which no decision to review has been taken, so the completion clock has not started.
UNDECIDED_STATES = frozenset({"notified", "no_review_ho_scrutiny", "closed_no_review"})


def add_months(start: date, months: int) -> date:
    return start + relativedelta(months=months)


# How a review stands against one clock. "met"/"missed" once the step is done; "on_time" or
# "late" while it is still to do; None when the clock does not apply (not started, or the
# review ended without reaching the step).
MET, MISSED, ON_TIME, LATE = "met", "missed", "on_time", "late"
OUTCOMES = (MET, MISSED, ON_TIME, LATE)


def clock_outcome(due: date | None, done: date | None, live: bool, today: date) -> str | None:
    if due is None:
        return None
    if done is not None:
        return MET if done <= due else MISSED
    if not live:
        return None
    return LATE if today > due else ON_TIME


@dataclass(frozen=True)
class DueDates:
    """The due dates that do not depend on today (what the review stores)."""

    decision_due: date
    statutory_due: date | None
    # Statutory due plus the days of completed pauses; a running pause is added on reading.
    adjusted_due: date | None
    # The deadline the review is working towards now (before a running pause), if any.
    next_due: date | None


def due_dates(review: Review) -> DueDates:
    config = current_app.config
    decision_due = add_months(review.notification_date, config["DECISION_DUE_MONTHS"])
    start = review.direction_date or (
        review.decision_date if review.state not in UNDECIDED_STATES else None)
    statutory_due = add_months(start, config["COMPLETION_DUE_MONTHS"]) if start else None
    adjusted_due = statutory_due + timedelta(days=review.paused_days) if statutory_due else None
    if review.state == "notified":
        next_due = decision_due
    elif review.state not in FINAL_STATES and review.submitted_date is None:
        next_due = adjusted_due
    else:
        next_due = None
    return DueDates(decision_due, statutory_due, adjusted_due, next_due)


@dataclass(frozen=True)
class Clocks:
    decision_due: date
    statutory_due: date | None
    paused_days: int
    adjusted_due: date | None
    decision_overdue: bool
    completion_overdue: bool
    decision: str | None = None
    statutory: str | None = None
    adjusted: str | None = None
    days_late: int = 0
    next_due: date | None = None

    @property
    def overdue(self) -> bool:
        return self.decision_overdue or self.completion_overdue


def running_pause_days(review: Review, today: date) -> int:
    """Days of the pause still running, up to today (0 when not paused)."""
    if review.is_paused and review.paused_since_date is not None:
        return max((today - review.paused_since_date).days, 0)
    return 0


def paused_days_as_of(review: Review, today: date) -> int:
    """Days paused so far, counting a pause still running up to today."""
    return review.paused_days + running_pause_days(review, today)


def clocks_for(review: Review, today: date | None = None) -> Clocks:
    today = today or date.today()
    dues = due_dates(review)
    running = timedelta(days=running_pause_days(review, today))
    adjusted_due = dues.adjusted_due + running if dues.adjusted_due else None
    live = review.state not in FINAL_STATES
    decision_overdue = review.state == "notified" and today > dues.decision_due
    completion_overdue = (
        live
        and adjusted_due is not None
        and review.submitted_date is None
        and today > adjusted_due
    )
    decided = review.decision_date or review.direction_date
    running_due = dues.decision_due if review.state == "notified" else adjusted_due
    days_late = (today - running_due).days if (
        decision_overdue or completion_overdue) and running_due else 0
    next_due = dues.next_due if review.state == "notified" or dues.next_due is None else (
        dues.next_due + running)
    return Clocks(
        dues.decision_due, dues.statutory_due, paused_days_as_of(review, today), adjusted_due,
        decision_overdue, completion_overdue,
        decision=clock_outcome(dues.decision_due, decided, review.state == "notified", today),
        statutory=clock_outcome(dues.statutory_due, review.submitted_date, live, today),
        adjusted=clock_outcome(adjusted_due, review.submitted_date, live, today),
        days_late=days_late, next_due=next_due,
    )


# --- keeping the stored due dates current ----------------------------------------------------

STORED_COLUMNS = {"decision_due": "decision_due_date", "statutory_due": "statutory_due_date",
                  "adjusted_due": "adjusted_due_date", "next_due": "next_due_date"}
_INPUTS = ("notification_date", "decision_date", "direction_date", "state", "paused_days",
           "submitted_date")
_TO_CHECK = "dhr_clock_check"


def store_due_dates(review: Review) -> dict[str, tuple[date | None, date | None]]:
    """Write `due_dates` into the review's stored columns; return {column: (old, new)} for
    those that changed."""
    dues = due_dates(review)
    changes = {}
    for name, column in STORED_COLUMNS.items():
        old, new = getattr(review, column), getattr(dues, name)
        if old != new:
            setattr(review, column, new)
            changes[column] = (old, new)
    return changes


def recompute_due_dates(batch: int = 500) -> tuple[int, int]:
    """Rewrite every review's stored due dates by the current settings (after a clock
    setting changed), auditing each review whose dates moved. Returns (reviews, changed).
    Flushes but never commits."""
    config = current_app.config
    settings = {name: config[name] for name in ("DECISION_DUE_MONTHS", "COMPLETION_DUE_MONTHS")}
    ids = db.session.scalars(select(Review.id).order_by(Review.id)).all()
    changed = 0
    for start in range(0, len(ids), batch):
        chunk = db.session.scalars(select(Review).where(Review.id.in_(ids[start:start + batch])))
        for review in chunk:
            changes = store_due_dates(review)
            if changes:
                changed += 1
                record("review.due_dates_recomputed", review, None, {
                    "settings": settings,
                    "changes": {column: [_iso(old), _iso(new)]
                                for column, (old, new) in changes.items()},
                }, review_id=review.id)
        db.session.flush()
    return len(ids), changed


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _apply_defaults(review: Review) -> None:
    """A new review gets its column defaults now, as the INSERT would give them."""
    for name in _INPUTS:
        default = Review.__table__.c[name].default
        if getattr(review, name) is None and default is not None and default.is_scalar:
            setattr(review, name, default.arg)


@event.listens_for(Review, "refresh")
def _refreshed(review: Review, _context: Any, _attrs: Any) -> None:
    """A row re-read from the database may have been changed by an UPDATE statement (the
    lifecycle engine's), which bypasses the ORM: check its stored dates at the next flush."""
    session = inspect(review).session
    if session is not None:
        session.info.setdefault(_TO_CHECK, set()).add(review)


def _store_in_session(session: Session) -> None:
    candidates = set(session.info.pop(_TO_CHECK, ()))
    candidates.update(obj for obj in session.new if isinstance(obj, Review))
    candidates.update(obj for obj in session.dirty if isinstance(obj, Review))
    for review in candidates:
        if review in session.deleted or inspect(review).session is not session:
            continue
        if inspect(review).pending:
            _apply_defaults(review)
        store_due_dates(review)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    _store_in_session(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """An UPDATE statement followed by a refresh leaves nothing to flush: check here too."""
    if session.info.get(_TO_CHECK):
        _store_in_session(session)


# --- tallies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockTally:
    """How many reviews met, missed, are on time for or are late against one clock."""

    label: str
    met: int
    missed: int
    on_time: int
    late: int

    @property
    def counted(self) -> int:
        return self.met + self.missed + self.on_time + self.late


CLOCK_NAMES = ("decision", "statutory", "adjusted")


def tallies_from_counts(counts: dict[str, dict[str | None, int]]) -> list[ClockTally]:
    """One ClockTally per clock from {clock name: {outcome: number of reviews}}."""
    config = current_app.config
    months = config["DECISION_DUE_MONTHS"], config["COMPLETION_DUE_MONTHS"]
    labels = {
        "decision": f"Decision within {_months(months[0])} of notification",
        "statutory": f"Submitted to the Home Office within {_months(months[1])} of the decision",
        "adjusted": f"Submitted within {_months(months[1])} plus days paused",
    }
    return [ClockTally(labels[name], *(counts[name].get(o, 0) for o in OUTCOMES))
            for name in CLOCK_NAMES]


def tally_clocks(all_clocks: list[Clocks]) -> list[ClockTally]:
    counts: dict[str, dict[str | None, int]] = {name: {} for name in CLOCK_NAMES}
    for clocks in all_clocks:
        for name in CLOCK_NAMES:
            outcome = getattr(clocks, name)
            counts[name][outcome] = counts[name].get(outcome, 0) + 1
    return tallies_from_counts(counts)


def _months(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"
