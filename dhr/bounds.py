"""The whole numbers the databases hold, for checking input before it reaches a query.

Ids, versions and counts are INTEGER columns: PostgreSQL raises on anything beyond
2**31 - 1 and the SQLite driver on anything beyond 2**63 - 1, so a larger number typed into
a form, a query string, a URL or a JSON body must be refused before it is used.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
OUT_OF_RANGE = f"must be a whole number from {DB_INT_MIN} to {DB_INT_MAX}"

# For pydantic models: a whole number any INTEGER column can hold.
DbInt = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]


def fits_db_int(value: int | float) -> bool:
    return DB_INT_MIN <= value <= DB_INT_MAX


def positive_id(raw: object) -> int | None:
    """An id typed or sent as text ("12"), or None when it is not one the database could
    hold (empty, "abc", "-1", "1e20", 10**18): such an id matches nothing."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(DB_INT_MAX)):
        return None
    value = int(text)
    return value if 0 < value <= DB_INT_MAX else None


NO_SUCH_VERSION = -1  # lock and document versions start at 0 or 1


def form_version(raw: object) -> int | None:
    """The version a form was filled in against (a hidden field): None when the form sent
    none; a version no row has when it is not one (tampered with, or out of range), so the
    change is refused as made against a stale copy instead of being applied unchecked."""
    if raw is None or not str(raw).strip():
        return None
    if str(raw).strip() == "0":
        return 0
    return positive_id(raw) or NO_SUCH_VERSION
