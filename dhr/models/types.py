"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Enum
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL, JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def TZDateTime() -> DateTime:
    return DateTime(timezone=True)


def StrEnum(*values: str, name: str) -> Enum:
    """A VARCHAR column limited to `values` by a CHECK constraint (portable, easy to extend)."""
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=40)
