"""Real processes the tests start: a free local port, a `celery worker` with its output kept
for the failure message, the app as deployed (jobs sent to a broker), and waiting on what a
user would see with a time limit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from dhr import create_app
from dhr.extensions import db
from dhr.models import Notification
from tests.support import PROJECT

REDIS_URL = os.environ.get("DHR_TEST_REDIS_URL")
WAIT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], Any], what: str, worker: Worker | None = None) -> Any:
    """Poll `condition` until it is truthy; fail after WAIT_SECONDS (or if the worker dies)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = condition()
        if value:
            return value
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"the worker exited ({worker.process.returncode}) before {what}:\n"
                        f"{worker.log()}")
        if time.monotonic() > deadline:
            log = worker.log() if worker else ""
            pytest.fail(f"timed out after {WAIT_SECONDS}s waiting for {what}\n{log}")
        time.sleep(0.2)


class Worker:
    """A worker process with its output in a file (shown when a test fails)."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(argv, env=env, cwd=PROJECT, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-6000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def worker_env(app: Flask, broker_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env.update(DHR_DATA_DIR=app.config["DATA_DIR"],
               DHR_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    if broker_url:
        env["DHR_BROKER_URL"] = broker_url
    return env


def live_app(app: Flask, monkeypatch, broker_url: str | None, queue: str | None) -> Flask:
    """The app as deployed: jobs go to the broker instead of running in the request. Same
    database and data folder as the `app` fixture (which made the tables)."""
    if broker_url:
        monkeypatch.setenv("DHR_BROKER_URL", broker_url)
    celery: dict[str, Any] = {"task_always_eager": False}
    if queue:
        celery["task_default_queue"] = queue
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "REQUIRE_2FA": False,
        "CELERY": celery,
    })


def notifications_for(user_id: int) -> list[str]:
    try:
        return list(db.session.scalars(
            select(Notification.message).where(Notification.user_id == user_id)))
    finally:
        db.session.rollback()  # end the read so the next poll sees the worker's commit
