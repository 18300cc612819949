"""The `dhr` command line (a Flask CLI group; also `flask --app dhr ...`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade as alembic_upgrade
from flask_migrate.cli import db as db_group
from sqlalchemy import func, select
from waitress import serve

from dhr.accounts import (
    AccountError,
    create_user,
    disable_user,
    enable_user,
    set_password,
    set_role,
)
from dhr.auth import two_factor
from dhr.auth.sessions import end_all_sessions
from dhr.auth.tokens import MAX_DAYS, is_live, issue_token, revoke_token, tokens_of
from dhr.backup_cli import backup_command, restore_command
from dhr.bounds import DB_INT_MAX
from dhr.demo import DEMO_PASSWORD, load_demo
from dhr.extensions import db
from dhr.jobs import job_runs, jobs_status
from dhr.models import ROLES, ApiToken, Area, JobHeartbeat, OutboxMessage, User
from dhr.models.types import utcnow
from dhr.reference_data import load_reference_data
from dhr.reminders.tasks import run_all
from dhr.retention_cli import retention_group
from dhr.review_cli import review_group
from dhr.search.index import ensure_index
from dhr.search_cli import search_group
from dhr.workflow.clocks import recompute_due_dates


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
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = create_user(email=email, role=role, csp_names=list(csps), area_name=area,
                           name=name, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_user_command(email: str) -> None:
    """Disable an account: it cannot sign in, its sessions end, its API tokens stop working."""

    user = _user_by_email(email)
    disable_user(user, None)
    db.session.commit()
    click.echo(f"Disabled {user.email}")


@user_group.command("enable")
@click.argument("email")
@with_appcontext
def enable_user_command(email: str) -> None:
    """Let a disabled account sign in again (old sessions and tokens stay ended)."""

    user = _user_by_email(email)
    enable_user(user, None)
    db.session.commit()
    click.echo(f"Enabled {user.email}")


@user_group.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--csp", "csps", multiple=True, help="CSP name (repeatable), for csp_manager")
@click.option("--area", help="Area (county) name; defaults to the area of the CSPs given")
@with_appcontext
def set_role_command(email: str, role: str, csps: tuple[str, ...], area: str | None) -> None:
    """Change a user's role and scope; their sessions end and their API tokens are revoked."""

    user = _user_by_email(email)
    try:
        set_role(user, None, role=role, csp_names=list(csps), area_name=area)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password (asked for, or read from standard input); sessions end."""

    user = _user_by_email(email)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(user, None, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Password changed for {user.email}")


@user_group.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Forget a user's authenticator and recovery codes (a lost phone); their sessions end
    and they set up two-factor sign-in again when they next sign in."""
    user = _user_by_email(email)
    had = two_factor.reset(user, None)
    end_all_sessions(user, None, "two_factor_reset")
    db.session.commit()
    click.echo(f"Two-factor sign-in reset for {user.email}" if had else
               f"{user.email} had not set up two-factor sign-in; nothing to reset")


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("email")
@click.option("--label", default="", help="What the token is for")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=None,
              help="Days until it expires (default: DHR_API_TOKEN_DAYS, 90)")
@click.option("--read-only", is_flag=True, help="It may read (GET) but change nothing")
@with_appcontext
def create_token_command(email: str, label: str, days: int | None, read_only: bool) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    user = _user_by_email(email)
    token = issue_token(user, label, days=days, read_only=read_only)
    db.session.commit()
    click.echo(token)


def _token_line(row: ApiToken, now: datetime) -> str:
    if row.revoked_dt is not None:
        status = f"revoked {row.revoked_dt:%Y-%m-%d}"
    elif not is_live(row, now):
        status = f"expired {row.expires_dt:%Y-%m-%d}"
    else:
        status = f"expires {row.expires_dt:%Y-%m-%d}"
    used = f"{row.last_used_dt:%Y-%m-%d %H:%M}" if row.last_used_dt else "never"
    access = "read-only" if row.is_read_only else "read-write"
    return (f"{row.id}\t{row.user.email}\t{row.label or '-'}\t{access}\t"
            f"created {row.created_dt:%Y-%m-%d}\tlast used {used}\t{status}")


@token_group.command("list")
@click.argument("email", required=False)
@with_appcontext
def list_tokens_command(email: str | None) -> None:
    """List API tokens (one user's, or everyone's), newest first; never the tokens themselves."""
    rows = tokens_of(_user_by_email(email) if email else None)
    now = utcnow()
    click.echo("id\tuser\tlabel\taccess\tcreated\tlast used\tstatus")
    for row in rows:
        click.echo(_token_line(row, now))


@token_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1, DB_INT_MAX))
@with_appcontext
def revoke_token_command(token_id: int) -> None:
    """Revoke an API token by its id (from `dhr token list`); it stops working at once."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"no token with id {token_id}")
    if not revoke_token(row, None):
        raise click.ClickException(f"token {token_id} was already revoked")
    db.session.commit()
    click.echo(f"Revoked token {token_id} of {row.user.email}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load realistic demo reviews, chairs and users (refuses to run twice)."""
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
    total, changed = recompute_due_dates()
    db.session.commit()
    click.echo(f"Due dates recomputed for {total} reviews; {changed} changed.")


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


def register_commands(app) -> None:
    for command in (user_group, token_group, demo_command, worker_command, run_command,
                    review_group, search_group, clocks_group, reminders_group, jobs_group,
                    backup_command, restore_command, retention_group):
        app.cli.add_command(command)


__all__ = ["Area", "register_commands"]
