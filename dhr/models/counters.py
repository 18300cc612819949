"""Counters claimed with one conditional UPDATE, so simultaneous requests never share a number."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db


class ReferenceCounter(db.Model):
    """The last review reference number handed out for a CSP in a year."""

    __tablename__ = "reference_counters"
    csp_id: Mapped[int] = mapped_column(ForeignKey("csps.id", ondelete="CASCADE"),
                                        primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
