"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-use recovery codes.

Required for every role except practitioner while REQUIRE_2FA is on (DHR_REQUIRE_2FA, default
true). The secret is created when the user starts to enrol and confirmed by their first code;
then ten recovery codes are shown once and stored as argon2 hashes. The secret is kept sealed
(dhr.sealing); if the secret key changed without DHR_PREVIOUS_SECRET_KEYS, no code is accepted
and the log says so: an admin resets the user's two-factor sign-in. A code is accepted for the
time step before, at or after now (clocks drift), and only for a step later than the last one
accepted, so that a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, or_, select, update

from dhr.audit import record
from dhr.auth.passwords import hash_password, verify_hash
from dhr.extensions import db
from dhr.models import RecoveryCode, TwoFactorCredential, User
from dhr.models.types import utcnow
from dhr.sealing import SealBroken, seal, unseal

log = logging.getLogger(__name__)

ISSUER = "DHR"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required_for(user: User) -> bool:
    """Must this user give a second factor to sign in?"""
    return bool(current_app.config["REQUIRE_2FA"]) and (
        user.role != "practitioner" or is_enrolled(user))


def _credential(user: User) -> TwoFactorCredential | None:
    return db.session.scalar(
        select(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id))


def is_enrolled(user: User) -> bool:
    credential = _credential(user)
    return credential is not None and credential.confirmed_dt is not None


def enrolment_secret(user: User) -> str:
    """The secret to show while the user enrols: the same one until they confirm it (or
    until the secret key changes, which starts the enrolment afresh)."""
    credential = _credential(user)
    if credential is not None:
        try:
            return unseal(credential.sealed_secret, current_app.config)
        except SealBroken:
            db.session.delete(credential)
    secret = pyotp.random_base32()
    db.session.add(TwoFactorCredential(user_id=user.id,
                                       sealed_secret=seal(secret, current_app.config)))
    db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no image request, nothing inline to run)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app")
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def _matching_step(credential: TwoFactorCredential, code: str) -> int | None:
    """The time step (now, or one either side) whose code is `code`, if later than the last
    step accepted."""
    try:
        secret = unseal(credential.sealed_secret, current_app.config)
    except SealBroken:
        log.error("user %s: their authenticator secret was sealed with another secret key; "
                  "reset their two-factor sign-in (dhr user reset-2fa)", credential.user_id)
        return None
    after = credential.last_step
    current = int(time.time()) // 30
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(
                pyotp.TOTP(secret).generate_otp(step), code):
            return step
    return None


def _claim_step(credential: TwoFactorCredential, step: int) -> bool:
    """Record `step` as used, unless a concurrent request used it (or a later one) first."""
    claimed = db.session.execute(
        update(TwoFactorCredential)
        .where(TwoFactorCredential.id == credential.id,
               or_(TwoFactorCredential.last_step.is_(None),
                   TwoFactorCredential.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(credential)
    return claimed == 1


def _digits(code: str) -> str:
    return "".join(code.split())


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Confirm the authenticator with its first code; return the new recovery codes (to be
    shown once), or None when the code is wrong."""
    credential = _credential(user)
    if credential is None or credential.confirmed_dt is not None:
        return None
    step = _matching_step(credential, _digits(code))
    if step is None or not _claim_step(credential, step):
        return None
    credential.confirmed_dt = utcnow()
    codes = _new_recovery_codes(user)
    record("user.two_factor_enrolled", user, user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(_normal(code)))
                       for code in codes)
    db.session.flush()
    return codes


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def check_second_factor(user: User, code: str) -> str | None:
    """"authenticator" or "recovery_code" when `code` is accepted (and now used up);
    None when it is wrong or was used before."""
    credential = _credential(user)
    if credential is None or credential.confirmed_dt is None:
        return None
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        step = _matching_step(credential, digits)
        return "authenticator" if step is not None and _claim_step(credential, step) else None
    return "recovery_code" if _use_recovery_code(user, _normal(code)) else None


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != 12:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None)))
    for row in unused:
        if verify_hash(row.code_hash, code):
            used = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_dt.is_(None))
                .values(used_dt=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            record("user.two_factor_recovery_code_used", user, user,
                   {"codes_left": recovery_codes_left(user)})
            return used == 1
    return False


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None))).all())


def reset(user: User, actor: User | None) -> bool:
    """Forget the user's authenticator and recovery codes (an admin's remedy for a lost
    phone): they enrol again at their next sign-in. Audited; False if there was nothing."""
    had = _credential(user) is not None
    db.session.execute(delete(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("user.two_factor_reset", user, actor, {"was_enrolled": had})
    return had
