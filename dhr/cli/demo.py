"""`dhr demo`: load the demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dhr.demo.demo import DEMO_PASSWORD, load_demo
from dhr.extensions import db


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load realistic demo reviews, chairs and users (refuses to run twice)."""
    if not load_demo():
        click.echo("Demo data is already loaded.")
        return
    db.session.commit()
    click.echo(f"Demo data loaded. Every demo user's password is: {DEMO_PASSWORD}")
