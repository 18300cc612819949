"""A review's documents (terms of reference, reports, letters), each kept as numbered versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import StrEnum, TZDateTime, utcnow
from dhr.models.users import User

DOCUMENT_KINDS = (
    "terms_of_reference",
    "overview_report",
    "executive_summary",
    "action_plan",
    "ho_letter",
)
DOCUMENT_LABELS = {
    "terms_of_reference": "Terms of reference",
    "overview_report": "Overview report",
    "executive_summary": "Executive summary",
    "action_plan": "Action plan",
    "ho_letter": "Home Office letter",
}
DOCUMENT_FORMATS = ("markdown", "file")


class Document(db.Model):
    """One document of a review; its text lives in the versions, newest last."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("review_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    kind: Mapped[str] = mapped_column(StrEnum(*DOCUMENT_KINDS, name="document_kind"))
    # Incremented with a single UPDATE for every new version, so two saves at once
    # are serialised by the row lock and never get the same number.
    latest_version: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.version"
    )

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self.kind]


class DocumentVersion(db.Model):
    """A saved version: Markdown text, or an uploaded PDF/DOCX stored under DATA_DIR/uploads."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "version"),
        CheckConstraint(
            "(format = 'markdown' AND body IS NOT NULL AND stored_name IS NULL)"
            " OR (format = 'file' AND body IS NULL AND stored_name IS NOT NULL"
            " AND sha256 IS NOT NULL AND original_filename IS NOT NULL"
            " AND content_type IS NOT NULL AND size_bytes IS NOT NULL)",
            name="format_fields",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int]
    format: Mapped[str] = mapped_column(StrEnum(*DOCUMENT_FORMATS, name="document_format"))
    body: Mapped[str | None] = mapped_column(Text)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None]
    # A random file name inside DATA_DIR/uploads (never the uploader's name, never a path).
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def is_file(self) -> bool:
        return self.format == "file"
