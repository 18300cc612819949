"""What the rest of the application asks of search: find, re-index a review, rebuild, check.

The backend is chosen here, by `DHR_SEARCH_URL`: unset, the embedded Whoosh index in the data
folder (one host); `database` or a PostgreSQL URL, PostgreSQL full-text search (several hosts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import current_app
from sqlalchemy import Engine, create_engine, func, select

from dhr.extensions import db
from dhr.models import Review, SearchDocument, SearchWord, User
from dhr.search.backend import (
    PUBLISHED_ONLY,
    Drift,
    SearchBackend,
    SearchRequest,
    SearchResults,
    scope_for,
)
from dhr.search.documents import Labels, fingerprint, items_for_review
from dhr.search.postgres_backend import PostgresBackend
from dhr.search.thesaurus import load_thesaurus
from dhr.search.whoosh_backend import WhooshBackend

_engines: dict[str, Engine] = {}


def backend() -> SearchBackend:
    url = current_app.config.get("SEARCH_URL") or ""
    if not url:
        return WhooshBackend()
    if url == "database":
        return PostgresBackend(db.engine)
    return PostgresBackend(_search_engine(url))


def _search_engine(url: str) -> Engine:
    """A search database of its own: one engine per process, its tables made on first use."""
    if url not in _engines:
        engine = create_engine(url, pool_pre_ping=True)
        with engine.begin() as connection:
            for table in (SearchDocument.__table__, SearchWord.__table__):
                table.create(connection, checkfirst=True)
        _engines[url] = engine
    return _engines[url]


def status() -> str:
    """'ok' when the backend can answer, else 'degraded' (for /health)."""
    return backend().status()


def search(user: User, request: SearchRequest) -> SearchResults:
    """Results for `user`: only what they may see is matched, counted and faceted."""
    return backend().search(request, scope_for(user), load_thesaurus())


def search_published(request: SearchRequest) -> SearchResults:
    """Results for someone not signed in (the public learning pages): exactly what a
    practitioner may match, never more."""
    return backend().search(request, PUBLISHED_ONLY, load_thesaurus())


def reindex_review(review_id: int) -> None:
    """Re-read the review from the database and replace what is indexed for it (idempotent;
    a review that no longer exists is removed)."""
    review = db.session.get(Review, review_id)
    if review is None:
        backend().replace_review(review_id, [], "")
        return
    items = items_for_review(review, Labels.load())
    digest = fingerprint(items)
    if backend().fingerprint(review_id) != digest:  # unchanged: no write (writes are slow)
        backend().replace_review(review_id, items, digest)


def _every_review(labels: Labels) -> Iterator[tuple[int, list, str]]:
    ids = db.session.scalars(select(Review.id).order_by(Review.id)).all()
    for review_id in ids:
        review = db.session.get(Review, review_id)
        if review is None:
            continue
        items = items_for_review(review, labels)
        yield review_id, items, fingerprint(items)


def review_count() -> int:
    return db.session.scalar(select(func.count(Review.id))) or 0


def rebuild(progress: Callable[[], None] = lambda: None) -> Drift:
    """Build a new index from the database and serve it once complete; then bring in any
    review changed while it was being built. Returns what that last step found."""
    backend().rebuild(_every_review(Labels.load()), progress)
    return repair(check())


def check() -> Drift:
    """Compare what the database would index with what is indexed."""
    indexed = backend().fingerprints()
    drift = Drift()
    seen = set()
    for review_id, _items, expected in _every_review(Labels.load()):
        seen.add(review_id)
        if review_id not in indexed:
            drift.missing.append(review_id)
        elif indexed[review_id] != expected:
            drift.stale.append(review_id)
    drift.extra = sorted(set(indexed) - seen)
    return drift


def repair(drift: Drift) -> Drift:
    for review_id in [*drift.missing, *drift.stale, *drift.extra]:
        reindex_review(review_id)
    return drift
