"""Rows written by background jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db
from dhr.models.types import TZDateTime, utcnow


class Notification(db.Model):
    """A message for a user, written by a job (e.g. 'your account signed in from ...')."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class JobHeartbeat(db.Model):
    """When the scheduler's beat last reached a worker (health: jobs ok or degraded)."""

    __tablename__ = "job_heartbeats"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
