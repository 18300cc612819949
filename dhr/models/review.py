"""A Domestic Homicide Review and the facts recorded about it (DOMAIN.md section 4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.org import Csp
from dhr.models.pool import PoolMember
from dhr.models.types import JsonType, StrEnum, TZDateTime, utcnow
from dhr.workflow.states import PUBLISHED_STATES, STATES

DEATH_TYPES = (
    "intimate_partner_homicide",
    "adult_family_homicide",
    "homicide_suicide",
    "suspected_victim_suicide",
    "unexpected_death",
    "other",
)
REVIEW_TYPES = ("full", "proportionate")
DEFAULT_LEGAL_BASIS = "s.9 Domestic Violence, Crime and Victims Act 2004"


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("notification_date >= date_of_death", name="notified_after_death"),
        CheckConstraint("deceased_16_plus >= 1", name="at_least_one_deceased"),
        CheckConstraint("children_under_16 >= 0", name="children_not_negative"),
        CheckConstraint("paused_days >= 0", name="paused_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    csp_id: Mapped[int] = mapped_column(ForeignKey("csps.id"), index=True)
    contributing_csps: Mapped[list[str]] = mapped_column(JsonType, default=list)
    review_type: Mapped[str] = mapped_column(StrEnum(*REVIEW_TYPES, name="review_type"))
    legal_basis: Mapped[str] = mapped_column(String(200), default=DEFAULT_LEGAL_BASIS)
    death_type: Mapped[str] = mapped_column(StrEnum(*DEATH_TYPES, name="death_type"))
    date_of_death: Mapped[date]
    notification_date: Mapped[date]
    deceased_16_plus: Mapped[int] = mapped_column(default=1)
    children_under_16: Mapped[int] = mapped_column(default=0)
    victim_pseudonym: Mapped[str] = mapped_column(String(120))
    identifying_terms: Mapped[list[str]] = mapped_column(JsonType, default=list)
    agencies: Mapped[list[str]] = mapped_column(JsonType, default=list)

    # Lifecycle. Only dhr.workflow changes these.
    state: Mapped[str] = mapped_column(StrEnum(*STATES, name="review_state"), default="notified")
    lock_version: Mapped[int] = mapped_column(default=1)
    is_directed: Mapped[bool] = mapped_column(default=False)
    is_paused: Mapped[bool] = mapped_column(default=False)
    pause_reason: Mapped[str | None] = mapped_column(String(40))
    paused_since_date: Mapped[date | None]
    paused_days: Mapped[int] = mapped_column(default=0)
    is_withheld: Mapped[bool] = mapped_column(default=False)
    resubmissions: Mapped[int] = mapped_column(default=0)
    decision_date: Mapped[date | None]
    decision_rationale: Mapped[str | None] = mapped_column(Text)
    ho_informed_date: Mapped[date | None]
    direction_date: Mapped[date | None]
    submitted_date: Mapped[date | None]
    published_date: Mapped[date | None]
    published_url: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("pool_members.id"), index=True)
    report_writer_id: Mapped[int | None] = mapped_column(ForeignKey("pool_members.id"))

    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    csp: Mapped[Csp] = relationship()
    chair: Mapped[PoolMember | None] = relationship(foreign_keys=[chair_id])
    report_writer: Mapped[PoolMember | None] = relationship(foreign_keys=[report_writer_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.state == "withdrawn"

    @property
    def is_published(self) -> bool:
        """Published and not withheld: the only reviews practitioners may read."""
        return self.state in PUBLISHED_STATES and not self.is_withheld
