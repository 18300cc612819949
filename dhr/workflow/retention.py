"""Retention: which finished reviews are past the deployment's retention period, and
anonymising one of them so that nothing identifying is left while its statistics stay right.

What goes: the identifying terms, free-text notes that may name people, every document
version that was never published (IMRs, drafts, letters) and agency contacts. What stays: the
facts the annual table, the timeliness figures and the tracker count (CSP, dates, type,
counts, state), the published summary and report, the recommendations, which were published
with them, and the audit history, which is append-only and never copies identifying terms
(dhr/reviews.py); entries that still mention one are counted, for the operator to see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import and_, exists, func, select

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.errors import IllegalMove
from dhr.extensions import db
from dhr.identifying_terms import TermMatcher
from dhr.models import AgencyRequest, AuditEntry, Document, DocumentVersion, Review, User
from dhr.models.states import FINAL_STATES
from dhr.workflow.documents import stored_path
from dhr.workflow.review_items import PUBLISHED_DOCUMENT_KINDS

ANONYMISED = "review.anonymised"
REVIEW_NOTES = ("decision_rationale", "family_contact_note", "family_draft_note",
                "local_qa_return_comments", "local_qa_approval_comments", "withheld_reason",
                "withdrawn_reason")
REQUEST_NOTES = ("return_comments", "waive_reason", "contact_name", "contact_email")


@dataclass(frozen=True)
class Overdue:
    review: Review
    ended: date
    due: date


def _end_date():
    """The day a finished review ended, whichever way it ended."""
    return func.coalesce(Review.closed_date, Review.withdrawn_date,
                         Review.no_review_letter_date, Review.decision_date)


def _is_anonymised():
    return exists().where(AuditEntry.review_id == Review.id, AuditEntry.action == ANONYMISED)


def past_retention(today: date, years: int | None = None) -> list[Overdue]:
    """Finished reviews whose retention ran out before `today`, not yet anonymised."""
    years = current_app.config["RETENTION_YEARS"] if years is None else years
    cutoff = today - relativedelta(years=years)
    ended = _end_date()
    rows = db.session.execute(
        select(Review, ended).where(and_(Review.state.in_(FINAL_STATES), ended < cutoff,
                                         ~_is_anonymised()))
        .order_by(ended, Review.id))
    return [Overdue(review, end, end + relativedelta(years=years)) for review, end in rows]


def _kept(version: DocumentVersion, document: Document, review: Review) -> bool:
    """The published text stays: the latest version of a published kind."""
    return (review.is_published and document.kind in PUBLISHED_DOCUMENT_KINDS
            and version.version == document.latest_version)


def anonymise(review: Review, actor: User | None) -> dict[str, int]:
    """Remove what identifies people from a finished review (one transaction; the files go
    once it commits). Returns counts of what went, also written to the audit history."""
    if review.state not in FINAL_STATES:
        raise IllegalMove("Only a finished review (closed or withdrawn) can be anonymised.")
    matcher = TermMatcher(review.identifying_terms)
    removed = {"identifying_terms": len(review.identifying_terms), "notes": 0,
               "document_versions": 0, "files": 0}
    review.identifying_terms = []
    for name in REVIEW_NOTES:
        if getattr(review, name):
            setattr(review, name, None)
            removed["notes"] += 1
    for request in db.session.scalars(select(AgencyRequest).where(
            AgencyRequest.review_id == review.id)):
        for name in REQUEST_NOTES:
            if getattr(request, name):
                setattr(request, name, None)
                removed["notes"] += 1
    files: list[Path] = []
    for document in db.session.scalars(select(Document).where(Document.review_id == review.id)):
        for version in list(document.versions):
            if _kept(version, document, review):
                continue
            if version.stored_name:
                files.append(stored_path(version))
            db.session.delete(version)
            removed["document_versions"] += 1
        if not any(_kept(v, document, review) for v in document.versions):
            db.session.delete(document)
    removed["files"] = len(files)
    removed["audit_mentions"] = sum(
        1 for data in db.session.scalars(select(AuditEntry.data).where(
            AuditEntry.review_id == review.id))
        if matcher and matcher.found_in(json.dumps(data, ensure_ascii=False)))
    record(ANONYMISED, review, actor, removed, review_id=review.id)
    run_after_commit(db.session, _remove_files, files)
    return removed


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
