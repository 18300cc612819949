"""`dhr run`, the README's way to serve: web server, worker and scheduler with no external
service. Its health turns to jobs "ok" only once a scheduled job went through the worker,
and stopping it (Ctrl+C or SIGTERM) stops the worker too."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import free_port

DHR = Path(sys.executable).parent / "dhr"
WAIT_SECONDS = 60


def health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
            return json.load(r)
    except OSError:
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; output:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


def readable_by_others(folder: Path) -> list[str]:
    """Every path in the data folder (itself included) that another user could read."""
    paths = [folder, *folder.rglob("*")]
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in paths
            if p.exists() and p.stat().st_mode & 0o077]


def _as_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_dhr_run_serves_runs_jobs_and_stops_its_worker(tmp_path, stop_signal):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env["DHR_DATA_DIR"] = str(tmp_path / "data")  # SQLite and the filesystem broker in there
    env["DHR_REQUIRE_2FA"] = "false"  # as for every test but the two-factor ones
    subprocess.run([str(DHR), "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        # As a script in the background starts it: SIGINT inherited as ignored. Ctrl+C
        # (SIGINT) must still stop it.
        process = subprocess.Popen([str(DHR), "run", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT,
                                   preexec_fn=_as_a_background_job)
    try:
        wait_for(lambda: (health(port) or {}).get("jobs") == "ok",
                 "the scheduler's heartbeat to go through the worker", log)
        assert health(port) == {"status": "ok", "database": "ok", "search": "ok",
                                "jobs": "ok"}
        assert readable_by_others(tmp_path / "data") == []
        worker_pid = int(re.search(r"scheduler started \(pid (\d+)\)", log.read_text())[1])
        assert alive(worker_pid)

        process.send_signal(stop_signal)
        process.wait(timeout=WAIT_SECONDS)
        wait_for(lambda: not alive(worker_pid), "the worker to stop", log)
        assert health(port) is None
    finally:
        if process.poll() is None:
            process.kill()
