"""The commissioned pool of independent chairs and report writers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import TZDateTime, utcnow
from dhr.models.users import User


class PoolMember(db.Model):
    __tablename__ = "pool_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship()
