"""`dhr clocks recompute`: the reviews' stored due dates."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dhr.extensions import db
from dhr.workflow.clocks import recompute_due_dates


@click.group("clocks")
def clocks_group() -> None:
    """The reviews' stored due dates."""


@clocks_group.command("recompute")
@with_appcontext
def recompute_clocks_command() -> None:
    """Rewrite every review's stored due dates after a clock setting changed."""
    total, changed = recompute_due_dates()
    db.session.commit()
    click.echo(f"Due dates recomputed for {total} reviews; {changed} changed.")
