"""`dhr run` (the web server, with a worker and scheduler beside it) and `dhr worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from waitress import serve


def _worker_argv(beat: bool) -> list[str]:
    data_dir = Path(current_app.config["DATA_DIR"])
    argv = [sys.executable, "-m", "celery", "-A", "dhr.celery_app", "worker",
            "--loglevel=INFO", "--pool=solo"]
    if beat:
        argv += ["--beat", "--schedule", str(data_dir / "celerybeat-schedule")]
    return argv


@click.command("worker")
@click.option("--beat/--no-beat", default=False, help="Also run the scheduler in this process")
@with_appcontext
def worker_command(beat: bool) -> None:
    """Run a background worker alone (production: one per host, plus one scheduler)."""
    os.execv(sys.executable, _worker_argv(beat))


@click.command("run")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--with-worker/--no-worker", default=True, show_default=True,
              help="Start a worker and scheduler beside the web server")
@with_appcontext
def run_command(port: int, host: str, with_worker: bool) -> None:
    """Serve the app, with a background worker and scheduler, until interrupted."""
    app = current_app._get_current_object()
    env = dict(os.environ)
    if "DHR_SECURE_COOKIES" not in os.environ and host in {"127.0.0.1", "localhost"}:
        # Plain HTTP on this machine only: a Secure cookie would never be sent back.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    worker = None
    if with_worker:
        env["DHR_DATA_DIR"] = app.config["DATA_DIR"]
        worker = subprocess.Popen(_worker_argv(beat=True), env=env)
        click.echo(f"Background worker and scheduler started (pid {worker.pid}).")
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    # SIGTERM (a service manager, `kill`) must stop the worker too, as Ctrl+C does; and Ctrl+C
    # must work even when started from a script in the background, where SIGINT is inherited
    # as ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        serve(app, host=host, port=port, threads=8, ident="dhr")
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
