"""`dhr retention report` and `dhr retention anonymise`: the deployment's retention period
(DHR_RETENTION_YEARS) applied to finished reviews."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import Review, User
from dhr.workflow.retention import anonymise, past_retention


@click.group("retention")
def retention_group() -> None:
    """Find and anonymise finished reviews kept longer than the retention period."""


@retention_group.command("report")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Report as on this date (YYYY-MM-DD)")
@with_appcontext
def report_command(today) -> None:
    """List finished reviews past retention, oldest first."""
    day = today.date() if today else date.today()
    overdue = past_retention(day)
    if not overdue:
        click.echo(f"No finished review is past retention on {day:%d %B %Y}.")
        return
    click.echo(f"{len(overdue)} finished reviews past retention on {day:%d %B %Y}:")
    for item in overdue:
        click.echo(f"  {item.review.reference}  ended {item.ended:%d %B %Y}, "
                   f"due for anonymising {item.due:%d %B %Y}")


@retention_group.command("anonymise")
@click.argument("reference")
@click.option("--as", "email", required=True, help="Email of the administrator acting")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone")
@with_appcontext
def anonymise_command(reference: str, email: str, yes: bool) -> None:
    """Remove what identifies people from a finished review, keeping its statistics."""
    actor = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if actor is None or not actor.is_active or actor.role != "admin":
        raise click.ClickException(f"{email} is not an active administrator")
    review = db.session.scalar(select(Review).where(Review.reference == reference.upper()))
    if review is None:
        raise click.ClickException(f"no review {reference}")
    if not yes:
        raise click.ClickException("this cannot be undone: add --yes to go ahead")
    try:
        removed = anonymise(review, actor)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"{review.reference} anonymised: " + ", ".join(
        f"{count} {what.replace('_', ' ')}" for what, count in removed.items()))
