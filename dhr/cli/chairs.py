"""`dhr chair create`: add a member to the chair pool (and, if asked, a sign-in account)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext

from dhr.accounts import AccountError, create_user
from dhr.extensions import db
from dhr.models.pool import POOL_ROLES
from dhr.workflow.pool import PoolInputError, create_member


@click.group("chair")
def chair_group() -> None:
    """Manage the pool of chairs and report writers."""


@chair_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name")
@click.option("--role", "roles", multiple=True, type=click.Choice(POOL_ROLES),
              default=["chair"], show_default=True, help="Pool role (repeatable)")
@click.option("--capacity", type=click.IntRange(0, 20), default=2, show_default=True,
              help="Reviews at once")
@click.option("--trained", "trained_date", type=click.DateTime(["%Y-%m-%d"]),
              help="Date of Home Office chair training (YYYY-MM-DD)")
@click.option("--conflict", "conflicts", multiple=True, help="Agency worked for (repeatable)")
@click.option("--exclude-csp", "excluded", multiple=True, help="CSP not to serve (repeatable)")
@click.option("--with-login", is_flag=True, help="Also create a chair sign-in account")
@click.option("--password-stdin", is_flag=True, help="Read the sign-in password from stdin")
@with_appcontext
def create_chair_command(email: str, name: str, roles: tuple[str, ...], capacity: int,
                         trained_date: datetime | None, conflicts: tuple[str, ...],
                         excluded: tuple[str, ...], with_login: bool,
                         password_stdin: bool) -> None:
    """Add a member to the chair pool."""
    if with_login:
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        try:
            create_user(email=email, role="chair", csp_names=[], name=name, password=password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    values: dict[str, Any] = {
        "name": name, "email": email, "roles": list(roles), "capacity": capacity,
        "conflict_agencies": [{"agency": a} for a in conflicts], "excluded_csps": list(excluded),
    }
    if trained_date is not None:
        values["trained_date"] = trained_date.date()
    try:
        member = create_member(None, values)
    except PoolInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    login = " (can sign in)" if member.user_id else ""
    click.echo(f"Added {member.name} <{member.email}> to the pool{login}")
