"""Statutory clocks: decision due, completion due, paused days and the pause-adjusted due date.

Calendar months follow the usual rule: 31 January + 1 month = 28 (or 29) February.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app

from dhr.models import Review
from dhr.models.states import FINAL_STATES


def add_months(start: date, months: int) -> date:
    return start + relativedelta(months=months)


# How a review stands against one clock. "met"/"missed" once the step is done; "on_time" or
# "late" while it is still to do; None when the clock does not apply (not started, or the
# review ended without reaching the step).
MET, MISSED, ON_TIME, LATE = "met", "missed", "on_time", "late"


def clock_outcome(due: date | None, done: date | None, live: bool, today: date) -> str | None:
    if due is None:
        return None
    if done is not None:
        return MET if done <= due else MISSED
    if not live:
        return None
    return LATE if today > due else ON_TIME


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

    @property
    def overdue(self) -> bool:
        return self.decision_overdue or self.completion_overdue


def paused_days_as_of(review: Review, today: date) -> int:
    """Days paused so far, counting a pause still running up to today."""
    running = 0
    if review.is_paused and review.paused_since_date is not None:
        running = max((today - review.paused_since_date).days, 0)
    return review.paused_days + running


def clocks_for(review: Review, today: date | None = None) -> Clocks:
    today = today or date.today()
    config = current_app.config
    decision_due = add_months(review.notification_date, config["DECISION_DUE_MONTHS"])
    start = review.direction_date or (
        review.decision_date if review.state not in {"notified", "no_review_ho_scrutiny",
                                                      "closed_no_review"} else None
    )
    statutory_due = add_months(start, config["COMPLETION_DUE_MONTHS"]) if start else None
    paused = paused_days_as_of(review, today)
    adjusted_due = statutory_due + timedelta(days=paused) if statutory_due else None
    live = review.state not in FINAL_STATES
    decision_overdue = review.state == "notified" and today > decision_due
    completion_overdue = (
        live
        and adjusted_due is not None
        and review.submitted_date is None
        and today > adjusted_due
    )
    decided = review.decision_date or review.direction_date
    running_due = decision_due if review.state == "notified" else adjusted_due
    days_late = (today - running_due).days if (
        decision_overdue or completion_overdue) and running_due else 0
    return Clocks(
        decision_due, statutory_due, paused, adjusted_due, decision_overdue, completion_overdue,
        decision=clock_outcome(decision_due, decided, review.state == "notified", today),
        statutory=clock_outcome(statutory_due, review.submitted_date, live, today),
        adjusted=clock_outcome(adjusted_due, review.submitted_date, live, today),
        days_late=days_late,
    )


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


def tally_clocks(all_clocks: list[Clocks]) -> list[ClockTally]:
    config = current_app.config
    months = config["DECISION_DUE_MONTHS"], config["COMPLETION_DUE_MONTHS"]
    clocks_and_labels = [
        ("decision", f"Decision within {_months(months[0])} of notification"),
        ("statutory", f"Submitted to the Home Office within {_months(months[1])} of the decision"),
        ("adjusted", f"Submitted within {_months(months[1])} plus days paused"),
    ]
    tallies = []
    for name, label in clocks_and_labels:
        outcomes = [getattr(clocks, name) for clocks in all_clocks]
        tallies.append(ClockTally(label, *(outcomes.count(o) for o in (MET, MISSED, ON_TIME,
                                                                        LATE))))
    return tallies


def _months(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"
