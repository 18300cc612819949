"""What a user reads in the app: their own notifications, marked read one by one or all at
once, and how they want to hear of them. Everyone sees only their own (another's is not
found). Operations flush and audit but never commit."""

from __future__ import annotations

from sqlalchemy import func, select, update

from dhr.audit import record
from dhr.errors import InvalidInput, NotFound
from dhr.extensions import db
from dhr.models import Notification, Review, User
from dhr.models.types import utcnow
from dhr.models.users import NOTIFICATION_PREFERENCES
from dhr.permissions import visible_reviews_clause

PREFERENCE_LABELS = {
    "immediate": "By e-mail as each one arrives",
    "daily_digest": "By e-mail once a day, in one message",
    "in_app": "In this service only, no e-mail",
}


def _criteria(user: User, unread_only: bool) -> list:
    criteria = [Notification.user_id == user.id]
    if unread_only:
        criteria.append(Notification.read_dt.is_(None))
    return criteria


def notification_count(user: User, *, unread_only: bool) -> int:
    """A count on the (user_id, read_dt) index: cheap enough for every page's header."""
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(*_criteria(user, unread_only))
    ) or 0


def unread_count(user: User) -> int:
    return notification_count(user, unread_only=True)


def notifications_for(user: User, *, unread_only: bool, offset: int,
                      limit: int) -> list[Notification]:
    """A page of `user`'s notifications, newest first."""
    return list(db.session.scalars(
        select(Notification).where(*_criteria(user, unread_only))
        .order_by(Notification.created_dt.desc(), Notification.id.desc())
        .offset(offset).limit(limit)))


def openable_reviews(user: User, items: list[Notification]) -> dict[int, str]:
    """Of the reviews these notifications are about, those the user may still open (a
    review leaves their sight when their role changes or a chair is replaced): id ->
    reference."""
    review_ids = {item.review_id for item in items if item.review_id is not None}
    if not review_ids:
        return {}
    rows = db.session.execute(select(Review.id, Review.reference)
                              .where(Review.id.in_(review_ids), visible_reviews_clause(user)))
    return {review_id: reference for review_id, reference in rows}


def own_notification(user: User, notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound("no such notification")
    return row


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is harmless: the first time stays)."""
    row = own_notification(user, notification_id)
    if row.read_dt is None:
        row.read_dt = utcnow()
        record("notification.read", row, user)
    return row


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    marked = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_dt.is_(None))
        .values(read_dt=utcnow())
    ).rowcount
    if marked:
        record("user.notifications_read", user, user, {"count": marked})
    return marked


def set_preference(user: User, preference: str) -> None:
    """How the user hears of notifications: immediate, daily digest or in the app only."""
    if preference not in NOTIFICATION_PREFERENCES:
        raise InvalidInput("choose how to hear of notifications",
                           {"preference": "Select how you want to hear of notifications"})
    if preference == user.notification_preference:
        return
    before = user.notification_preference
    user.notification_preference = preference
    record("user.notification_preference_changed", user, user,
           {"before": before, "after": preference})
