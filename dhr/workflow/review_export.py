"""Everything held about one review, for a subject access or a legal request: the review's
row, every row that points at it (and every row pointing at those), and the uploaded files.

Tables are found by their foreign keys, so a table added later is exported without a change
here (tests/security/test_data_protection.py checks that every table pointing at reviews is
covered).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select

from dhr.audit import record
from dhr.extensions import db
from dhr.models import Document, DocumentVersion, Review, User
from dhr.workflow.documents import stored_path


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(table: Table, condition) -> list[dict[str, Any]]:
    result = db.session.execute(select(table).where(condition).order_by(*table.primary_key))
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in result]


def _pointing_at(target: Table) -> list[tuple[Table, Any]]:
    """(table, column) for every foreign key column that refers to `target`."""
    found = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is target and table is not target:
                found.append((table, fk.parent))
    return found


def review_record(review: Review) -> dict[str, Any]:
    """{"review": row, "related": {table: [rows]}} for one review, two levels deep."""
    reviews = Review.__table__
    related: dict[str, list[dict[str, Any]]] = {}
    for table, column in _pointing_at(reviews):
        rows = _rows(table, column == review.id)
        related.setdefault(table.name, []).extend(rows)
        ids = [row["id"] for row in rows if "id" in row]
        for child, child_column in _pointing_at(table) if ids else []:
            if child is not reviews:
                related.setdefault(child.name, []).extend(_rows(child, child_column.in_(ids)))
    return {"review": _rows(reviews, reviews.c.id == review.id)[0],
            "related": {name: rows for name, rows in sorted(related.items()) if rows}}


def export_review(review: Review, actor: User | None) -> bytes:
    """A zip: review.json (the record) and files/ (each uploaded file under its stored
    name, listed in document_versions). The export itself is audited."""
    data = review_record(review)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("review.json", json.dumps(data, indent=1, ensure_ascii=False))
        versions = db.session.scalars(
            select(DocumentVersion).join(Document)
            .where(Document.review_id == review.id, DocumentVersion.stored_name.is_not(None)))
        for version in versions:
            path = stored_path(version)
            if path.is_file():
                archive.write(path, f"files/{version.stored_name}")
    record("review.exported", review, actor, {"bytes": buffer.tell()}, review_id=review.id)
    return buffer.getvalue()
