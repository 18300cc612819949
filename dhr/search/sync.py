"""Keeping the index fresh without any workflow code asking for it.

SQLAlchemy session events note which reviews a flush touched (the review itself, its
documents and versions, its recommendations and their progress, and any audit entry about
it: lifecycle transitions change the review with a plain UPDATE, but every change is
audited). After the outermost commit, one index job per review is queued; a rollback drops
them. The job re-reads the review from the database and replaces its items, so running it
twice, late, or out of order leaves the same index.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from dhr.audit import READ_ACTIONS
from dhr.jobs import enqueue
from dhr.models import AuditEntry, Document, DocumentVersion, Review
from dhr.search.service import reindex_review
from learning.models import Recommendation, RecommendationUpdate

_KEY = "dhr_search_reviews"


@shared_task(name="dhr.search.reindex_review", ignore_result=True)
def reindex_review_task(review_id: int) -> None:
    reindex_review(review_id)


def _review_id(session: Session, obj: Any) -> int | None:
    if isinstance(obj, Review):
        return obj.id
    if isinstance(obj, AuditEntry) and obj.action in READ_ACTIONS:
        return None  # somebody read the review: nothing in it changed
    if isinstance(obj, Document | Recommendation | AuditEntry):
        return obj.review_id
    if isinstance(obj, DocumentVersion):
        document = obj.document or session.get(Document, obj.document_id)
        return document.review_id if document is not None else None
    if isinstance(obj, RecommendationUpdate):
        parent = obj.recommendation or session.get(Recommendation, obj.recommendation_id)
        return parent.review_id if parent is not None else None
    return None


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    touched = session.info.setdefault(_KEY, set())
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            review_id = _review_id(session, obj)
            if review_id is not None:
                touched.add(review_id)


@event.listens_for(Session, "after_commit")
def _queue_jobs(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the real commit is to come
        return
    for review_id in sorted(session.info.pop(_KEY, ())):
        enqueue(reindex_review_task, review_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """A real rollback undoes the changes noted; a savepoint's keeps them (re-indexing a
    review that did not change after all is harmless)."""
    if not session.in_transaction():
        session.info.pop(_KEY, None)
