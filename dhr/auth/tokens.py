"""API bearer tokens: random, shown once, stored as a SHA-256 digest.

A token expires (after API_TOKEN_DAYS unless told otherwise), can be revoked by its owner or
an administrator, and may be read-only. Issuing and revoking are audited; operations flush
but never commit, except the last-used stamp (see token_for).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from dhr.audit import record
from dhr.errors import InvalidInput, NotFound
from dhr.extensions import db
from dhr.models import ApiToken, User
from dhr.models.types import utcnow

PREFIX = "dhr_"
MAX_DAYS = 3650
# How stale last_used_dt may get: recording every single call would be a write per request.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def issue_token(user: User, label: str = "", *, days: int | None = None,
                read_only: bool = False, actor: User | None = None) -> str:
    """A new token for `user`, valid `days` (default: the API_TOKEN_DAYS setting); the
    returned text is shown once and never stored."""
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a token lasts from 1 to {MAX_DAYS} days",
                           {"days": f"must be from 1 to {MAX_DAYS}"})
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, digest=_digest(token), label=label[:120], is_read_only=read_only,
                   expires_dt=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record("token.created", user, actor, {"token_id": row.id, "label": row.label,
                                          "days": days, "read_only": read_only})
    return token


def is_live(row: ApiToken, now: datetime | None = None) -> bool:
    return row.revoked_dt is None and _aware(row.expires_dt) > (now or utcnow())


def token_for(token: str) -> ApiToken | None:
    """The live token row (unrevoked, unexpired, of an enabled user) for a bearer token."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    now = utcnow()
    if row is None or not is_live(row, now) or not row.user.is_enabled:
        return None
    last = row.last_used_dt
    if last is None or now - _aware(last) > TOUCH_EVERY:
        # Committed here: a GET never commits, and the view's errors roll back the session.
        row.last_used_dt = now
        db.session.commit()
    return row


def tokens_of(user: User | None = None) -> list[ApiToken]:
    """Tokens, newest first: one user's, or everyone's (revoked and expired included)."""
    query = select(ApiToken).order_by(ApiToken.created_dt.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def revoke_token(row: ApiToken, actor: User | None) -> bool:
    """Revoke one token; False when it was already revoked (nothing changes then)."""
    if row.revoked_dt is not None:
        return False
    row.revoked_dt = utcnow()
    record("token.revoked", row.user, actor, {"token_id": row.id, "label": row.label})
    return True


def own_token(user: User, token_id: int) -> ApiToken:
    """One of `user`'s own tokens; NotFound for anyone else's (never reveal it exists)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("no such token")
    return row
