"""Password hashing with argon2id, and the per-account delay after repeated failures.

Every sign-in attempt verifies one argon2 hash, whatever the account: the account's own, or a
dummy one when there is no such account, no password, or the account must wait. So the
answer and the time it takes say nothing about which accounts exist or their state.

Instead of a lock that anyone could set off by typing wrong passwords, an account that failed
LOGIN_MAX_FAILURES times in a row must wait before its next attempt counts: LOGIN_DELAY_SECONDS
after that failure, doubling with each further failure, never more than LOGIN_LOCK_MINUTES.
An attempt during the wait is refused like a wrong password and does not lengthen it.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from dhr.models import User
from dhr.models.types import utcnow

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when there is no usable hash, so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_hash(stored: str | None, secret: str) -> bool:
    """True when `secret` matches the argon2 hash `stored`; a dummy verification (same cost)
    when there is no hash. Also serves the recovery codes of two-factor sign-in."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, secret) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def must_wait(user: User) -> bool:
    """The account failed too often lately: attempts are refused until the wait is over."""
    return user.locked_until_dt is not None and _aware(user.locked_until_dt) > utcnow()


def _next_wait(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure in a row (None while under the limit)."""
    config = current_app.config
    beyond = failures - config["LOGIN_MAX_FAILURES"]
    if beyond < 0:
        return None
    longest = config["LOGIN_LOCK_MINUTES"] * 60
    seconds = config["LOGIN_DELAY_SECONDS"] * 2 ** min(beyond, 32)
    return timedelta(seconds=min(seconds, longest))


def count_failure(user: User) -> None:
    """One more failure in a row (a wrong password or second-factor code); past the limit,
    the account must wait before its next attempt counts."""
    user.failed_logins += 1
    wait = _next_wait(user.failed_logins)
    if wait is not None:
        user.locked_until_dt = utcnow() + wait


def clear_failures(user: User) -> None:
    user.failed_logins = 0
    user.locked_until_dt = None


def check_password(user: User | None, password: str) -> tuple[bool, str]:
    """Verify `password` for `user` and record the outcome on the account.

    Returns (accepted, reason); reason is for the audit only ("ok", "unknown_account",
    "no_password", "disabled", "waiting", "wrong_password"): the person is told the same
    thing whatever it is."""
    if user is None or user.password_hash is None:
        verify_hash(None, password)
        return False, "unknown_account" if user is None else "no_password"
    if must_wait(user):
        verify_hash(None, password)
        return False, "waiting"
    if not verify_hash(user.password_hash, password):
        count_failure(user)
        return False, "wrong_password"
    if not user.is_enabled:
        return False, "disabled"
    clear_failures(user)
    with contextlib.suppress(InvalidHashError):
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
    return True, "ok"
