"""API bearer tokens: random, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import ApiToken, User
from dhr.models.types import utcnow

PREFIX = "dhr_"
# How stale last_used_dt may get: recording every single call would be a write per request.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, label: str = "") -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, digest=_digest(token), label=label))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The enabled user owning an unrevoked token, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked_dt.is_(None))
    )
    if row is None or not row.user.is_enabled:
        return None
    now = utcnow()
    last = row.last_used_dt
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) > TOUCH_EVERY:
        # Committed here: a GET never commits, and the view's errors roll back the session.
        row.last_used_dt = now
        db.session.commit()
    return row.user
