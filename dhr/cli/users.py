"""`dhr user ...`: create, disable, enable and change user accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

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
from dhr.extensions import db
from dhr.models import ROLES, User


def user_by_email(email: str) -> User:
    """The account with this email, in any case; a command-line error if there is none."""
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

    user = user_by_email(email)
    disable_user(user, None)
    db.session.commit()
    click.echo(f"Disabled {user.email}")


@user_group.command("enable")
@click.argument("email")
@with_appcontext
def enable_user_command(email: str) -> None:
    """Let a disabled account sign in again (old sessions and tokens stay ended)."""

    user = user_by_email(email)
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

    user = user_by_email(email)
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

    user = user_by_email(email)
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
    user = user_by_email(email)
    had = two_factor.reset(user, None)
    end_all_sessions(user, None, "two_factor_reset")
    db.session.commit()
    click.echo(f"Two-factor sign-in reset for {user.email}" if had else
               f"{user.email} had not set up two-factor sign-in; nothing to reset")
