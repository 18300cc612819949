"""The organisation tree (area -> CSPs) and the controlled vocabularies."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db


class Area(db.Model):
    """A county or unitary area whose DHR sub-group oversees its CSPs' reviews."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    csps: Mapped[list[Csp]] = relationship(back_populates="area", order_by="Csp.name")


class Csp(db.Model):
    """A Community Safety Partnership: decides on, commissions and owns reviews."""

    __tablename__ = "csps"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    area: Mapped[Area] = relationship(back_populates="csps")


class VocabularyTerm(db.Model):
    """A term of a controlled vocabulary: agency, risk_factor or theme."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
