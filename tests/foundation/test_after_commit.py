"""Jobs queued in a transaction run once, at the real commit, and never after a rollback,
with savepoints (which document saves, agency requests and recommendations use) in between."""

from __future__ import annotations

from sqlalchemy import text

from dhr.after_commit import run_after_commit
from dhr.extensions import db


def queue(ran: list[str], name: str) -> None:
    run_after_commit(db.session, ran.append, name)


def test_a_released_savepoint_waits_for_the_real_commit(app):
    ran: list[str] = []
    db.session.execute(text("SELECT 1"))
    with db.session.begin_nested():
        queue(ran, "inside the savepoint")
    queue(ran, "outside")
    assert ran == []  # the savepoint was released, but nothing is committed yet
    db.session.commit()
    assert ran == ["inside the savepoint", "outside"]
    db.session.commit()
    assert ran == ["inside the savepoint", "outside"]  # once only


def test_a_savepoint_rolled_back_drops_only_its_own_jobs(app):
    ran: list[str] = []
    queue(ran, "before")
    savepoint = db.session.begin_nested()
    queue(ran, "in the failed savepoint")
    savepoint.rollback()
    queue(ran, "after")
    db.session.commit()
    assert ran == ["before", "after"]


def test_a_rollback_drops_every_job(app):
    ran: list[str] = []
    queue(ran, "before")
    with db.session.begin_nested():
        queue(ran, "nested")
    db.session.rollback()
    db.session.commit()
    assert ran == []
