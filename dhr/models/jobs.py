"""Rows written by background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db
from dhr.models.types import JsonType, TZDateTime, utcnow


class Notification(db.Model):
    """A message for a user in the app, written by a job (an event, a reminder, a sign-in).

    `message` is the body; `subject` the one-line summary; `read_dt` is set when the user
    marks it read (unread while NULL).
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_dt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    message: Mapped[str] = mapped_column(Text)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    read_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class HeldJob(db.Model):
    """A job that could not be queued (the broker was down). It waits here, in the database,
    and is sent again once the broker is back (dhr.jobs.release_held): nothing is lost."""

    __tablename__ = "held_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    held_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class JobHeartbeat(db.Model):
    """When the scheduler's beat last reached a worker (health: jobs ok or degraded)."""

    __tablename__ = "job_heartbeats"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class JobRun(db.Model):
    """The last run of a scheduled job: when it started and finished, and its last failure
    (`dhr jobs status`; health reports jobs degraded while the latest run failed)."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    started_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    ok_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    failed_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(default=0)  # in a row; 0 after a success
