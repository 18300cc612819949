"""`dhr jobs status`: the scheduled background jobs."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.jobs import job_runs, jobs_status
from dhr.models import JobHeartbeat, OutboxMessage


@click.group("jobs")
def jobs_group() -> None:
    """The scheduled background jobs."""


def _when(value: datetime | None) -> str:
    return f"{value:%d %B %Y %H:%M} UTC" if value else "never"


@jobs_group.command("status")
@with_appcontext
def jobs_status_command() -> None:
    """Each scheduled job's last run and any failure; exits 1 when jobs are degraded."""
    beat = db.session.get(JobHeartbeat, "beat")
    click.echo(f"scheduler heartbeat: last {_when(beat.beat_dt if beat else None)}")
    for name, run in job_runs():
        if name == "heartbeat":
            continue
        if run is None:
            click.echo(f"{name}: never run")
            continue
        line = f"{name}: last started {_when(run.started_dt)}, last succeeded {_when(run.ok_dt)}"
        if run.failures:
            line += (f"; FAILING ({run.failures} in a row, last {_when(run.failed_dt)}:"
                     f" {run.error})")
        click.echo(line)
    pending = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.state == "pending")) or 0
    click.echo(f"outbox: {pending} e-mail{'s' if pending != 1 else ''} waiting to be sent")
    status = jobs_status()
    click.echo(f"jobs: {status}")
    if status != "ok":
        sys.exit(1)
