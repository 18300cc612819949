"""Review references: notifications recorded at the same moment each get their own number
(no 500 from the unique reference), in order, in the format DHR-<CSP>-<year>-<nn>."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import ReferenceCounter, Review, User
from dhr.reviews import create_review, find_csp, next_reference
from tests.conftest import review_fields

ON_POSTGRES = bool(os.environ.get("DHR_TEST_DATABASE_URL"))
TIMEOUT = 60
CLIENTS = 4
EACH = 25


def body(**overrides: Any) -> dict[str, Any]:
    fields = review_fields(**overrides)
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}


def references(csp: str, year: int) -> list[str]:
    db.session.expire_all()
    prefix = f"DHR-{csp.upper()}-{year}-"
    return sorted(db.session.scalars(
        select(Review.reference).where(Review.reference.like(prefix + "%"))))


def run_clients(app, tokens: list[str], posts: int, payload: dict[str, Any]) -> list[tuple]:
    """Each token is one client on its own thread; all start together and post `posts`
    notifications one after another. Returns (status, body) of every answer."""
    barrier = threading.Barrier(len(tokens), timeout=TIMEOUT)
    answers: list[tuple] = []
    errors: list[BaseException] = []

    def client_run(token: str) -> None:
        client = app.test_client()
        try:
            barrier.wait()
            for _ in range(posts):
                response = client.post("/api/v1/reviews", json=payload,
                                        headers={"Authorization": f"Bearer {token}"})
                answers.append((response.status_code, response.get_json()))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=client_run, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    return answers


def manager_tokens(make_user, n: int) -> list[str]:
    """One user and token per client: a shared token's last-used update would serialise them."""
    tokens = [issue_token(make_user("csp_manager", csps=["Dacorum"])) for _ in range(n)]
    db.session.commit()
    return tokens


def test_simultaneous_notifications_each_get_their_own_reference(app, make_user):
    tokens = manager_tokens(make_user, CLIENTS)
    db.session.remove()  # the test's own session holds nothing while the clients run
    answers = run_clients(app, tokens, EACH, body(notification_date=date(2024, 2, 2)))
    statuses = [status for status, _ in answers]
    assert statuses == [201] * (CLIENTS * EACH), [a for a in answers if a[0] != 201][:3]
    given = sorted(answer["reference"] for _, answer in answers)
    expected = sorted(f"DHR-DACORUM-2024-{n:02d}" for n in range(1, CLIENTS * EACH + 1))
    assert given == expected
    assert references("dacorum", 2024) == expected


def test_numbers_follow_on_from_references_already_used(app, make_review):
    """Reviews loaded before the counter existed (demo data, a register import) keep their
    numbers; a number taken by hand later is skipped, not handed out twice."""
    died = date(2023, 1, 1)
    old = make_review(date_of_death=died, notification_date=date(2023, 5, 1))
    old.reference = "DHR-DACORUM-2023-07"
    db.session.execute(delete(ReferenceCounter))  # as in a database from before the counters
    db.session.commit()
    def in_2023(month: int):
        return make_review(date_of_death=died, notification_date=date(2023, month, 1))

    assert in_2023(6).reference == "DHR-DACORUM-2023-08"
    imported = in_2023(6)
    imported.reference = "DHR-DACORUM-2023-09"  # as an import would
    db.session.commit()
    assert in_2023(7).reference == "DHR-DACORUM-2023-10"
    assert make_review(csp="Watford").reference == "DHR-WATFORD-2024-01"
    assert make_review(notification_date=date(2025, 1, 1)).reference == "DHR-DACORUM-2025-01"


def test_a_rolled_back_notification_gives_its_number_back(app, make_user, make_review):
    admin = make_user("admin")
    make_review()
    create_review(admin, review_fields())  # claims 02 ...
    db.session.rollback()  # ... but is never committed
    assert make_review().reference == "DHR-DACORUM-2024-02"


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(0.02)


def waiting_on_counter_lock() -> bool:
    with db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE 'UPDATE reference_counters%'")))


@pytest.mark.skipif(not ON_POSTGRES, reason="watches PostgreSQL's lock waits")
def test_the_second_notification_waits_on_the_counter_row(app, make_user, make_review):
    """The serialisation comes from the counter's row lock: a second claim is seen waiting
    until the first transaction commits, then takes the next number."""
    make_review()  # the counter row exists
    admin_id = make_user("admin").id
    claimed, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        with app.app_context():
            csp = find_csp("Dacorum")
            results["first"] = next_reference(csp, 2024)
            claimed.set()
            release.wait(TIMEOUT)
            db.session.commit()

    def second() -> None:
        claimed.wait(TIMEOUT)
        with app.app_context():
            review = create_review(db.session.get(User, admin_id), review_fields())
            db.session.commit()
            results["second"] = review.reference

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        wait_until(waiting_on_counter_lock)
    finally:
        release.set()
        for thread in threads:
            thread.join(TIMEOUT)
    assert results == {"first": "DHR-DACORUM-2024-02", "second": "DHR-DACORUM-2024-03"}
