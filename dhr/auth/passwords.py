"""Password hashing with argon2id and a per-account throttle kept in the database."""

from __future__ import annotations

import contextlib
from datetime import UTC, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from dhr.models import User
from dhr.models.types import utcnow

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def is_locked(user: User) -> bool:
    return user.locked_until_dt is not None and _aware(user.locked_until_dt) > utcnow()


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_password(user: User | None, password: str) -> bool:
    """Verify and record the attempt; a locked account is refused even with the right password."""
    if user is None or user.password_hash is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    if is_locked(user):
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            minutes = current_app.config["LOGIN_LOCK_MINUTES"]
            user.locked_until_dt = utcnow() + timedelta(minutes=minutes)
            user.failed_logins = 0
        return False
    user.failed_logins = 0
    user.locked_until_dt = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True
