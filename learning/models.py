"""Recommendations of a review and their append-only progress log (DOMAIN.md section 2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.review import Review
from dhr.models.types import StrEnum, TZDateTime, utcnow
from dhr.models.users import User

LEVELS = ("local", "regional", "national")
STATUSES = ("open", "completed", "closed")
CLOSED_REASONS = ("not_accepted", "superseded", "escalated")
CLOSED_REASON_LABELS = {
    "not_accepted": "Not accepted",
    "superseded": "Superseded",
    "escalated": "Escalated",
}


class Recommendation(db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("review_id", "number"),
        CheckConstraint(
            "(status = 'open' AND completed_date IS NULL AND closed_reason IS NULL)"
            " OR (status = 'completed' AND completed_date IS NOT NULL AND closed_reason IS NULL)"
            " OR (status = 'closed' AND closed_reason IS NOT NULL AND closed_date IS NOT NULL)",
            name="status_fields",
        ),
        # Covers the tracker's filters, counts and order, so they never read the table rows.
        Index("ix_recommendations_tracker", "review_id", "status", "due_date", "agency",
              "level", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(StrEnum(*LEVELS, name="recommendation_level"))
    agency: Mapped[str] = mapped_column(String(120), index=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(
        StrEnum(*STATUSES, name="recommendation_status"), default="open", index=True
    )
    completed_date: Mapped[date | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(
        StrEnum(*CLOSED_REASONS, name="recommendation_closed_reason")
    )
    closed_note: Mapped[str | None] = mapped_column(Text)
    closed_date: Mapped[date | None]
    lock_version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship()
    theme_rows: Mapped[list[RecommendationTheme]] = relationship(
        order_by="RecommendationTheme.position", collection_class=ordering_list("position"),
        cascade="all, delete-orphan", lazy="selectin",
    )
    # The list of theme codes, read and assigned like the JSON list it replaced; the rows
    # behind it let a filter or count by theme be one indexed query.
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "code", creator=lambda code: RecommendationTheme(code=code))
    updates: Mapped[list[RecommendationUpdate]] = relationship(
        back_populates="recommendation",
        order_by="(RecommendationUpdate.update_date, RecommendationUpdate.id)",
    )

    def overdue_on(self, today: date) -> bool:
        return self.status == "open" and self.due_date is not None and today > self.due_date

    @property
    def is_overdue(self) -> bool:
        return self.overdue_on(date.today())

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """'2.10' after '2.9': compare the dotted parts as numbers where they are numbers."""
        parts = self.number.replace("-", ".").split(".")
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


class RecommendationTheme(db.Model):
    """One learning theme (a code of the `theme` vocabulary) of a recommendation."""

    __tablename__ = "recommendation_themes"
    __table_args__ = (Index("ix_recommendation_themes_code", "code", "recommendation_id"),)

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(120), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


def recommendations_for(review: Review) -> list[Recommendation]:
    """The review's recommendations in number order ('2.9' before '2.10'): a query of the
    model layer, so the workflow's guards can read them without importing learning's
    operations."""
    found = db.session.scalars(select(Recommendation).where(Recommendation.review_id == review.id))
    return sorted(found, key=lambda r: r.sort_key)


class RecommendationUpdate(db.Model):
    """A dated 'impact of actions taken' entry. Appended, never changed or deleted."""

    __tablename__ = "recommendation_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    update_date: Mapped[date]
    impact: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()


@event.listens_for(RecommendationUpdate, "before_update")
@event.listens_for(RecommendationUpdate, "before_delete")
def _refuse_rewriting_progress(_mapper: Any, _connection: Any,
                               target: RecommendationUpdate) -> None:
    raise PermissionError(f"progress entry {target.id} is append-only")
