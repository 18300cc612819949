"""Writing the audit history. Every operation that changes data calls record()."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Review, User


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
            select(AuditEntry).where(AuditEntry.review_id == review.id).order_by(AuditEntry.id)
        )
    )
