"""The `dhr` command line (a Flask CLI group; also `flask --app dhr ...`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade as alembic_upgrade
from flask_migrate.cli import db as db_group
from sqlalchemy import func, select

from dhr.config import ConfigError
from dhr.extensions import db
from dhr.models import ROLES, Area, User


@click.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Create or upgrade the schema; an empty database also gets the reference data."""
    from dhr.reference_data import load_reference_data
    from dhr.search.index import ensure_index

    alembic_upgrade(revision=revision)
    load_reference_data(current_app.config["DHR_ORGANISATION"])
    db.session.commit()
    ensure_index()
    click.echo("Database is up to date.")


db_group.add_command(upgrade_command)  # replaces Flask-Migrate's plain upgrade


def _user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--csp", "csps", multiple=True, help="CSP name (repeatable), for csp_manager")
@click.option("--area", help="Area (county) name; defaults to the area of the CSPs given")
@click.option("--name", default="", help="Full name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def create_user_command(email: str, role: str, csps: tuple[str, ...], area: str | None,
                        name: str, password_stdin: bool) -> None:
    """Create a user account."""
    from dhr.accounts import AccountError, create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = create_user(email=email, role=role, csp_names=list(csps), area_name=area,
                           name=name, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("email")
@click.option("--label", default="", help="What the token is for")
@with_appcontext
def create_token_command(email: str, label: str) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    from dhr.audit import record
    from dhr.auth.tokens import issue_token

    user = _user_by_email(email)
    token = issue_token(user, label)
    record("token.created", user, None, {"label": label})
    db.session.commit()
    click.echo(token)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load realistic demo reviews, chairs and users (refuses to run twice)."""
    from dhr.demo import DEMO_PASSWORD, load_demo

    if not load_demo():
        click.echo("Demo data is already loaded.")
        return
    db.session.commit()
    click.echo(f"Demo data loaded. Every demo user's password is: {DEMO_PASSWORD}")


@click.group("clocks")
def clocks_group() -> None:
    """The reviews' stored due dates."""


@clocks_group.command("recompute")
@with_appcontext
def recompute_clocks_command() -> None:
    """Rewrite every review's stored due dates after a clock setting changed."""
    from dhr.workflow.clocks import recompute_due_dates

    total, changed = recompute_due_dates()
    db.session.commit()
    click.echo(f"Due dates recomputed for {total} reviews; {changed} changed.")


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
    from waitress import serve

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
    # SIGTERM (a service manager, `kill`) must stop the worker too, as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(app, host=host, port=port, threads=8, ident="dhr")
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def register_commands(app) -> None:
    from dhr.review_cli import review_group

    for command in (user_group, token_group, demo_command, worker_command, run_command,
                    review_group, clocks_group):
        app.cli.add_command(command)


def main() -> None:
    from flask.cli import routes_command, shell_command

    from dhr import create_app

    # Without Flask's default commands, so that `dhr run` is ours (server, worker, scheduler).
    group = FlaskGroup(create_app=create_app, add_default_commands=False, load_dotenv=False)
    group.add_command(shell_command)
    group.add_command(routes_command)
    try:
        group()
    except ConfigError as exc:  # a setting that cannot work: say which, not a traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


__all__ = ["Area", "main", "register_commands"]
