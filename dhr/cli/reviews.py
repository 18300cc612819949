"""`dhr review ...`: see where a review stands and send lifecycle events from a terminal.

The same engine as the pages and the API: the acting user is named with --as and every
permission, guard and history rule applies to them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import Review, User
from dhr.models.states import STATE_LABELS
from dhr.permissions import can_export_review, can_view_review
from dhr.workflow.clocks import clocks_for
from dhr.workflow.engine import available_events, send_event
from dhr.workflow.review_export import export_review


def _actor(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise click.ClickException(f"no active user with the email {email}")
    return user


def _review(reference: str, user: User) -> Review:
    review = db.session.scalar(select(Review).where(Review.reference == reference.upper()))
    if review is None or not can_view_review(user, review):
        raise click.ClickException(f"no review {reference} that {user.email} may see")
    return review


@click.group("review")
def review_group() -> None:
    """See and progress reviews (as a named user, with their permissions)."""


@review_group.command("status")
@click.argument("reference")
@click.option("--as", "email", required=True, help="Email of the user acting")
@with_appcontext
def status_command(reference: str, email: str) -> None:
    """Where REFERENCE stands, its clocks, and what the user could do next."""
    user = _actor(email)
    review = _review(reference, user)
    clocks = clocks_for(review)
    paused = " (paused)" if review.is_paused else ""
    click.echo(f"{review.reference}: {STATE_LABELS[review.state]}{paused}")
    click.echo(f"Decision due {clocks.decision_due}; statutory due {clocks.statutory_due or '-'}; "
               f"adjusted due {clocks.adjusted_due or '-'} ({clocks.paused_days} days paused)")
    if clocks.overdue:
        click.echo(f"Overdue by {clocks.days_late} days")
    for option in available_events(review, user):
        click.echo(f"- {option.event}: {'ready' if option.allowed else 'not yet'}")
        for missing in option.missing:
            click.echo(f"    missing: {missing}")


@review_group.command("event")
@click.argument("reference")
@click.argument("event")
@click.option("--as", "email", required=True, help="Email of the user acting")
@click.option("--data", "data_json", default="{}", show_default=True,
              help='The event\'s data as a JSON object, e.g. \'{"date": "2026-11-23"}\'')
@with_appcontext
def event_command(reference: str, event: str, email: str, data_json: str) -> None:
    """Send EVENT (a DOMAIN.md event name) to REFERENCE."""
    user = _actor(email)
    review = _review(reference, user)
    try:
        data: Any = json.loads(data_json)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--data is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise click.ClickException("--data must be a JSON object")
    source = review.state
    try:
        send_event(review, user, event, data)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(_explain(exc)) from None
    db.session.commit()
    click.echo(f"{review.reference}: {STATE_LABELS[source]} -> {STATE_LABELS[review.state]}")


@review_group.command("export")
@click.argument("reference")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="Email of the administrator or coordinator")
@with_appcontext
def export_command(reference: str, archive: Path, email: str) -> None:
    """Write everything held about REFERENCE to ARCHIVE (.zip) for a subject access or legal
    request: the review, every row that refers to it, and the uploaded files. Audited."""
    user = _actor(email)
    review = _review(reference, user)
    if not can_export_review(user, review):
        raise click.ClickException("only an administrator or the area's coordinator can "
                                   "export a review")
    if archive.exists():
        raise click.ClickException(f"{archive} already exists: choose a new file name")
    data = export_review(review, user)
    archive.write_bytes(data)
    archive.chmod(0o600)
    db.session.commit()
    click.echo(f"{review.reference}: {len(data)} bytes written to {archive}.")


def _explain(exc: DomainError) -> str:
    lines = [exc.message]
    for name, value in (exc.details or {}).items():
        items = value if isinstance(value, list) else [value]
        lines += [f"  {name}: {item}" for item in items]
    return "\n".join(lines)
