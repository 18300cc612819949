"""Two requests at the same moment: threads with their own app context each, one request
held just after reserving a chair's place (holding the row lock), and PostgreSQL's lock
waits seen in pg_stat_activity."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from sqlalchemy import text

from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.workflow import allocation

ON_POSTGRES = bool(os.environ.get("DHR_TEST_DATABASE_URL"))
TIMEOUT = 30


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(0.02)


def hold_after_reserving(monkeypatch, review_id: int) -> tuple[threading.Event,
                                                                 threading.Event]:
    """Make the request for `review_id` stop just after reserving the chair's place (holding
    the row lock): `reserved` is set then, and it goes on once `release` is set."""
    reserved, release = threading.Event(), threading.Event()
    real_reserve = allocation.reserve_capacity

    def held_reserve(member, review, *args, **kwargs):
        reasons = real_reserve(member, review, *args, **kwargs)
        if review.id == review_id:
            reserved.set()
            release.wait(TIMEOUT)
        return reasons

    monkeypatch.setattr(allocation, "reserve_capacity", held_reserve)
    return reserved, release


def run_while_held(threads: list[threading.Thread], release: threading.Event) -> None:
    """Start the threads, wait until one is queued on a pool member's row lock (PostgreSQL),
    then let the held one go on and wait for both."""
    for thread in threads:
        thread.start()
    try:
        wait_until(blocked_on_pool_member_lock)
    finally:
        release.set()
        for thread in threads:
            thread.join(TIMEOUT)


def run_threads(targets: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=t) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"


def blocked_on_pool_member_lock() -> bool:
    """Some connection is waiting for a pool member's row lock (PostgreSQL)."""
    with db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE 'UPDATE pool_members%'")))


def manager_tokens(make_user, n: int = 2) -> list[str]:
    """One token per request: a shared token's last-used update would serialise them."""
    tokens = [issue_token(make_user("csp_manager", csps=["Dacorum"])) for _ in range(n)]
    db.session.commit()
    return tokens
