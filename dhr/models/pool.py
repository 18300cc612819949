"""The commissioned pool of independent chairs and report writers (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.org import Area, Csp
from dhr.models.types import JsonType, StrEnum, TZDateTime, utcnow
from dhr.models.users import User

if TYPE_CHECKING:
    from dhr.models.review import Review

POOL_ROLES = ("chair", "report_writer")
POOL_ROLE_LABELS = {"chair": "Chair", "report_writer": "Report writer"}
TRAINING_KINDS = ("home_office_chair_training", "aafda_certificate", "other")
TRAINING_LABELS = {
    "home_office_chair_training": "Home Office chair training",
    "aafda_certificate": "AAFDA certificate",
    "other": "Other training",
}
INVITATION_STATES = ("invited", "accepted", "declined", "not_needed")

pool_member_areas = Table(
    "pool_member_areas",
    db.Model.metadata,
    Column("member_id", ForeignKey("pool_members.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)

pool_member_excluded_csps = Table(
    "pool_member_excluded_csps",
    db.Model.metadata,
    Column("member_id", ForeignKey("pool_members.id", ondelete="CASCADE"), primary_key=True),
    Column("csp_id", ForeignKey("csps.id", ondelete="CASCADE"), primary_key=True),
)


class PoolMember(db.Model):
    """A chair or report writer the CSPs may commission.

    `lock_version` is bumped by an UPDATE before every appointment, so that two
    appointments of the same person serialise on the row (see allocation.reserve_capacity).
    """

    __tablename__ = "pool_members"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    roles: Mapped[list[str]] = mapped_column(JsonType, default=lambda: ["chair"])
    is_active: Mapped[bool] = mapped_column(default=True)
    capacity: Mapped[int] = mapped_column(default=2)
    last_appointed_date: Mapped[date | None]
    lock_version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=pool_member_areas, order_by="Area.name")
    excluded_csps: Mapped[list[Csp]] = relationship(
        secondary=pool_member_excluded_csps, order_by="Csp.name"
    )
    training: Mapped[list[TrainingRecord]] = relationship(
        back_populates="member", cascade="all, delete-orphan",
        order_by="TrainingRecord.completed_date",
    )
    conflicts: Mapped[list[ConflictOfInterest]] = relationship(
        back_populates="member", cascade="all, delete-orphan",
        order_by="ConflictOfInterest.agency",
    )

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])


class TrainingRecord(db.Model):
    """Evidence of training. Without an explicit expiry it lasts TRAINING_VALID_YEARS."""

    __tablename__ = "pool_training_records"
    __table_args__ = (
        CheckConstraint("expires_date IS NULL OR expires_date >= completed_date",
                        name="expires_after_completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("pool_members.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(StrEnum(*TRAINING_KINDS, name="training_kind"))
    completed_date: Mapped[date]
    expires_date: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")

    member: Mapped[PoolMember] = relationship(back_populates="training")

    @property
    def label(self) -> str:
        return TRAINING_LABELS[self.kind]


class ConflictOfInterest(db.Model):
    """An agency (vocabulary code) the member works or worked for: never in a review's scope."""

    __tablename__ = "pool_conflicts"
    __table_args__ = (UniqueConstraint("member_id", "agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("pool_members.id", ondelete="CASCADE"), index=True
    )
    agency: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(500), default="")

    member: Mapped[PoolMember] = relationship(back_populates="conflicts")


class Invitation(db.Model):
    """An expression of interest: a pool member invited to chair (or write) a review."""

    __tablename__ = "chair_invitations"
    __table_args__ = (UniqueConstraint("review_id", "member_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("pool_members.id"), index=True)
    role: Mapped[str] = mapped_column(StrEnum(*POOL_ROLES, name="invitation_role"),
                                      default="chair")
    state: Mapped[str] = mapped_column(StrEnum(*INVITATION_STATES, name="invitation_state"),
                                       default="invited")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    responded_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    response_note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship()
    member: Mapped[PoolMember] = relationship()
    invited_by: Mapped[User | None] = relationship()
