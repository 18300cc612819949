"""`dhr reminders run`: the reminder engine, by hand."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from dhr.reminders.tasks import run_all


@click.group("reminders")
def reminders_group() -> None:
    """The reminder engine (the scheduler runs it every few minutes)."""


@reminders_group.command("run")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD), for demos and tests")
@with_appcontext
def run_reminders_command(today: datetime | None) -> None:
    """Send every reminder that is due, once, then the digests and the outbox."""
    report = run_all(today.date() if today else None)
    click.echo(report.summary())
