"""The Whoosh index on disk: a rebuild swaps in a whole new generation, and concurrent first
requests agree on one index. (What every backend must do, the index following the database
included, is in test_search_contract.py.)"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dhr.search import index as storage
from dhr.search import service
from dhr.search.documents import items_for_review
from tests.support.search import Corpus, build_corpus, search_as


@pytest.fixture
def corpus(make_review, make_user) -> Corpus:
    return build_corpus(make_review, make_user)


def test_a_crash_mid_rebuild_leaves_the_old_index_serving(corpus, make_user, monkeypatch):
    admin = make_user("admin")
    before = search_as(admin, "")
    served = storage.current_dir()
    calls = {"n": 0}

    def failing(review, labels):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the machine fell over")
        return items_for_review(review, labels)

    monkeypatch.setattr(service, "items_for_review", failing)
    with pytest.raises(RuntimeError):
        service.rebuild()
    assert storage.current_dir() == served
    after = search_as(admin, "")
    assert (after.total, after.facets) == (before.total, before.facets)

    monkeypatch.undo()
    assert service.rebuild().clean
    assert storage.current_dir() != served
    assert search_as(admin, "").total == before.total


def test_requests_that_all_find_no_index_agree_on_one(app):
    """The first requests after start-up each find no index: they must not each make one and
    delete another's under its reader (seen as failed notifications when four clients
    posted at once)."""
    assert storage.current_dir() is None
    barrier = threading.Barrier(6, timeout=30)
    opened, errors = [], []

    def first_request() -> None:
        with app.app_context():
            try:
                barrier.wait()
                ix = storage.open_index()
                opened.append(Path(ix.storage.folder).name)
                ix.close()
            except Exception as exc:  # reported below, not lost in the thread
                errors.append(exc)

    threads = [threading.Thread(target=first_request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(opened) == 6 and len(set(opened)) == 1
    assert [p.name for p in storage.index_root().glob("gen-*")] == opened[:1]
