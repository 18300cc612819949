"""Two people acting on the same review at once: exactly one wins, the other is told the
review moved on. And the engine leaves committing to its caller."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from dhr.errors import Stale
from dhr.extensions import db
from dhr.models import AuditEntry, Review
from dhr.workflow.engine import send_event
from tests.conftest import Api
from tests.support.workflow import valid_data


def _events(review_id: int) -> int:
    return db.session.query(AuditEntry).filter(AuditEntry.review_id == review_id,
                                               AuditEntry.action.like("event.%")).count()


def test_two_simultaneous_transitions_one_wins_one_conflict(app, make_user, make_review):
    review = make_review()
    people = [make_user("csp_manager", csps=["Dacorum"]) for _ in range(2)]
    apis = [Api(app.test_client(), person) for person in people]  # one client each
    review_id, version = review.id, review.lock_version
    db.session.remove()  # the test's own session holds nothing while the threads run
    barrier = threading.Barrier(2, timeout=30)
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def act(api: Api) -> None:
        try:
            barrier.wait()
            response = api.post(f"/reviews/{review_id}/transitions", {
                "event": "decide_to_review", "data": valid_data("decide_to_review"),
                "expected_version": version})
            results.append((response.status_code, response.json))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=act, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    [loser] = [body for status, body in results if status == 409]
    assert loser["error"]["code"] == "conflict"
    assert loser["error"]["message"] == "the review has moved on: re-read and retry"
    fresh = db.session.get(Review, review_id)
    assert (fresh.state, fresh.lock_version) == ("chair_appointment", version + 1)
    assert _events(review_id) == 1


def test_the_update_only_applies_to_the_version_read(app, make_user, make_review):
    """Someone else's change lands between our read and our write: the conditional UPDATE
    matches no row, Stale is raised and nothing of ours is written."""
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = make_review()
    assert review.lock_version == 1  # read by this session
    with db.engine.begin() as other:  # another person's transaction commits meanwhile
        other.execute(text("UPDATE reviews SET lock_version = lock_version + 1 "
                           "WHERE id = :id"), {"id": review.id})
    with pytest.raises(Stale):
        send_event(review, manager, "decide_to_review", valid_data("decide_to_review"))
    db.session.rollback()
    fresh = db.session.get(Review, review.id)
    assert (fresh.state, fresh.lock_version) == ("notified", 2)
    assert _events(review.id) == 0


def test_a_client_with_an_old_version_is_told_to_re_read(api_as, make_review):
    review = make_review()
    api = api_as("csp_manager", csps=["Dacorum"])
    body = api.get(f"/reviews/{review.id}").json
    api.patch(f"/reviews/{review.id}", {"victim_pseudonym": "Ruth"})  # bumps the version
    response = api.post(f"/reviews/{review.id}/transitions", {
        "event": "decide_to_review", "data": valid_data("decide_to_review"),
        "expected_version": body["lock_version"]})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    current = api.get(f"/reviews/{review.id}/transitions").json["lock_version"]
    retried = api.post(f"/reviews/{review.id}/transitions", {
        "event": "decide_to_review", "data": valid_data("decide_to_review"),
        "expected_version": current})
    assert retried.status_code == 200, retried.json


def test_the_engine_never_commits(make_user, make_review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = make_review()
    send_event(review, manager, "decide_to_review", valid_data("decide_to_review"))
    assert review.state == "chair_appointment"  # as the caller's transaction sees it
    db.session.rollback()
    fresh = db.session.get(Review, review.id)
    assert fresh.state == "notified" and _events(review.id) == 0
