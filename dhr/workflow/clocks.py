"""Statutory clocks: decision due, completion due, paused days and the pause-adjusted due date.

Calendar months follow the usual rule: 31 January + 1 month = 28 (or 29) February.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app

from dhr.models import Review
from dhr.workflow.states import FINAL_STATES


def add_months(start: date, months: int) -> date:
    return start + relativedelta(months=months)


@dataclass(frozen=True)
class Clocks:
    decision_due: date
    statutory_due: date | None
    paused_days: int
    adjusted_due: date | None
    decision_overdue: bool
    completion_overdue: bool

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
    return Clocks(decision_due, statutory_due, paused, adjusted_due, decision_overdue,
                  completion_overdue)
