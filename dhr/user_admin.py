"""Managing other people's accounts from the web pages: who may manage whom, and the checks
around the account operations of dhr.accounts (which the command line uses too).

Administrators manage everyone. A county coordinator manages the users of their own area,
never an administrator, and gives only roles and CSPs of that area. Nobody changes their own
role or disables themselves (another manager must), so the last administrator can never
lock everyone out. Every operation is audited by dhr.accounts; none commits.
"""

from __future__ import annotations

import secrets

from sqlalchemy import ColumnElement, false, func, or_, select, true

from dhr.accounts import create_user, disable_user, enable_user, set_password, set_role
from dhr.errors import InvalidInput, NotFound, NotPermitted
from dhr.extensions import db
from dhr.models import ROLES, Area, Csp, User

MANAGER_ROLES = frozenset({"admin", "coordinator"})


def can_manage_users(actor: User) -> bool:
    return actor.role in MANAGER_ROLES


def managed_users_clause(actor: User) -> ColumnElement[bool]:
    """SQL condition selecting the accounts `actor` may see and change."""
    if actor.role == "admin":
        return true()
    if actor.role == "coordinator" and actor.area_id is not None:
        return (User.role != "admin") & (User.area_id == actor.area_id)
    return false()


def can_manage(actor: User, target: User) -> bool:
    if actor.role == "admin":
        return True
    return (actor.role == "coordinator" and actor.area_id is not None
            and target.role != "admin" and target.area_id == actor.area_id)


def managed_user(actor: User, user_id: int) -> User:
    """An account `actor` may manage; NotFound otherwise (never reveal that it exists)."""
    user = db.session.get(User, user_id)
    if user is None or not can_manage_users(actor) or not can_manage(actor, user):
        raise NotFound("no such user")
    return user


def assignable_roles(actor: User) -> tuple[str, ...]:
    if actor.role == "admin":
        return ROLES
    if actor.role == "coordinator":
        return tuple(role for role in ROLES if role != "admin")
    return ()


def assignable_csps(actor: User) -> list[Csp]:
    query = select(Csp).order_by(Csp.name)
    if actor.role != "admin":
        query = query.where(Csp.area_id == actor.area_id)
    return list(db.session.scalars(query))


def assignable_areas(actor: User) -> list[Area]:
    query = select(Area).order_by(Area.name)
    if actor.role != "admin":
        query = query.where(Area.id == actor.area_id)
    return list(db.session.scalars(query))


def _user_criteria(actor: User, role: str | None, search: str) -> list[ColumnElement[bool]]:
    criteria = [managed_users_clause(actor)]
    if role in ROLES:
        criteria.append(User.role == role)
    for word in search.split()[:10]:
        pattern = f"%{word.lower()[:100]}%"
        criteria.append(or_(func.lower(User.name).like(pattern),
                            func.lower(User.email).like(pattern)))
    return criteria


def count_users(actor: User, *, role: str | None = None, search: str = "") -> int:
    """How many accounts `actor` manages with this role and these words in the name or
    e-mail address."""
    return db.session.scalar(select(func.count()).select_from(User)
                             .where(*_user_criteria(actor, role, search))) or 0


def find_users(actor: User, *, role: str | None = None, search: str = "", offset: int = 0,
               limit: int = 50) -> list[User]:
    """A page of the accounts count_users counts, by name."""
    return list(db.session.scalars(
        select(User).where(*_user_criteria(actor, role, search))
        .order_by(func.lower(User.name), User.email, User.id).offset(offset).limit(limit)))


def _check_scope(actor: User, role: str, csp_names: list[str],
                 area_name: str | None) -> str | None:
    """Refuse a role or CSP `actor` may not give; the area a coordinator gives is their own."""
    problems: dict[str, str] = {}
    if role not in assignable_roles(actor):
        problems["role"] = "Select a role you can give"
    allowed = {csp.name.lower() for csp in assignable_csps(actor)} | {
        csp.slug for csp in assignable_csps(actor)}
    if any(name.lower() not in allowed for name in csp_names):
        problems["csps"] = "Select only CSPs of your area"
    if problems:
        raise InvalidInput("some choices are not yours to make", problems)
    if actor.role == "admin":
        return area_name
    return actor.area.name if actor.area else None


def new_password() -> str:
    """A strong initial or reset password, shown once to the person managing the account."""
    return secrets.token_urlsafe(15)


def create_account(actor: User, *, email: str, name: str, role: str, csp_names: list[str],
                   area_name: str | None) -> tuple[User, str]:
    """A new account with a generated password (returned, to be shown once)."""
    if not can_manage_users(actor):
        raise NotPermitted("your role cannot manage users")
    area_name = _check_scope(actor, role, csp_names, area_name)
    password = new_password()
    user = create_user(email=email, role=role, csp_names=csp_names, area_name=area_name,
                       name=name.strip(), password=password)
    return user, password


def _not_yourself(actor: User, target: User, what: str) -> None:
    if actor.id == target.id:
        raise NotPermitted(f"You cannot {what} yourself: ask another administrator")


def change_role(actor: User, target: User, *, role: str, csp_names: list[str],
                area_name: str | None) -> None:
    """New role or scope; their sessions end and their API tokens are revoked."""
    _not_yourself(actor, target, "change the role of")
    area_name = _check_scope(actor, role, csp_names, area_name)
    set_role(target, actor, role=role, csp_names=csp_names, area_name=area_name)


def disable_account(actor: User, target: User) -> None:
    _not_yourself(actor, target, "disable")
    disable_user(target, actor)


def enable_account(actor: User, target: User) -> None:
    enable_user(target, actor)


def reset_password(actor: User, target: User) -> str:
    """A new generated password (returned, to be shown once); their sessions end."""
    _not_yourself(actor, target, "reset the password of")
    password = new_password()
    set_password(target, actor, password)
    return password
