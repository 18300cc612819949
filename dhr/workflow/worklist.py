"""What waits on whom: the lists of the home pages ("my tasks").

Each list is one query over the reviews the user may see (dhr.permissions), limited to a few
rows plus a count, with lateness worked out in SQL from the stored clocks
(dhr.workflow.clock_sql). "Since when" is when the review entered its current stage: the
date recorded by the step that moved it there (the decision, the chair's appointment, the
submission...), else the latest history entry that moved it there (a pause or a resume,
which keep the stage, does not count); for a paused review, the start of the pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from dhr.extensions import db
from dhr.models import AgencyRequest, AuditEntry, PoolMember, Review, User
from dhr.models.agency_requests import AWAITING_STATES
from dhr.models.states import FINAL_STATES
from dhr.permissions import visible_reviews_clause
from dhr.workflow.allocation import EXPIRY_WARNING_DAYS, NOT_CURRENT_STATES, trained_until
from dhr.workflow.clock_sql import clock_sql

LIMIT = 10

# What a review in each stage waits for, in words the people doing it use.
WAITS_FOR = {
    "notified": "the CSP's decision whether to hold a review",
    "no_review_ho_scrutiny": "the Home Office's letter on the decision not to review",
    "chair_appointment": "an independent chair to be appointed",
    "panel_and_scope": "the panel and terms of reference to be agreed",
    "information_gathering": "IMRs and chronologies from agencies",
    "drafting": "the overview report, executive summary and action plan",
    "local_qa": "quality assurance by the DHR sub-group",
    "ready_for_submission": "CSP sign-off and submission to the Home Office",
    "home_office_qa": "the Home Office Quality Assurance Panel's letter",
    "ho_amendments": "the amendments the Home Office asked for",
    "publication_pending": "publication",
    "published": "the action plan to be completed and the review closed",
}
# Stages that wait for a letter from the Home Office, and the event that records it.
LETTER_EVENTS = {"no_review_ho_scrutiny": "ho_accepts_no_review",
                 "home_office_qa": "record_ho_outcome"}


@dataclass(frozen=True)
class Listed:
    """A few rows of a list and how many there are in all."""

    rows: list[Any]
    total: int


@dataclass(frozen=True)
class ReviewTask:
    review: Review
    since: date | None
    due: date | None
    days_late: int

    @property
    def waits_for(self) -> str:
        if self.review.is_paused:
            return "the review to be resumed"
        return WAITS_FOR.get(self.review.state, "")


@dataclass(frozen=True)
class PoolAlert:
    member: PoolMember
    trained_until: date | None  # None: no qualifying training at all
    expired: bool
    reviews: list[Review]


def _stage_started() -> Any:
    """The date the step into the review's current stage recorded, where it records one."""
    r = Review
    started = {
        "notified": r.notification_date,
        "no_review_ho_scrutiny": r.decision_date,
        "chair_appointment": func.coalesce(r.direction_date, r.decision_date),
        "panel_and_scope": r.chair_appointed_date,
        "information_gathering": r.tor_agreed_date,
        "local_qa": r.local_qa_submitted_date,
        "ready_for_submission": r.local_qa_approved_date,
        "home_office_qa": r.submitted_date,
        "ho_amendments": r.ho_letter_date,
        "publication_pending": func.coalesce(r.amendments_completed_date, r.ho_letter_date),
        "published": r.published_date,
    }
    return case(*((r.state == state, column) for state, column in started.items()))


def _entered_stage() -> Any:
    """When the review entered its current stage (correlated: no query per review)."""
    return (
        select(func.max(AuditEntry.at_dt))
        .where(AuditEntry.review_id == Review.id, AuditEntry.to_state == Review.state,
               or_(AuditEntry.from_state.is_(None), AuditEntry.from_state != AuditEntry.to_state))
        .correlate(Review).scalar_subquery()
    )


def _as_date(value: datetime | date | str | None) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):  # SQLite returns the aggregate of a timestamp as text
        value = datetime.fromisoformat(value)
    return value.date()


def _count(user: User, criteria: list[ColumnElement[bool]]) -> int:
    where = [visible_reviews_clause(user), *criteria]
    return db.session.scalar(select(func.count()).select_from(Review).where(*where)) or 0


