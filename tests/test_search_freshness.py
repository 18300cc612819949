"""The database is the truth and the index a cache: kept fresh after each commit, rebuilt
without ever serving half an index, and checked for drift."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from search_support import Corpus, build_corpus, search_as
from sqlalchemy import update

from dhr.audit import record
from dhr.extensions import db
from dhr.models import Review
from dhr.search import index as storage
from dhr.search import service
from dhr.search.documents import Labels, items_for_review
from dhr.search.sync import reindex_review_task
from dhr.workflow.documents import save_markdown
from learning.models import Recommendation
from learning.recommendations import add_progress, create_recommendation


@pytest.fixture
def corpus(make_review, make_user) -> Corpus:
    return build_corpus(make_review, make_user)


def test_a_change_is_searchable_right_after_commit(make_review, make_user):
    admin, practitioner = make_user("admin"), make_user("practitioner")
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = make_review(csp="Dacorum")
    review.state = "drafting"
    db.session.commit()
    save_markdown(review, "executive_summary", "## Learning\n\nThe tenancy warden noticed.",
                  admin)
    assert search_as(admin, "warden").total == 0  # not committed yet
    db.session.commit()
    assert search_as(admin, "warden").total == 1
    assert search_as(practitioner, "warden").total == 0

    item = create_recommendation(review, admin, {
        "number": "1", "text": "Wardens to report concerns.", "level": "local",
        "agency": "housing"})
    db.session.commit()
    review.state = "published"
    db.session.commit()
    assert search_as(practitioner, "warden").total == 2

    add_progress(item, admin, {"impact": "Briefing given to every warden in the borough."})
    db.session.commit()
    assert search_as(manager, "borough").total == 1


def test_a_rolled_back_change_is_never_indexed(make_review, make_user):
    admin = make_user("admin")
    review = make_review()
    save_markdown(review, "overview_report", "The kiosk attendant saw them.", admin)
    db.session.rollback()
    db.session.commit()
    assert search_as(admin, "kiosk").total == 0


def test_a_lifecycle_transition_reaches_the_index(corpus, make_user):
    """Transitions change the review with a plain UPDATE; the audit entry tells search."""
    practitioner = make_user("practitioner")
    db.session.execute(update(Review).where(Review.id == corpus.unpublished.id)
                       .values(state="published"))
    record("event.publish", corpus.unpublished, None, review_id=corpus.unpublished.id)
    db.session.commit()
    assert search_as(practitioner, "quillwort").total == 1


def test_the_index_job_can_run_twice(corpus, make_user):
    admin = make_user("admin")
    before = search_as(admin, "").total
    reindex_review_task.apply(args=(corpus.published.id,), throw=True)
    reindex_review_task.apply(args=(corpus.published.id,), throw=True)
    assert search_as(admin, "").total == before
    assert service.check().clean


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


def test_check_finds_and_repairs_drift(app, corpus, make_user):
    admin = make_user("admin")
    backend = service.backend()
    backend.replace_review(corpus.withheld.id, [], "")  # missing
    db.session.execute(update(Recommendation).where(Recommendation.review_id ==
                                                    corpus.unpublished.id)
                       .values(text="Rewritten behind the index's back: lighthouse."))
    db.session.commit()  # stale: a plain UPDATE with no audit entry
    ghost = items_for_review(corpus.published, Labels.load())
    for item in ghost:
        item.review_id, item.doc_id = 999, item.doc_id + ":ghost"
    backend.replace_review(999, ghost, "x")  # extra

    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1 ({corpus.withheld.id})" in result.output
    assert f"stale: 1 ({corpus.unpublished.id})" in result.output
    assert "extra: 1 (999)" in result.output
    assert search_as(admin, "lighthouse").total == 0

    repaired = runner.invoke(args=["search", "check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired." in repaired.output
    assert runner.invoke(args=["search", "check"]).output.strip() == (
        "The index matches the database.")
    assert search_as(admin, "lighthouse").total == 1


def test_rebuild_command_and_health(app, corpus, client, make_user):
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt." in result.output
    assert search_as(make_user("practitioner"), "stalking").total > 0
    assert client.get("/api/v1/health").get_json()["search"] == "ok"


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
