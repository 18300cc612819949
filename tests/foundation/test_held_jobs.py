"""Jobs survive a broker that is down: a job that cannot be sent is held in the database,
health says jobs are degraded meanwhile, and once the broker is back the held jobs are sent
and run by a real worker, each once."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select

from dhr.extensions import db
from dhr.jobs import heartbeat, release_held
from dhr.models import HeldJob
from tests.conftest import PASSWORD
from tests.support.processes import (
    Worker,
    live_app,
    notifications_for,
    wait_for,
    worker_env,
)

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens there


def held() -> list[tuple[str, list]]:
    try:
        return [(job.task, job.args) for job in db.session.scalars(select(HeldJob))]
    finally:
        db.session.rollback()


def sign_in_while_the_broker_is_down(app, make_user, monkeypatch):
    monkeypatch.setenv("DHR_BROKER_URL", NOWHERE)
    down = live_app(app, monkeypatch, NOWHERE, None)
    user = make_user("csp_manager")
    client = down.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return down, client, user


def test_a_job_that_cannot_be_sent_is_held_and_health_says_so(app, make_user, monkeypatch):
    down, client, user = sign_in_while_the_broker_is_down(app, make_user, monkeypatch)
    try:
        with down.app_context():
            jobs = held()
            heartbeat.apply()  # even a scheduler that reports in does not hide held jobs
            assert client.get("/api/v1/health").json["jobs"] == "degraded"
        assert [task for task, _ in jobs] == ["dhr.jobs.notify_sign_in"]
        assert jobs[0][1][0] == user.id
    finally:
        with down.app_context():
            db.engine.dispose()


def test_held_jobs_run_once_the_broker_is_back(app, make_user, monkeypatch, tmp_path):
    down, _, user = sign_in_while_the_broker_is_down(app, make_user, monkeypatch)
    with down.app_context():
        db.engine.dispose()
    monkeypatch.delenv("DHR_BROKER_URL")
    back = live_app(app, monkeypatch, None, None)  # the folder broker: always reachable
    with back.app_context():
        assert release_held() == 1
        assert release_held() == 0
        assert held() == []
        dhr = Path(sys.executable).parent / "dhr"
        worker = Worker([str(dhr), "worker"], worker_env(app, None), tmp_path / "worker.log")
        try:
            messages = wait_for(lambda: notifications_for(user.id), "the held job to run",
                                worker)
        finally:
            worker.stop()
            db.engine.dispose()
    assert len(messages) == 1
    assert messages[0].startswith("Your account signed in at ")


def test_release_stops_at_a_broker_that_is_still_down_and_keeps_the_rest(app, make_user,
                                                                        monkeypatch):
    down, client, user = sign_in_while_the_broker_is_down(app, make_user, monkeypatch)
    client.post("/sign-out")
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    try:
        with down.app_context():
            assert len(held()) == 2
            assert release_held() == 0
            assert len(held()) == 2
    finally:
        with down.app_context():
            db.engine.dispose()
