"""Two-factor sign-in: a user's authenticator secret and their one-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import TZDateTime, utcnow
from dhr.models.users import User


class TwoFactorCredential(db.Model):
    """The TOTP secret an authenticator app shares with us, sealed (dhr.sealing): the database
    never holds it in the clear. Not confirmed until the user typed a first code from it.
    `last_step` is the 30-second time step of the last code accepted: a code of that step or
    an earlier one is refused, so no code works twice."""

    __tablename__ = "two_factor_credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    sealed_secret: Mapped[str] = mapped_column(String(255))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    confirmed_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_step: Mapped[int | None]

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A code for when the authenticator is lost: shown once, stored as an argon2 hash,
    usable once."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    used_dt: Mapped[datetime | None] = mapped_column(TZDateTime())
