"""Two reviews appointing the last free place of the same chair at the same moment: exactly
one succeeds. Each thread has its own app context, so its own session and connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import PoolMember, Review
from dhr.workflow.allocation import reserve_capacity
from tests.support.concurrency import (
    ON_POSTGRES,
    TIMEOUT,
    hold_after_reserving,
    manager_tokens,
    run_threads,
    run_while_held,
)
from tests.support.pool import in_state, member


def last_place(make_review) -> tuple[int, str, list[int]]:
    """A chair with capacity 2 and one review already: one place left, two reviews want it."""
    chair = member(capacity=2)
    busy = in_state(make_review(csp="Watford"), "drafting", chair=chair)
    wanting = [in_state(make_review(csp="Dacorum"), "chair_appointment").id for _ in range(2)]
    return chair.id, busy.reference, wanting


def current_count(member_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Review.id)).where(
        Review.chair_id == member_id, Review.state == "chair_appointment"))


def appoint_in_own_session(app: Flask, member_id: int, review_id: int, results: dict,
                           before: Callable[[], Any], after_reserve: Callable[[], Any]
                           = lambda: None) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                chair = db.session.get(PoolMember, member_id)
                review = db.session.get(Review, review_id)
                before()
                reasons = reserve_capacity(chair, review)
                after_reserve()
                if reasons:
                    db.session.rollback()
                else:
                    review.chair_id = member_id
                    db.session.commit()
                results[review_id] = reasons
            except Exception as exc:  # reported by the assertions below
                results[review_id] = exc
    return run


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_reservations_let_exactly_one_through(app, make_review, attempt):
    member_id, busy, wanting = last_place(make_review)
    barrier = threading.Barrier(2)
    results: dict[int, Any] = {}
    run_threads([
        appoint_in_own_session(app, member_id, review_id, results,
                               before=lambda: barrier.wait(TIMEOUT))
        for review_id in wanting
    ])
    outcomes = [results[review_id] for review_id in wanting]
    assert sorted(map(len, outcomes)) == [0, 1], outcomes
    winner = wanting[outcomes.index([])]
    loser_reasons = next(o for o in outcomes if o)
    winner_ref = db.session.get(Review, winner).reference
    assert loser_reasons == [f"at capacity (2 of 2): {', '.join(sorted([busy, winner_ref]))}"]
    assert current_count(member_id) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="watches PostgreSQL's lock waits")
def test_the_second_appointment_waits_on_the_chairs_row_lock(app, make_review):
    """Proves the serialisation comes from the row lock: the second reservation is seen
    blocked in pg_stat_activity until the first transaction commits."""
    member_id, busy, (first, second) = last_place(make_review)
    reserved, release = threading.Event(), threading.Event()
    results: dict[int, Any] = {}

    run_first = appoint_in_own_session(
        app, member_id, first, results, before=lambda: None,
        after_reserve=lambda: (reserved.set(), release.wait(TIMEOUT)))
    run_second = appoint_in_own_session(
        app, member_id, second, results, before=lambda: reserved.wait(TIMEOUT))
    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    run_while_held(threads, release)
    first_ref = db.session.get(Review, first).reference
    assert results[first] == []
    assert results[second] == [f"at capacity (2 of 2): {', '.join(sorted([busy, first_ref]))}"]
    assert current_count(member_id) == 1


def appoint_over_api(app: Flask, token: str, member_id: int, review_id: int,
                     responses: dict, before: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        client = app.test_client()
        before()
        response = client.post(
            f"/api/v1/reviews/{review_id}/transitions",
            json={"event": "appoint_chair", "data": {"chair_id": member_id}},
            headers={"Authorization": f"Bearer {token}"})
        responses[review_id] = (response.status_code, response.get_json())
    return run


def assert_one_appointed(responses: dict, wanting: list[int]) -> None:
    statuses = sorted(status for status, _ in responses.values())
    assert statuses == [200, 422], responses
    loser = next(body for status, body in responses.values() if status == 422)
    assert loser["error"]["code"] == "guard_failed"
    assert any("at capacity (2 of 2)" in item for item in loser["error"]["details"]["missing"])
    db.session.expire_all()
    states = sorted(db.session.get(Review, review_id).state for review_id in wanting)
    assert states == ["chair_appointment", "panel_and_scope"]


def test_simultaneous_appoint_chair_events_through_the_api(app, make_review, make_user):
    """The same race driven through the lifecycle: POST /reviews/{id}/transitions."""
    member_id, _busy, wanting = last_place(make_review)
    tokens = manager_tokens(make_user)
    barrier = threading.Barrier(2)
    responses: dict[int, Any] = {}
    run_threads([
        appoint_over_api(app, token, member_id, review_id, responses,
                         before=lambda: barrier.wait(TIMEOUT))
        for token, review_id in zip(tokens, wanting, strict=True)
    ])
    assert_one_appointed(responses, wanting)


@pytest.mark.skipif(not ON_POSTGRES, reason="watches PostgreSQL's lock waits")
def test_appoint_chair_event_waits_for_the_other_on_the_row_lock(app, make_review, make_user,
                                                                 monkeypatch):
    """The first request is held just after its reservation; the second is seen waiting on
    the chair's row, and once the first commits it is refused with the reasons."""

    member_id, _busy, (first, second) = last_place(make_review)
    tokens = manager_tokens(make_user)
    reserved, release = hold_after_reserving(monkeypatch, first)
    responses: dict[int, Any] = {}
    threads = [
        threading.Thread(target=appoint_over_api(app, tokens[0], member_id, first, responses,
                                                 before=lambda: None)),
        threading.Thread(target=appoint_over_api(app, tokens[1], member_id, second,
                                                 responses,
                                                 before=lambda: reserved.wait(TIMEOUT))),
    ]
    run_while_held(threads, release)
    assert responses[first][0] == 200, responses
    assert_one_appointed(responses, [first, second])
