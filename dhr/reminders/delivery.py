"""Delivering a message to a person: a notification in the app and, by their preference, an
e-mail now (through the outbox) or in tomorrow's digest. The outbox sends with retries.

An e-mail is first a row in the outbox, written in the same transaction as whatever caused
it; `send_outbox` sends due rows one at a time, each taken with a conditional UPDATE (so two
senders never send the same row) and, when sending fails, put back with a later `next_try_dt`
(doubling each time, up to MAX_BACKOFF): a message is never dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from dhr.extensions import db
from dhr.models import Notification, OutboxMessage, User
from dhr.models.types import utcnow
from dhr.reminders.mail import Letter, build_message, send

FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
# While one sender holds a row it is hidden from others this long (a crash mid-send
# therefore delays the message, never loses it).
SENDING_LEASE = timedelta(minutes=10)


def queue_email(to: str, letter: Letter, claim_id: int | None = None) -> OutboxMessage:
    message = OutboxMessage(to_address=to, subject=letter.subject, text_body=letter.text(),
                            html_body=letter.html(), claim_id=claim_id, next_try_dt=utcnow())
    db.session.add(message)
    return message


def deliver(user: User, kind: str, letter: Letter, review_id: int | None = None,
            claim_id: int | None = None) -> Notification:
    """A notification in the app; an e-mail too if the user wants them as they happen."""
    notification = Notification(user_id=user.id, kind=kind, subject=letter.subject,
                                message="\n\n".join(letter.paragraphs), review_id=review_id)
    db.session.add(notification)
    if user.notification_preference == "immediate" and user.email:
        queue_email(user.email, letter, claim_id)
    return notification


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failure, at most MAX_BACKOFF."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _take(message_id: int, seen_next_try: datetime, now: datetime) -> bool:
    """Hold the row for this sender, only if nobody else took it since we read it."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending",
               OutboxMessage.next_try_dt == seen_next_try)
        .values(next_try_dt=now + SENDING_LEASE, attempts=OutboxMessage.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount == 1


def send_outbox(now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Send the messages that are due; return (sent, failed this time)."""
    now = now or utcnow()
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.next_try_dt)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_try_dt <= now)
        .order_by(OutboxMessage.next_try_dt, OutboxMessage.id).limit(limit)
    ).all()
    db.session.rollback()
    sent = failed = 0
    for message_id, seen in due:
        if not _take(message_id, seen, now):
            continue
        row = db.session.get(OutboxMessage, message_id)
        assert row is not None
        try:
            send(build_message(row.to_address, row.subject, row.text_body, row.html_body))
        except Exception as exc:  # any failure: keep it and try later
            current_app.logger.warning("e-mail %s to %s failed (attempt %s): %s",
                                       row.id, row.to_address, row.attempts, exc)
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_try_dt = utcnow() + backoff(row.attempts)
            failed += 1
        else:
            row.state, row.sent_dt, row.last_error = "sent", utcnow(), None
            sent += 1
        db.session.commit()
    return sent, failed
