"""Writing the audit history. Every operation that changes data calls record()."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from dhr.extensions import db
from dhr.models import AuditEntry, Review, User

# Entries of reading (dhr.read_audit): who opened what and who was refused. They belong to the
# audit page, not to a review's history of what happened to it.
READ_ACTIONS = ("review.viewed", "document.downloaded", "identifying_terms.viewed",
                "review.refused")


def record(
    action: str,
    obj: Any,
    actor: User | None,
    data: dict[str, Any] | None = None,
    *,
    review_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
) -> AuditEntry:
    """Append an audit entry for `obj` (flushes so `obj` has an id)."""
    db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=obj.__tablename__,
        object_id=obj.id,
        review_id=review_id,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
    )
    db.session.add(entry)
    return entry


def review_history(review: Review) -> list[AuditEntry]:
    """Everything recorded about a review, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.review_id == review.id,
                                     AuditEntry.action.not_in(READ_ACTIONS))
            .order_by(AuditEntry.id)
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows by; every part optional."""

    actor: str = ""  # part of the actor's e-mail or name
    action: str = ""
    reference: str = ""
    since: date | None = None
    until: date | None = None


def _filtered(filters: AuditFilter) -> Select:
    query = select(AuditEntry).outerjoin(User, User.id == AuditEntry.actor_id).outerjoin(
        Review, Review.id == AuditEntry.review_id)
    if filters.actor:
        pattern = f"%{filters.actor.lower()}%"
        query = query.where(func.lower(User.email).like(pattern)
                            | func.lower(User.name).like(pattern))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.reference:
        query = query.where(Review.reference == filters.reference.strip().upper())
    if filters.since:
        query = query.where(AuditEntry.at_dt >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.at_dt < end)
    return query


def count_entries(filters: AuditFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(_filtered(filters).subquery()))


def find_entries(filters: AuditFilter, offset: int = 0,
                 limit: int | None = None) -> Iterator[tuple[AuditEntry, str | None]]:
    """(entry, review reference) newest first; streamed (yield_per) so an export of a year
    does not fill memory."""
    query = (_filtered(filters).add_columns(Review.reference)
             .options(joinedload(AuditEntry.actor))
             .order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
             .execution_options(yield_per=500))
    return iter(db.session.execute(query).tuples())


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(
        AuditEntry.action)))