def _review_tasks(user: User, today: date, criteria: list[ColumnElement[bool]],
                  order: list[Any], offset: int, limit: int, total: int | None = None) -> Listed:
    clocks = clock_sql(today)
    where = [visible_reviews_clause(user), *criteria]
    total = _count(user, criteria) if total is None else total
    stmt: Select[Any] = (
        select(Review, _stage_started(), _entered_stage(), clocks.days_late)
        .where(*where).options(joinedload(Review.csp, innerjoin=True))
        .order_by(*order, Review.id).offset(offset).limit(limit)
    )
    rows = []
    for review, started, entered, days_late in db.session.execute(stmt):
        since = review.paused_since_date if review.is_paused else (
            _as_date(started) or _as_date(entered))
        due = review.decision_due_date if review.state == "notified" else review.next_due_date
        rows.append(ReviewTask(review, since, due, int(days_late or 0)))
    return Listed(rows, total)


LIVE = Review.state.not_in(FINAL_STATES)


def live_count(user: User) -> int:
    """How many live (not finished) reviews the user may see."""
    return _count(user, [LIVE])


def waiting_reviews(user: User, today: date, offset: int, limit: int, total: int) -> Listed:
    """A page of the live reviews the user may see (`total` of them, from live_count): the
    most overdue first, then the next due."""
    clocks = clock_sql(today)
    return _review_tasks(
        user, today, [LIVE], [clocks.days_late.desc(), clocks.due_in_days.asc().nulls_last()],
        offset, limit, total)


def decisions_due(user: User, today: date, limit: int = LIMIT) -> Listed:
    """Reviews waiting for the CSP's decision whether to hold a review, soonest due first."""
    return _review_tasks(user, today, [Review.state == "notified"],
                         [Review.decision_due_date], 0, limit)


def in_stages(user: User, today: date, states: tuple[str, ...], limit: int = LIMIT) -> Listed:
    """Live reviews in these stages, the longest waiting first."""
    return _review_tasks(user, today, [Review.state.in_(states)],
                         [_stage_started().asc().nulls_last(),
                          _entered_stage().asc().nulls_last()], 0, limit)


def letters_awaited(user: User, today: date, limit: int = LIMIT) -> Listed:
    """Reviews waiting for a Home Office letter."""
    return in_stages(user, today, tuple(LETTER_EVENTS), limit)


def overdue_requests(user: User, today: date, limit: int = LIMIT) -> Listed:
    """Agency requests past their due date with nothing (acceptable) sent in, on live
    reviews the user may see: the longest overdue first."""
    where = [visible_reviews_clause(user), Review.state.not_in(FINAL_STATES),
             AgencyRequest.state.in_(AWAITING_STATES), AgencyRequest.due_date < today]
    base = select(AgencyRequest).join(Review, Review.id == AgencyRequest.review_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(db.session.scalars(
        base.options(joinedload(AgencyRequest.review).joinedload(Review.csp),
                     joinedload(AgencyRequest.review).joinedload(Review.chair))
        .order_by(AgencyRequest.due_date, AgencyRequest.id).limit(limit)))
    return Listed(rows, total)


def stage_counts(user: User, today: date) -> list[tuple[str, int, int]]:
    """(stage, reviews, overdue) for the live reviews the user may see: one GROUP BY."""
    clocks = clock_sql(today)
    overdue = func.sum(case((clocks.overdue, 1), else_=0))
    stmt = (select(Review.state, func.count(), overdue)
            .where(visible_reviews_clause(user), Review.state.not_in(FINAL_STATES))
            .group_by(Review.state))
    found = {state: (int(count), int(late or 0)) for state, count, late in db.session.execute(stmt)}
    return [(state, *found[state]) for state in WAITS_FOR if state in found]


def pool_alerts(user: User, today: date) -> list[PoolAlert]:
    """Chairs and report writers holding live reviews the user may see whose training has
    expired or expires within EXPIRY_WARNING_DAYS: the soonest (or longest expired) first."""
    reviews = db.session.scalars(
        select(Review).where(
            visible_reviews_clause(user), Review.state.not_in(NOT_CURRENT_STATES),
            or_(Review.chair_id.is_not(None), Review.report_writer_id.is_not(None)))
        .order_by(Review.reference)
        .options(selectinload(Review.chair).selectinload(PoolMember.training),
                 selectinload(Review.report_writer).selectinload(PoolMember.training))).all()
    held: dict[int, tuple[PoolMember, str, list[Review]]] = {}
    for review in reviews:
        for member, role in ((review.chair, "chair"), (review.report_writer, "report_writer")):
            if member is not None:
                held.setdefault(member.id, (member, role, []))[2].append(review)
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    alerts = []
    for member, role, held_reviews in held.values():
        until = trained_until(member, role)
        if until is None or until <= horizon:
            expired = until is None or until < today
            alerts.append(PoolAlert(member, until, expired, held_reviews))
    return sorted(alerts, key=lambda a: (a.trained_until or date.min, a.member.name))
