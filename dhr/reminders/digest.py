"""Digests: each day, one e-mail per daily-digest user with what arrived since the last; each
week, one summary per county sub-group member of overdue reviews, overdue recommendations
and what moved, counted by the same queries as the dashboard and the tracker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AuditEntry, Notification, ReminderClaim, Review, User
from dhr.models.types import utcnow
from dhr.permissions import visible_reviews_clause
from dhr.reminders.delivery import deliver, queue_email
from dhr.reminders.letters import spoken
from dhr.reminders.mail import Letter, link
from dhr.reminders.scan import claim
from dhr.workflow.clock_sql import clock_sql
from dhr.workflow.declarations import EVENT_LABELS
from learning.tracker import Filters, Tracker, TrackerQuery

LISTED = 10  # reviews named in the weekly digest (the figures count them all)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def daily_digest_letter(notes: list[Notification], today: date) -> Letter:
    count = len(notes)
    paragraphs = [f"{note.subject}: {note.message}" if note.subject else note.message
                  for note in notes]
    return Letter(f"Your daily summary for {spoken(today)}: {_count(count, 'notification')}",
                  tuple(paragraphs), link("/notifications"))


def send_daily_digests(today: date) -> int:
    """One e-mail per daily-digest user with everything written for them since the last."""
    sent = 0
    users = db.session.scalars(select(User).where(
        User.is_enabled.is_(True), User.notification_preference == "daily_digest")
        .order_by(User.id)).all()
    for user in users:
        key = f"user:{user.id}"
        since = db.session.scalar(select(func.max(ReminderClaim.created_dt)).where(
            ReminderClaim.rule == "daily_digest", ReminderClaim.recipient == key))
        # The window ends now, and the claim records this moment as its own: the next digest
        # starts exactly where this one ended, so nothing falls between two digests.
        window_end = utcnow()
        criteria = [Notification.user_id == user.id, Notification.created_dt <= window_end]
        criteria.append(Notification.created_dt > since if since is not None
                        else Notification.read_dt.is_(None))
        notes = list(db.session.scalars(select(Notification).where(*criteria)
                                        .order_by(Notification.id)))
        if not notes:
            continue
        letter = daily_digest_letter(notes, today)
        claim_id = claim("daily_digest", key, key, today.isoformat(), channel="daily_digest",
                         subject=letter.subject, created_dt=window_end)
        if claim_id is None:
            db.session.rollback()
            continue
        queue_email(user.email, letter, claim_id)
        db.session.commit()
        sent += 1
    return sent


@dataclass(frozen=True)
class WeeklyFigures:
    overdue_reviews: int
    overdue_recommendations: int
    moved: dict[str, int]  # event label -> how many times, this week
    latest: list[tuple[str, str, int]]  # (reference, pseudonym, days late), most late first


def weekly_figures(user: User, today: date) -> WeeklyFigures:
    """What `user` sees: the dashboard's overdue count (same clock expressions and visibility)
    and the tracker's overdue count (its own query)."""
    clocks = clock_sql(today)
    seen = visible_reviews_clause(user)
    overdue_reviews = db.session.scalar(
        select(func.count()).select_from(Review).where(seen, clocks.overdue)) or 0
    latest = db.session.execute(
        select(Review.reference, Review.victim_pseudonym, clocks.days_late)
        .where(seen, clocks.overdue).order_by(clocks.days_late.desc(), Review.id).limit(LISTED)
    ).all()
    tracker = Tracker(user, Filters(query=TrackerQuery(overdue=True)), today)
    week_start = datetime.combine(today - timedelta(days=7), time(), tzinfo=UTC)
    week_end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    moves = db.session.execute(
        select(AuditEntry.action, func.count()).join(Review, Review.id == AuditEntry.review_id)
        .where(seen, AuditEntry.action.like("event.%"), AuditEntry.at_dt >= week_start,
               AuditEntry.at_dt < week_end)
        .group_by(AuditEntry.action)).all()
    moved = {EVENT_LABELS.get(action.removeprefix("event."), action): count
             for action, count in sorted(moves)}
    return WeeklyFigures(overdue_reviews, tracker.total(), moved,
                         [(ref, pseudonym, int(days)) for ref, pseudonym, days in latest])


def weekly_letter(figures: WeeklyFigures, today: date) -> Letter:
    paragraphs = [f"Week to {spoken(today)}.",
                  f"Overdue reviews: {figures.overdue_reviews}.",
                  f"Overdue recommendations: {figures.overdue_recommendations}."]
    paragraphs += [f"{ref} ({pseudonym}): {days} day{'s' if days != 1 else ''} overdue."
                   for ref, pseudonym, days in figures.latest]
    if figures.moved:
        paragraphs.append("What moved this week: " + "; ".join(
            f"{label} ({count})" for label, count in figures.moved.items()) + ".")
    else:
        paragraphs.append("No review moved on this week.")
    return Letter(f"Weekly DHR summary for the sub-group, {spoken(today)}: "
                  f"{_count(figures.overdue_reviews, 'overdue review')}, "
                  f"{_count(figures.overdue_recommendations, 'overdue recommendation')}",
                  tuple(paragraphs), link("/?overdue=1"))


def send_weekly_digests(today: date) -> int:
    """One summary per sub-group member per ISO week, claimed like any reminder."""
    year, week, _ = today.isocalendar()
    sent = 0
    members = db.session.scalars(select(User).where(
        User.is_enabled.is_(True), User.role == "subgroup_member", User.area_id.is_not(None))
        .order_by(User.id)).all()
    for user in members:
        letter = weekly_letter(weekly_figures(user, today), today)
        key = f"user:{user.id}"
        claim_id = claim("weekly_digest", f"area:{user.area_id}", key, f"{year}-W{week:02d}",
                         channel=user.notification_preference, subject=letter.subject)
        if claim_id is None:
            db.session.rollback()
            continue
        deliver(user, "digest.weekly", letter, None, claim_id)
        db.session.commit()
        sent += 1
    return sent
