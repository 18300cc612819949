"""Home Office amendments: the changes the Quality Assurance Panel asked for before a report
"may be published" (outcome approved_subject_to_amendments), each marked done in turn."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import TZDateTime, utcnow
from dhr.models.users import User


class HoAmendment(db.Model):
    __tablename__ = "ho_amendments"
    __table_args__ = (
        UniqueConstraint("review_id", "number"),
        CheckConstraint("NOT is_done OR done_date IS NOT NULL", name="done_has_date"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    # 1, 2, 3 ... across the review, in the order of the Home Office letter(s).
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    letter_date: Mapped[date]
    is_done: Mapped[bool] = mapped_column(default=False)
    done_date: Mapped[date | None]
    done_note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    done_by: Mapped[User | None] = relationship()
