"""User accounts: creating them, and what happens when people leave or change jobs.

Disabling a user, changing their role or scope, or changing their password ends every
session they have; disabling or a role change also revokes their API tokens. Each change
is audited. Operations flush and audit but never commit.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from dhr.audit import record
from dhr.auth.passwords import hash_password
from dhr.auth.sessions import end_all_sessions
from dhr.errors import InvalidInput
from dhr.extensions import db
from dhr.models import ROLES, ApiToken, Area, Csp, User
from dhr.models.types import utcnow
from dhr.reviews import find_csp

AREA_ROLES = frozenset({"coordinator", "subgroup_member", "csp_manager"})


class AccountError(InvalidInput):
    """An account that cannot be created as asked (the message says why)."""


def _scope(role: str, csp_names: list[str], area_name: str | None) -> tuple[list[Csp], Area | None]:
    """The CSPs and area a user of `role` works in, checked."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}", {"role": "Select a role from the list"})
    csps: list[Csp] = []
    for csp_name in csp_names:
        csp = find_csp(csp_name)
        if csp is None:
            raise AccountError(f"unknown CSP {csp_name!r}", {"csps": "Select CSPs from the list"})
        csps.append(csp)
    if role == "csp_manager" and not csps:
        raise AccountError("a csp_manager needs at least one --csp",
                           {"csps": "Select at least one CSP for a CSP manager"})
    area = None
    if area_name:
        area = db.session.scalar(select(Area).where(func.lower(Area.name) == area_name.lower()))
        if area is None:
            raise AccountError(f"unknown area {area_name!r}",
                               {"area": "Select an area from the list"})
    elif csps:
        area = csps[0].area
    elif role in AREA_ROLES:
        areas = db.session.scalars(select(Area)).all()
        if len(areas) != 1:
            raise AccountError(f"a {role} needs --area (or --csp) when there are several areas",
                               {"area": "Select an area, or a CSP"})
        area = areas[0]
    return csps, area


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def email_in_use(email: str) -> bool:
    return db.session.scalar(
        select(User.id).where(func.lower(User.email) == email.strip().lower())) is not None


def create_user(*, email: str, role: str, csp_names: list[str], area_name: str | None = None,
                name: str = "", password: str | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address",
                           {"email": "Enter an email address in the correct format, like "
                                     "name@example.com"})
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}", {"role": "Select a role from the list"})
    if email_in_use(email):
        raise AccountError(f"a user with email {email} already exists",
                           {"email": "An account with this email address already exists"})
    csps, area = _scope(role, csp_names, area_name)
    password_hash = _hash(password) if password else None
    user = User(email=email, role=role, name=name, area=area, csps=csps,
                password_hash=password_hash)
    db.session.add(user)
    record("user.created", user, None, {"email": email, "role": role,
                                        "csps": [c.name for c in csps]})
    return user


def revoke_tokens(user: User) -> int:
    """Revoke every API token of `user`; returns how many were live."""
    return db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))
        .values(revoked_dt=utcnow())
    ).rowcount


def disable_user(user: User, actor: User | None) -> None:
    """They can no longer sign in; their sessions end and their API tokens stop working."""
    user.is_enabled = False
    tokens = revoke_tokens(user)
    end_all_sessions(user, actor, "user_disabled")
    record("user.disabled", user, actor, {"tokens_revoked": tokens})


def enable_user(user: User, actor: User | None) -> None:
    """Signing in works again (with a new sign-in: old sessions and tokens stay ended)."""
    user.is_enabled = True
    user.failed_logins = 0
    user.locked_until_dt = None
    record("user.enabled", user, actor)


def set_role(user: User, actor: User | None, *, role: str, csp_names: list[str],
             area_name: str | None = None) -> None:
    """A new role or scope: what they could see before must not stay open in a browser or
    a script, so sessions end and tokens are revoked."""
    csps, area = _scope(role, csp_names, area_name)
    before = {"role": user.role, "csps": [c.name for c in user.csps],
              "area": user.area.name if user.area else None}
    user.role, user.csps, user.area = role, csps, area
    tokens = revoke_tokens(user)
    end_all_sessions(user, actor, "role_changed")
    record("user.role_changed", user, actor, {
        "before": before,
        "after": {"role": role, "csps": [c.name for c in csps],
                  "area": area.name if area else None},
        "tokens_revoked": tokens,
    })


def set_password(user: User, actor: User | None, password: str) -> None:
    """A new password (a reset by an administrator, or a change): other sessions end."""
    user.password_hash = _hash(password)
    user.failed_logins = 0
    user.locked_until_dt = None
    end_all_sessions(user, actor, "password_changed")
    record("user.password_changed", user, actor)
