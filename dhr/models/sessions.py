"""Signed-in browser sessions, kept on the server so that they can be ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import TZDateTime, utcnow
from dhr.models.users import User


class UserSession(db.Model):
    """One sign-in. The browser's cookie carries a random id; only its SHA-256 digest is
    stored, so a copy of this table cannot be replayed as a cookie."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_seen_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    revoked_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    # Signed in with the password but not yet with the second factor: only the two-factor
    # pages (and signing out) answer until it is done.
    awaiting_second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship()
