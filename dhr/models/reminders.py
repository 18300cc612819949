"""Reminders claimed before they are sent, and the outbox of e-mails waiting to go."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db
from dhr.models.types import StrEnum, TZDateTime, utcnow

# How a claimed reminder reaches its recipient: an e-mail at once, in the next daily digest,
# in the app only, or (an agency contact with no account) an e-mail and nothing else.
CHANNELS = ("immediate", "daily_digest", "in_app", "contact")
OUTBOX_STATES = ("pending", "sent")


class ReminderClaim(db.Model):
    """One reminder (rule, object, recipient, occurrence), written BEFORE it is delivered.

    The unique key is what makes the scan safe to repeat and to run twice at once: the second
    writer's INSERT finds the key taken and sends nothing.
    """

    __tablename__ = "reminder_claims"
    __table_args__ = (
        UniqueConstraint("rule", "object_key", "recipient", "occurrence",
                         name="uq_reminder_claims_key"),
        Index("ix_reminder_claims_recipient_rule", "recipient", "rule", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    object_key: Mapped[str] = mapped_column(String(60))  # e.g. "review:12"
    recipient: Mapped[str] = mapped_column(String(280))  # "user:3" or "contact:a@b.example"
    occurrence: Mapped[str] = mapped_column(String(40))  # e.g. "overdue:2026-11-02:1"
    channel: Mapped[str] = mapped_column(StrEnum(*CHANNELS, name="reminder_channel"))
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True)
    due_date: Mapped[date | None]
    subject: Mapped[str] = mapped_column(String(200))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class OutboxMessage(db.Model):
    """An e-mail to send. Kept until sent; a failed attempt waits `next_try_dt` and tries again."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_try", "state", "next_try_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_claims.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(StrEnum(*OUTBOX_STATES, name="outbox_state"),
                                       default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
