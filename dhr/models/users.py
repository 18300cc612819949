"""People who sign in, their roles and scope, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.org import Area, Csp
from dhr.models.types import StrEnum, TZDateTime, utcnow

ROLES = ("admin", "coordinator", "csp_manager", "subgroup_member", "chair", "practitioner")
# Roles in words, as people say them.
ROLE_LABELS = {
    "admin": "Administrator",
    "coordinator": "County coordinator",
    "csp_manager": "CSP manager",
    "subgroup_member": "Sub-group member",
    "chair": "Independent chair",
    "practitioner": "Practitioner",
}
# How a user wants to hear of reminders and events: each by e-mail at once, one e-mail a day,
# or in the app only (the notifications page always has everything).
NOTIFICATION_PREFERENCES = ("immediate", "daily_digest", "in_app")

user_csps = Table(
    "user_csps",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("csp_id", ForeignKey("csps.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(StrEnum(*ROLES, name="user_role"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    notification_preference: Mapped[str] = mapped_column(
        StrEnum(*NOTIFICATION_PREFERENCES, name="notification_preference"), default="immediate",
        server_default="immediate")
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    area: Mapped[Area | None] = relationship()
    csps: Mapped[list[Csp]] = relationship(secondary=user_csps, order_by="Csp.name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def csp_ids(self) -> set[int]:
        return {csp.id for csp in self.csps}

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored. It stops working when it expires or
    is revoked; a read-only one only reads (GET)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_used_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    revoked_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    expires_dt: Mapped[datetime] = mapped_column(TZDateTime())
    is_read_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship()
