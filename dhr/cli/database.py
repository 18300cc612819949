"""`dhr db upgrade`: the schema, and the reference data an empty database needs.

Importing this module replaces Flask-Migrate's plain `db upgrade` with ours: `dhr db ...` is
resolved before the app is created, so it cannot wait for register_commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade as alembic_upgrade
from flask_migrate.cli import db as db_group

from dhr.extensions import db
from dhr.reference_data import load_reference_data
from dhr.search.index import ensure_index


@click.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Create or upgrade the schema; an empty database also gets the reference data."""
    alembic_upgrade(revision=revision)
    load_reference_data(current_app.config["DHR_ORGANISATION"])
    db.session.commit()
    ensure_index()
    click.echo("Database is up to date.")


db_group.add_command(upgrade_command)  # replaces Flask-Migrate's plain upgrade
