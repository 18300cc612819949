"""Creating user accounts (used by the CLI and the demo loader)."""

from __future__ import annotations

from sqlalchemy import func, select

from dhr.audit import record
from dhr.auth.passwords import hash_password
from dhr.errors import InvalidInput
from dhr.extensions import db
from dhr.models import ROLES, Area, Csp, User
from dhr.reviews import find_csp

AREA_ROLES = frozenset({"coordinator", "subgroup_member", "csp_manager"})


class AccountError(InvalidInput):
    """An account that cannot be created as asked (the message says why)."""


def create_user(*, email: str, role: str, csp_names: list[str], area_name: str | None = None,
                name: str = "", password: str | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"a user with email {email} already exists")
    csps: list[Csp] = []
    for csp_name in csp_names:
        csp = find_csp(csp_name)
        if csp is None:
            raise AccountError(f"unknown CSP {csp_name!r}")
        csps.append(csp)
    if role == "csp_manager" and not csps:
        raise AccountError("a csp_manager needs at least one --csp")
    area = None
    if area_name:
        area = db.session.scalar(select(Area).where(func.lower(Area.name) == area_name.lower()))
        if area is None:
            raise AccountError(f"unknown area {area_name!r}")
    elif csps:
        area = csps[0].area
    elif role in AREA_ROLES:
        areas = db.session.scalars(select(Area)).all()
        if len(areas) != 1:
            raise AccountError(f"a {role} needs --area (or --csp) when there are several areas")
        area = areas[0]
    try:
        password_hash = hash_password(password) if password else None
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    user = User(email=email, role=role, name=name, area=area, csps=csps,
                password_hash=password_hash)
    db.session.add(user)
    record("user.created", user, None, {"email": email, "role": role,
                                        "csps": [c.name for c in csps]})
    return user
