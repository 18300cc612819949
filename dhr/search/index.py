"""The Whoosh index on disk. The database is the truth; the index is a cache of it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from whoosh import index
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

SCHEMA = Schema(
    doc_id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    review_id=NUMERIC(stored=True),
    recommendation_id=NUMERIC(stored=True),
    title=TEXT(stored=True),
    body=TEXT(stored=True),
    csp=KEYWORD(stored=True, commas=True),
    year=NUMERIC(stored=True),
    theme=KEYWORD(stored=True, commas=True),
    agency=KEYWORD(stored=True, commas=True),
    death_type=ID(stored=True),
    published=DATETIME(stored=True),
    url=STORED(),
)


def index_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "search-index"


def ensure_index() -> None:
    """Create an empty index if there is none."""
    path = index_dir()
    path.mkdir(parents=True, exist_ok=True)
    if not index.exists_in(path):
        index.create_in(path, SCHEMA)


def search_status() -> str:
    try:
        ix = index.open_dir(index_dir())
    except (OSError, index.EmptyIndexError):
        return "degraded"
    ix.close()
    return "ok"
