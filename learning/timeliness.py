"""Timeliness of reviews by CSP and calendar year of death (DOMAIN.md, clocks): the share of
reviews decided within a month of notification, submitted to the Home Office within six months
of the decision, and within six months plus the days paused; and the median days each stage
took. The clocks' outcomes come from the stored due dates in SQL (dhr.workflow.clock_sql, the
dashboard's own rule); the medians from the stored dates.

A share counts the reviews whose outcome is known: met or missed, and those still running
but already past their due date (late: they can no longer meet it). Reviews still on time,
or where the clock does not apply, are not in it."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select

from dhr.extensions import db
from dhr.models import Csp, Review, User
from dhr.permissions import visible_reviews_clause
from dhr.workflow.clock_sql import clock_sql
from dhr.workflow.clocks import CLOCK_NAMES, LATE, MET, MISSED, ON_TIME

# Stage name -> (label, start column, end column); each is measured where both dates exist.
STAGES: dict[str, tuple[str, str, str]] = {
    "notification_to_decision": ("Notification to decision", "notification_date", "decided"),
    "decision_to_chair": ("Decision to chair appointed", "decided", "chair_appointed_date"),
    "chair_to_terms": ("Chair appointed to terms of reference agreed", "chair_appointed_date",
                       "tor_agreed_date"),
    "decision_to_submission": ("Decision to submission to the Home Office", "decided",
                               "submitted_date"),
    "submission_to_outcome": ("Submission to the Home Office's letter", "submitted_date",
                              "ho_letter_date"),
    "outcome_to_publication": ("Home Office letter to publication", "ho_letter_date",
                               "published_date"),
}
CLOCK_LABELS = {"decision": "Decided within a month",
                "statutory": "Submitted within six months",
                "adjusted": "Submitted within six months plus days paused"}


@dataclass
class Clock:
    met: int = 0
    missed: int = 0
    late: int = 0
    on_time: int = 0

    @property
    def known(self) -> int:
        return self.met + self.missed + self.late

    @property
    def share(self) -> float | None:
        """Met as a share of the reviews whose outcome is known (None when none is)."""
        return round(self.met / self.known, 3) if self.known else None

    def add(self, outcome: str | None) -> None:
        if outcome in (MET, MISSED, LATE, ON_TIME):
            setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class TimelinessRow:
    csp: str | None  # None on the totals row
    year: int | None
    reviews: int = 0
    clocks: dict[str, Clock] = field(default_factory=lambda: {n: Clock() for n in CLOCK_NAMES})
    stage_days: dict[str, list[int]] = field(
        default_factory=lambda: {name: [] for name in STAGES})

    @property
    def median_days(self) -> dict[str, float | None]:
        return {name: (statistics.median(days) if days else None)
                for name, days in self.stage_days.items()}

    def add(self, outcomes: Iterable[str | None], dates: dict[str, date | None]) -> None:
        self.reviews += 1
        for name, outcome in zip(CLOCK_NAMES, outcomes, strict=True):
            self.clocks[name].add(outcome)
        for name, (_, start, end) in STAGES.items():
            began, ended = dates[start], dates[end]
            if began is not None and ended is not None:
                self.stage_days[name].append((ended - began).days)


_DATE_COLUMNS = ("notification_date", "chair_appointed_date", "tor_agreed_date",
                 "submitted_date", "ho_letter_date", "published_date")


def timeliness(user: User, csp_id: int | None = None, year: int | None = None,
               today: date | None = None) -> tuple[list[TimelinessRow], TimelinessRow]:
    """(a row per CSP and year of death, by year then CSP; the row of them all)."""
    sql = clock_sql(today or date.today())
    death_year = func.extract("year", Review.date_of_death)
    where: list[ColumnElement[bool]] = [visible_reviews_clause(user)]
    if csp_id is not None:
        where.append(Review.csp_id == csp_id)
    if year is not None:
        where.append(Review.date_of_death >= date(year, 1, 1))
        where.append(Review.date_of_death < date(year + 1, 1, 1))
    stmt = (select(Csp.name, death_year, sql.decision, sql.statutory, sql.adjusted,
                   func.coalesce(Review.decision_date, Review.direction_date),
                   *(getattr(Review, name) for name in _DATE_COLUMNS))
            .join(Csp, Csp.id == Review.csp_id).where(*where))
    rows: dict[tuple[str, int], TimelinessRow] = {}
    total = TimelinessRow(None, None)
    for csp, when, *values in db.session.execute(stmt):
        outcomes, decided, dated = values[:3], values[3], values[4:]
        dates: dict[str, Any] = dict(zip(_DATE_COLUMNS, dated, strict=True), decided=decided)
        key = (csp, int(when))
        rows.setdefault(key, TimelinessRow(csp, int(when))).add(outcomes, dates)
        total.add(outcomes, dates)
    return [rows[k] for k in sorted(rows, key=lambda k: (k[1], k[0]))], total
