"""`dhr token ...`: create, list and revoke API tokens."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from dhr.auth.tokens import MAX_DAYS, is_live, issue_token, revoke_token, tokens_of
from dhr.bounds import DB_INT_MAX
from dhr.cli.users import user_by_email
from dhr.extensions import db
from dhr.models import ApiToken
from dhr.models.types import utcnow


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
    user = user_by_email(email)
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
    rows = tokens_of(user_by_email(email) if email else None)
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
