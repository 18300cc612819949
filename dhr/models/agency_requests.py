"""Requests to agencies for an IMR, a chronology or a short report (DOMAIN.md, sub-lifecycles)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.org import VocabularyTerm
from dhr.models.types import StrEnum, TZDateTime, utcnow
from dhr.models.users import User

if TYPE_CHECKING:
    from dhr.models.review import Review

AGENCY_REQUEST_KINDS = ("imr", "chronology", "short_report")
AGENCY_REQUEST_KIND_LABELS = {
    "imr": "Individual management review (IMR)",
    "chronology": "Chronology",
    "short_report": "Short report",
}
AGENCY_REQUEST_STATES = ("requested", "submitted", "returned", "accepted", "waived")
# Still waiting for the agency to send something in.
AWAITING_STATES = frozenset({"requested", "returned"})


class AgencyRequest(db.Model):
    __tablename__ = "agency_requests"
    __table_args__ = (
        UniqueConstraint("review_id", "agency", "kind"),
        CheckConstraint("due_date >= requested_date", name="due_after_requested"),
        CheckConstraint("state != 'submitted' OR submitted_date IS NOT NULL",
                        name="submitted_has_date"),
        CheckConstraint("state != 'returned' OR (returned_date IS NOT NULL"
                        " AND return_comments IS NOT NULL)", name="returned_has_comments"),
        CheckConstraint("state != 'accepted' OR accepted_date IS NOT NULL",
                        name="accepted_has_date"),
        CheckConstraint("state != 'waived' OR (waived_date IS NOT NULL"
                        " AND waive_reason IS NOT NULL)", name="waived_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    agency: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(StrEnum(*AGENCY_REQUEST_KINDS, name="agency_request_kind"))
    state: Mapped[str] = mapped_column(
        StrEnum(*AGENCY_REQUEST_STATES, name="agency_request_state"), default="requested"
    )
    lock_version: Mapped[int] = mapped_column(default=1)
    requested_date: Mapped[date]
    due_date: Mapped[date]
    submitted_date: Mapped[date | None]
    returned_date: Mapped[date | None]
    accepted_date: Mapped[date | None]
    waived_date: Mapped[date | None]
    return_comments: Mapped[str | None] = mapped_column(Text)
    waive_reason: Mapped[str | None] = mapped_column(Text)
    # A named person at the agency (who may have no account): chasing e-mails go to them.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Set by the chasing job when it claims a reminder (a conditional UPDATE).
    last_chased_date: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()
    review: Mapped[Review] = relationship()
    files: Mapped[list[AgencyRequestFile]] = relationship(order_by="AgencyRequestFile.id")

    @property
    def agency_label(self) -> str:
        label = db.session.scalar(
            select(VocabularyTerm.label).where(
                VocabularyTerm.vocabulary == "agency", VocabularyTerm.code == self.agency
            )
        )
        return label or self.agency

    @property
    def kind_label(self) -> str:
        return AGENCY_REQUEST_KIND_LABELS[self.kind]

    def overdue_on(self, today: date) -> bool:
        """Past its due date and nothing (acceptable) submitted yet."""
        return self.state in AWAITING_STATES and today > self.due_date

    @property
    def is_overdue(self) -> bool:
        return self.overdue_on(date.today())


class AgencyRequestFile(db.Model):
    """The IMR, chronology or short report an agency sent, attached when the request is
    recorded as submitted (a request sent back and submitted again may have several).

    Stored as the review's uploaded documents are (dhr.workflow.documents.store_upload): a
    random name under DATA_DIR/uploads, never the uploader's file name or a path."""

    __tablename__ = "agency_request_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("agency_requests.id"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
