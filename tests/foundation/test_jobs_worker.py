"""Background jobs run for real: a `celery worker` process (started here, stopped at the end)
takes jobs from the broker and writes to the test database. Once with Redis
(DHR_TEST_REDIS_URL; CI sets it), once with the default filesystem broker, which needs no
service at all. Each test waits on what a user would see, with a time limit."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from dhr.extensions import db
from dhr.jobs import HEARTBEAT_STALE_AFTER, heartbeat
from dhr.models import JobHeartbeat, JobRun, User
from dhr.models.types import utcnow
from tests.conftest import PASSWORD
from tests.support.processes import (
    REDIS_URL,
    Worker,
    live_app,
    notifications_for,
    wait_for,
    worker_env,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def heartbeat_seen() -> bool:
    try:
        return db.session.get(JobHeartbeat, "beat") is not None
    finally:
        db.session.rollback()


def jobs_health(client) -> str:
    return client.get("/api/v1/health").json["jobs"]


def sign_in_and_see_the_notice(live: Flask, user: User, worker: Worker) -> None:
    """Sign in through the page; the worker writes the notice; the dashboard shows it."""
    user_id, email = user.id, user.email
    assert notifications_for(user_id) == []
    client = live.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    messages = wait_for(lambda: notifications_for(user_id), "the sign-in notification", worker)
    assert messages[0].startswith("Your account signed in at ")
    assert messages[0] in client.get("/").get_data(as_text=True)


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        reason = ("DHR_TEST_REDIS_URL is not set: set it to a Redis database the tests may "
                  "use, e.g. redis://127.0.0.1:6379/15, to run jobs through Redis and a "
                  "real worker")
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def redis_worker(app: Flask, redis_url: str, tmp_path: Path, monkeypatch
                 ) -> Iterator[tuple[Flask, Worker]]:
    """A live app and a celery worker, both on Redis, on a queue of this test's own (so that
    parallel runs sharing the Redis database never take each other's jobs)."""
    import redis

    queue = f"dhr-test-{uuid.uuid4().hex[:12]}"
    live = live_app(app, monkeypatch, redis_url, queue)
    argv = [sys.executable, "-m", "celery", "-A", "dhr.celery_app", "worker", "--pool=solo",
            "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat"]
    worker = Worker(argv, worker_env(app, redis_url), tmp_path / "worker.log")
    try:
        yield live, worker
    finally:
        worker.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
        with live.app_context():
            db.engine.dispose()


@pytest.mark.redis
def test_a_redis_worker_writes_the_sign_in_notification(redis_worker, make_user):
    live, worker = redis_worker
    sign_in_and_see_the_notice(live, make_user("csp_manager"), worker)


@pytest.mark.redis
def test_health_reports_jobs_ok_once_a_heartbeat_went_through_redis(redis_worker):
    live, worker = redis_worker
    client = live.test_client()
    assert jobs_health(client) == "degraded"
    with live.app_context():
        heartbeat.delay()
    wait_for(heartbeat_seen, "the heartbeat", worker)
    assert jobs_health(client) == "ok"


def test_the_default_filesystem_broker_runs_jobs_with_no_service(app, make_user, tmp_path,
                                                                 monkeypatch):
    """`dhr worker --beat` (what `dhr run` starts) on the folder broker under the data dir:
    the scheduler's first heartbeat reaches the database, and a sign-in's job runs."""
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    live = live_app(app, monkeypatch, None, None)
    assert live.config["CELERY"]["broker_url"] == "filesystem://"
    client = live.test_client()
    assert jobs_health(client) == "degraded"
    dhr = Path(sys.executable).parent / "dhr"
    worker = Worker([str(dhr), "worker", "--beat"], worker_env(app, None),
                    tmp_path / "worker.log")
    try:
        wait_for(lambda: jobs_health(client) == "ok", "health to report jobs ok", worker)
        sign_in_and_see_the_notice(live, make_user("coordinator"), worker)
    finally:
        worker.stop()
        with live.app_context():
            db.engine.dispose()
    queue = Path(app.config["DATA_DIR"]) / "broker" / "queue"
    assert queue.is_dir()


# --- without a worker: the health check itself ------------------------------------------


def test_health_says_jobs_are_degraded_without_a_heartbeat(client):
    body = client.get("/api/v1/health").json
    assert body == {"status": "ok", "database": "ok", "search": body["search"],
                    "jobs": "degraded"}


def test_health_says_jobs_ok_after_a_heartbeat_and_degraded_when_it_is_stale(client):
    heartbeat.apply()  # what the worker does when the scheduler's job arrives
    assert client.get("/api/v1/health").json["jobs"] == "ok"
    row = db.session.get(JobHeartbeat, "beat")
    row.beat_dt = utcnow() - HEARTBEAT_STALE_AFTER - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/health").json["jobs"] == "degraded"


def test_a_broker_that_cannot_be_reached_does_not_break_sign_in(app, make_user, monkeypatch,
                                                                caplog):
    """The sign-in is committed before its job is queued: an unreachable broker is logged,
    health says jobs degraded, and the user is still signed in."""
    monkeypatch.setenv("DHR_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    live = live_app(app, monkeypatch, "redis://127.0.0.1:1/0", None)
    user = make_user("admin")
    client = live.test_client()
    try:
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        assert "could not queue dhr.jobs.notify_sign_in" in caplog.text
        assert client.get("/api/v1/health").json["jobs"] == "degraded"
    finally:
        with live.app_context():
            db.engine.dispose()


# --- the reminder engine through a real worker and scheduler --------------------------------


@pytest.mark.redis
def test_beat_and_a_redis_worker_send_each_reminder_once(app, redis_url, make_user,
                                                         make_review, tmp_path):
    """`worker --beat` on Redis, the scan scheduled every second: the late decision's
    reminder arrives once, in the app and as an e-mail in the outbox, however many scans
    run; the job's runs are recorded and health says ok."""
    import redis

    manager = make_user("csp_manager")
    make_review()
    manager_id = manager.id
    queue = f"dhr-test-{uuid.uuid4().hex[:12]}"
    env = worker_env(app, redis_url)
    env.update(DHR_JOB_QUEUE=queue, DHR_REMINDERS_EVERY_SECONDS="1")
    argv = [sys.executable, "-m", "celery", "-A", "dhr.celery_app", "worker", "--pool=solo",
            "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--beat",
            "--schedule", str(tmp_path / "beat-schedule")]
    worker = Worker(argv, env, tmp_path / "worker.log")
    try:
        wait_for(lambda: notifications_for(manager_id), "the reminder", worker)
        first = db.session.get(JobRun, "reminders").started_dt
        db.session.rollback()

        def ran_again() -> bool:
            try:
                row = db.session.get(JobRun, "reminders")
                return row.started_dt > first and row.ok_dt >= row.started_dt
            finally:
                db.session.rollback()

        wait_for(ran_again, "a second scan", worker)
        wait_for(heartbeat_seen, "the heartbeat", worker)
    finally:
        worker.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
    assert len(notifications_for(manager_id)) == 1
    outbox = list((Path(app.config["DATA_DIR"]) / "outbox").glob("*.eml"))
    assert len(outbox) == 1
    assert jobs_health(app.test_client()) == "ok"
