"""The clocks of dhr.workflow.clocks as SQL expressions over the stored due dates, so that
lists filter by lateness, sort and count in the database (SQLite and PostgreSQL alike).

They must agree with `clocks_for` review by review (tests/workflow/test_clock_sql.py checks
every demo review on several days). A running pause moves the adjusted due date every day, so
it is added here from `paused_since_date` rather than stored: for a paused review
"today > adjusted due + (today - paused since)" is "adjusted due < paused since".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from dhr.extensions import db
from dhr.models import Review
from dhr.models.states import FINAL_STATES
from dhr.workflow.clocks import (
    CLOCK_NAMES,
    LATE,
    MET,
    MISSED,
    ON_TIME,
    ClockTally,
    tallies_from_counts,
)


class days_between(FunctionElement):  # lower case: used like a SQL function
    """Whole days from the second date to the first (later - earlier)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


@dataclass(frozen=True)
class ClockSql:
    """Per-review clock expressions as of one day (see `Clocks` for the meaning of each)."""

    decision_overdue: ColumnElement[bool]
    completion_overdue: ColumnElement[bool]
    overdue: ColumnElement[bool]
    days_late: ColumnElement[int]
    # Days from today to the running deadline (negative when past; NULL when none).
    due_in_days: ColumnElement[int]
    decision: ColumnElement[str]
    statutory: ColumnElement[str]
    adjusted: ColumnElement[str]


def clock_sql(today: date) -> ClockSql:
    r = Review
    on = bindparam("clock_today", today, type_=Date)
    notified = r.state == "notified"
    live = r.state.notin_(FINAL_STATES)
    pause_running = and_(r.is_paused, r.paused_since_date < on)
    # The adjusted due date stands still while paused: measure lateness up to the pause.
    clock_today = case((pause_running, r.paused_since_date), else_=on)
    running_days = case((pause_running, days_between(on, r.paused_since_date)), else_=0)
    submitted = r.submitted_date.is_not(None)
    decided = func.coalesce(r.decision_date, r.direction_date)

    decision_overdue = and_(notified, r.decision_due_date < on)
    # "adjusted due < clock_today", spelt so that an index on adjusted_due_date can serve it
    # (IS NOT NULL keeps the result TRUE or FALSE, never NULL, so that NOT works).
    completion_overdue = and_(
        live, r.submitted_date.is_(None), r.adjusted_due_date.is_not(None),
        r.adjusted_due_date < on,
        or_(~r.is_paused, r.adjusted_due_date < r.paused_since_date))
    overdue = or_(decision_overdue, completion_overdue)
    days_late = case(
        (and_(notified, overdue), days_between(on, r.decision_due_date)),
        (completion_overdue, days_between(clock_today, r.adjusted_due_date)),
        else_=0,
    )
    due_in_days = days_between(r.next_due_date, on) + case((notified, 0), else_=running_days)
    decision = case(
        (and_(decided.is_not(None), decided <= r.decision_due_date), MET),
        (decided.is_not(None), MISSED),
        (~notified, null()),
        (r.decision_due_date < on, LATE),
        else_=ON_TIME,
    )
    statutory = case(
        (r.statutory_due_date.is_(None), null()),
        (and_(submitted, r.submitted_date <= r.statutory_due_date), MET),
        (submitted, MISSED),
        (~live, null()),
        (r.statutory_due_date < on, LATE),
        else_=ON_TIME,
    )
    adjusted = case(
        (r.adjusted_due_date.is_(None), null()),
        (and_(submitted, r.submitted_date <= r.adjusted_due_date), MET),
        # Submitted during a pause still running: the due date has moved on since.
        (and_(submitted, pause_running,
              days_between(r.submitted_date, r.adjusted_due_date) <= running_days), MET),
        (submitted, MISSED),
        (~live, null()),
        (r.adjusted_due_date < clock_today, LATE),
        else_=ON_TIME,
    )
    return ClockSql(decision_overdue, completion_overdue, overdue, days_late, due_in_days,
                    decision, statutory, adjusted)


def clock_tallies(criteria: list[ColumnElement[bool]], today: date) -> list[ClockTally]:
    """The dashboard's clock tallies for the reviews matching `criteria`, counted in SQL.

    One grouped query; grouping a subquery keeps PostgreSQL from seeing the expressions'
    parameters in SELECT and GROUP BY as different expressions.
    """
    sql = clock_sql(today)
    outcomes = select(sql.decision.label("decision"), sql.statutory.label("statutory"),
                      sql.adjusted.label("adjusted")).where(*criteria).subquery()
    columns = [outcomes.c[name] for name in CLOCK_NAMES]
    counts: dict[str, dict[str | None, int]] = {name: {} for name in CLOCK_NAMES}
    for *row_outcomes, number in db.session.execute(
            select(*columns, func.count()).group_by(*columns)):
        for name, outcome in zip(CLOCK_NAMES, row_outcomes, strict=True):
            counts[name][outcome] = counts[name].get(outcome, 0) + number
    return tallies_from_counts(counts)
