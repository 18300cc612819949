"""Secrets the database must not hold in the clear, sealed with a key derived from the
application's secret key: today the authenticator secrets of two-factor sign-in. A copy of
the database alone (a PostgreSQL dump, a mislaid backup of it) then lets nobody make sign-in
codes. The secret key itself lives outside the database (DHR_SECRET_KEY, or the data folder).

Sealing uses SECRET_KEY; opening also tries SECRET_KEY_FALLBACKS (DHR_PREVIOUS_SECRET_KEYS),
so the secret key can be rotated without every user enrolling again.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"dhr sealed secrets v1"


class SealBroken(Exception):
    """The sealed value was not sealed with the secret key or any previous one."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _box(config: Mapping[str, Any]) -> MultiFernet:
    keys = [config["SECRET_KEY"], *config.get("SECRET_KEY_FALLBACKS", ())]
    return MultiFernet([_fernet(key) for key in keys])


def seal(value: str, config: Mapping[str, Any]) -> str:
    return _box(config).encrypt(value.encode()).decode()


def unseal(sealed: str, config: Mapping[str, Any]) -> str:
    try:
        return _box(config).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SealBroken("sealed with a secret key this application no longer has") from None
