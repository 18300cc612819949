"""A Domestic Homicide Review and the facts recorded about it (DOMAIN.md section 4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.org import Csp
from dhr.models.pool import PoolMember
from dhr.models.states import PUBLISHED_STATES, STATES
from dhr.models.types import JsonType, StrEnum, TZDateTime, utcnow

DEATH_TYPES = (
    "intimate_partner_homicide",
    "adult_family_homicide",
    "homicide_suicide",
    "suspected_victim_suicide",
    "unexpected_death",
    "other",
)
REVIEW_TYPES = ("full", "proportionate")
FAMILY_CONTACT = ("made", "declined", "not_possible")
HO_OUTCOMES = ("approved", "approved_subject_to_amendments", "resubmit")
DEFAULT_LEGAL_BASIS = "s.9 Domestic Violence, Crime and Victims Act 2004"


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("notification_date >= date_of_death", name="notified_after_death"),
        CheckConstraint("deceased_16_plus >= 1", name="at_least_one_deceased"),
        CheckConstraint("children_under_16 >= 0", name="children_not_negative"),
        CheckConstraint("paused_days >= 0", name="paused_days_not_negative"),
        CheckConstraint("NOT is_paused OR paused_since_date IS NOT NULL",
                        name="paused_has_start"),
        CheckConstraint("NOT is_withheld OR state IN ('published', 'closed')",
                        name="withheld_only_when_published"),
        # The lists: newest first (the default order) and the overdue filter.
        Index("ix_reviews_notified_id", "notification_date", "id"),
        Index("ix_reviews_state_decision_due", "state", "decision_due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    csp_id: Mapped[int] = mapped_column(ForeignKey("csps.id"), index=True)
    contributing_csps: Mapped[list[str]] = mapped_column(JsonType, default=list)
    review_type: Mapped[str] = mapped_column(StrEnum(*REVIEW_TYPES, name="review_type"))
    legal_basis: Mapped[str] = mapped_column(String(200), default=DEFAULT_LEGAL_BASIS)
    death_type: Mapped[str] = mapped_column(StrEnum(*DEATH_TYPES, name="death_type"))
    date_of_death: Mapped[date] = mapped_column(index=True)
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
    report_writer_id: Mapped[int | None] = mapped_column(ForeignKey("pool_members.id"),
                                                         index=True)

    # Due dates stored so that lists filter, sort and count in SQL. Kept current from the
    # columns above by dhr.workflow.clocks (on every flush); never set them by hand.
    decision_due_date: Mapped[date]
    statutory_due_date: Mapped[date | None]
    adjusted_due_date: Mapped[date | None] = mapped_column(index=True)
    next_due_date: Mapped[date | None]

    # Facts recorded by the lifecycle events (DOMAIN.md section 2); the audit history keeps
    # every event's data, these hold the latest value for pages, guards and reports.
    pause_expected_end_date: Mapped[date | None]
    no_review_letter_date: Mapped[date | None]
    chair_appointed_date: Mapped[date | None]
    tor_agreed_date: Mapped[date | None]
    panel_agencies: Mapped[list[str]] = mapped_column(JsonType, default=list)
    family_contact: Mapped[str | None] = mapped_column(
        StrEnum(*FAMILY_CONTACT, name="family_contact"))
    family_contact_note: Mapped[str | None] = mapped_column(Text)
    information_completed_date: Mapped[date | None]
    local_qa_submitted_date: Mapped[date | None]
    is_family_consulted_on_draft: Mapped[bool | None]
    family_draft_note: Mapped[str | None] = mapped_column(Text)
    local_qa_returned_date: Mapped[date | None]
    local_qa_return_comments: Mapped[str | None] = mapped_column(Text)
    local_qa_approved_date: Mapped[date | None]
    local_qa_approval_comments: Mapped[str | None] = mapped_column(Text)
    csp_signoff_date: Mapped[date | None]
    ho_outcome: Mapped[str | None] = mapped_column(StrEnum(*HO_OUTCOMES, name="ho_outcome"))
    ho_letter_date: Mapped[date | None]
    # Latest version numbers of the reports when the Home Office outcome was recorded, so
    # complete_amendments can tell that the report was revised since.
    ho_outcome_versions: Mapped[dict[str, int] | None] = mapped_column(JsonType)
    amendments_completed_date: Mapped[date | None]
    dac_copy_sent_date: Mapped[date | None]
    withheld_date: Mapped[date | None]
    withheld_reason: Mapped[str | None] = mapped_column(Text)
    closed_date: Mapped[date | None]
    withdrawn_date: Mapped[date | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

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
