"""Server-side sessions behind the signed cookie, so that signing out really ends them.

Flask's session is a signed cookie: clearing it on sign-out does nothing to a copy taken
before. So each sign-in gets a random id, kept in the cookie and stored here as a digest;
the user loader accepts a cookie only while its row is live (not revoked, used within the
idle timeout, younger than the absolute lifetime). Ending a session is revoking its row.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from dhr.audit import record
from dhr.extensions import db
from dhr.models import User, UserSession
from dhr.models.types import utcnow

SESSION_KEY = "sid"
# How stale last_seen_dt may get: recording every request would be a write per page view.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def start_session(user: User, awaiting_second_factor: bool = False) -> str:
    """A new session for `user`; the returned id goes in the cookie and nowhere else.
    With `awaiting_second_factor` it is only half signed in until `complete_second_factor`."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, digest=_digest(session_id),
                               awaiting_second_factor=awaiting_second_factor))
    db.session.flush()
    return session_id


def complete_second_factor(session_id: str) -> None:
    """The second step is done: the session is now fully signed in."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.digest == _digest(session_id), UserSession.revoked_dt.is_(None))
        .values(awaiting_second_factor=False)
    )


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _expiry_reason(row: UserSession, now: datetime) -> str | None:
    lifetime = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if now - _aware(row.last_seen_dt) > _idle_limit():
        return "idle_timeout"
    if now - _aware(row.created_dt) > lifetime:
        return "max_lifetime"
    return None


def live_session(session_id: str) -> UserSession | None:
    """The live session row of an enabled user, or None. An expired session is revoked on
    sight."""
    if not session_id or len(session_id) > 200:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.digest == _digest(session_id)))
    if row is None or row.revoked_dt is not None or not row.user.is_enabled:
        return None
    now = utcnow()
    reason = _expiry_reason(row, now)
    if reason is not None:
        row.revoked_dt, row.revoked_reason = now, reason
        record("user.session_expired", row.user, None, {"reason": reason})
        db.session.commit()  # the view's rollback must not bring the session back
        return None
    # Touched often enough that activity never looks idle, even with a short idle limit.
    if now - _aware(row.last_seen_dt) > min(TOUCH_EVERY, _idle_limit() / 4):
        row.last_seen_dt = now
        db.session.commit()  # as for API tokens: a GET never commits otherwise
    return row


def end_session(session_id: str, actor: User) -> None:
    """Sign-out: revoke this one session and audit it."""
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.digest == _digest(session_id), UserSession.revoked_dt.is_(None))
        .values(revoked_dt=now, revoked_reason="signed_out")
    )
    record("user.signed_out", actor, actor)


def end_all_sessions(user: User, actor: User | None, reason: str) -> int:
    """Revoke every live session of `user` (sign out everywhere, disabled, role changed...);
    audited with the reason and how many were ended. Returns that number."""
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_dt.is_(None))
        .values(revoked_dt=utcnow(), revoked_reason=reason[:40])
    ).rowcount
    record("user.sessions_revoked", user, actor, {"reason": reason, "sessions": ended})
    return ended


def live_session_count(user: User) -> int:
    """Sessions not revoked (some may have run out without having been seen since)."""
    return db.session.scalar(
        select(func.count()).select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_dt.is_(None))
    ) or 0
