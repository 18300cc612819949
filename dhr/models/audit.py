"""The append-only audit history: every change to anything, and every review transition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from dhr.extensions import db
from dhr.models.types import JsonType, TZDateTime, utcnow
from dhr.models.users import User


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    actor: Mapped[User | None] = relationship()


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise PermissionError(f"audit entry {target.id} is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewriting(state: ORMExecuteState) -> None:
    """`update(AuditEntry)` and `delete(AuditEntry)` bypass the per-object hooks above."""
    if (state.is_update or state.is_delete) and any(
            mapper.class_ is AuditEntry for mapper in state.all_mappers):
        raise PermissionError("audit entries are append-only")
