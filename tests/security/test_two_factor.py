"""Two-factor sign-in: required for every role but practitioner while DHR_REQUIRE_2FA is on;
enrolment with an authenticator app, a used code refused a second time, recovery codes shown
once, stored hashed and each usable once, an admin reset from the command line."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import current_app, g
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from dhr.extensions import db
from dhr.models import AuditEntry, RecoveryCode, TwoFactorCredential, User, UserSession
from dhr.sealing import unseal
from tests.conftest import sign_in
from tests.support.foundation import error_summary

WRONG_CODE = "Enter a correct code from your authenticator app, or an unused recovery code."


class FreshRequests(FlaskClient):
    """Each request as from a browser: the tests share one app context, where Flask-Login
    would otherwise reuse the user (and the session's step) of the previous request."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        g.pop("awaiting_second_factor", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshRequests
    return app.test_client()


@pytest.fixture(autouse=True)
def two_factor_on(app):
    app.config["REQUIRE_2FA"] = True
    app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"


def where(response) -> str:
    return urlsplit(response.headers["Location"]).path


def secret_on_page(client) -> str:
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    found = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
    assert found, "the key is shown as text beside the QR code"
    return found.group(1).replace(" ", "")


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def recovery_codes(page: str) -> list[str]:
    return [unescape(code) for code in re.findall(r"<li><code>([^<]+)</code></li>", page)]


def enrol(client, user: User) -> tuple[str, list[str]]:
    """Sign in with the password and enrol; returns the secret and the recovery codes."""
    assert where(sign_in(client, user)) == "/account/two-factor/set-up"
    secret = secret_on_page(client)
    client.enrolment_code = code_at(secret)
    response = client.post("/account/two-factor/set-up", data={"code": client.enrolment_code})
    assert response.status_code == 200
    codes = recovery_codes(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def audit_actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "users", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id)))


@pytest.mark.parametrize("role", ["admin", "coordinator", "csp_manager", "subgroup_member",
                                  "chair"])
def test_without_two_factor_a_user_can_do_nothing_but_enrol(client, make_user, role):
    user = make_user(role)
    response = sign_in(client, user)
    assert where(response) == "/account/two-factor/set-up"
    for path in ("/", "/reviews/new", "/account", "/search", "/recommendations",
                 "/account/two-factor"):
        assert where(client.get(path)) == "/sign-in/two-factor", path
    assert where(client.get("/sign-in/two-factor")) == "/account/two-factor/set-up"
    page = client.get("/account/two-factor/set-up")
    assert page.status_code == 200
    assert "<svg" in page.get_data(as_text=True)  # the QR code, inline
    assert "user.signed_in" not in audit_actions(user)


def test_practitioners_are_not_asked(client, make_user):
    user = make_user("practitioner")
    assert sign_in(client, user).status_code == 302
    assert client.get("/account").status_code == 200
    assert "user.signed_in" in audit_actions(user)


def test_enrolment_then_codes_and_recovery_codes(client, make_user):
    user = make_user("csp_manager")
    secret, codes = enrol(client, user)
    assert client.get("/").status_code == 200  # fully signed in after enrolling
    credential = db.session.scalar(select(TwoFactorCredential).where(
        TwoFactorCredential.user_id == user.id))
    assert credential.confirmed_dt is not None
    assert unseal(credential.sealed_secret, current_app.config) == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    # The codes are shown once: the set-up page is gone, the status page counts them.
    assert where(client.get("/account/two-factor/set-up")) == "/account/two-factor"
    status = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 unused recovery codes" in status and codes[0] not in status
    client.post("/sign-out")

    # Next sign-in: the password, then a code.
    assert where(sign_in(client, user)) == "/sign-in/two-factor"
    assert where(client.get("/")) == "/sign-in/two-factor"
    # The code used to enrol was used: refused a second time.
    reused = client.post("/sign-in/two-factor", data={"code": client.enrolment_code})
    assert reused.status_code == 400
    assert error_summary(reused.get_data(as_text=True)) == [WRONG_CODE]
    assert where(client.get("/")) == "/sign-in/two-factor"
    fresh_code = code_at(secret, 1)
    accepted = client.post("/sign-in/two-factor", data={"code": fresh_code})
    assert where(accepted) == "/"
    assert client.get("/").status_code == 200
    client.post("/sign-out")

    # The same code once more (another sign-in, same time step): refused.
    sign_in(client, user)
    again = client.post("/sign-in/two-factor", data={"code": fresh_code})
    assert again.status_code == 400
    # A recovery code works (typed in capitals with spaces), once.
    code = codes[3]
    typed = code.upper().replace("-", " ")
    assert where(client.post("/sign-in/two-factor", data={"code": typed})) == "/"
    assert client.get("/").status_code == 200
    assert "9 unused recovery codes" in client.get("/account/two-factor").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, user)
    used_twice = client.post("/sign-in/two-factor", data={"code": code})
    assert used_twice.status_code == 400
    assert error_summary(used_twice.get_data(as_text=True)) == [WRONG_CODE]
    actions = audit_actions(user)
    assert "user.two_factor_enrolled" in actions
    assert "user.two_factor_recovery_code_used" in actions
    assert "user.second_factor_failed" in actions


def test_a_wrong_enrolment_code_is_a_form_error(client, make_user):
    user = make_user("coordinator")
    sign_in(client, user)
    secret = secret_on_page(client)
    wrong = str((int(code_at(secret)) + 1) % 1_000_000).zfill(6)
    response = client.post("/account/two-factor/set-up", data={"code": wrong})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "Enter the 6-digit code your authenticator app shows now."]
    empty = client.post("/account/two-factor/set-up", data={"code": ""})
    assert error_summary(empty.get_data(as_text=True)) == [
        "Enter the 6-digit code from your authenticator app"]
    assert secret_on_page(client) == secret  # the same key until it is confirmed
    assert where(client.get("/")) == "/sign-in/two-factor"


def test_the_half_signed_in_session_is_marked_on_the_server(client, make_user):
    user = make_user("admin")
    sign_in(client, user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.awaiting_second_factor is True
    secret = secret_on_page(client)
    client.post("/account/two-factor/set-up", data={"code": code_at(secret)})
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).awaiting_second_factor is False


def test_wrong_codes_count_towards_the_accounts_wait(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=2)
    user = make_user("admin")
    secret, _codes = enrol(client, user)
    client.post("/sign-out")
    sign_in(client, user)
    for _ in range(2):
        client.post("/sign-in/two-factor", data={"code": "000000"})
    refused = client.post("/sign-in/two-factor", data={"code": code_at(secret, 1)})
    assert refused.status_code == 400  # the right code, but the account must wait
    assert where(client.get("/")) == "/sign-in/two-factor"


def test_an_admin_resets_two_factor_from_the_command_line(app, client, make_user):
    user = make_user("csp_manager")
    enrol(client, user)
    assert client.get("/").status_code == 200
    result = app.test_cli_runner().invoke(args=["user", "reset-2fa", user.email])
    assert result.exit_code == 0, result.output
    assert f"Two-factor sign-in reset for {user.email}" in result.output
    assert where(client.get("/")) == "/sign-in"  # the session ended with the reset
    assert db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id)).all() == []
    assert "user.two_factor_reset" in audit_actions(user)
    assert where(sign_in(client, user)) == "/account/two-factor/set-up"  # enrol again
    unknown = app.test_cli_runner().invoke(args=["user", "reset-2fa", "nobody@x.example"])
    assert unknown.exit_code != 0 and "no user with email" in unknown.output


def test_with_two_factor_off_nobody_is_asked(app, client, make_user):
    app.config["REQUIRE_2FA"] = False
    user = make_user("admin")
    assert where(sign_in(client, user)) == "/"
    assert client.get("/").status_code == 200


def test_the_database_never_holds_the_authenticator_secret(client, make_user):
    """A copy of the database alone (a dump, a mislaid backup) must not let anyone make codes."""
    user = make_user("coordinator")
    secret, _codes = enrol(client, user)
    rows = db.session.execute(text("SELECT * FROM two_factor_credentials")).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert secret not in stored and secret.lower() not in stored


def test_a_rotated_secret_key_keeps_two_factor_working_while_the_old_one_is_listed(
        app, client, make_user, caplog):
    user = make_user("coordinator")
    secret, _codes = enrol(client, user)
    client.post("/sign-out")
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a new secret key of forty characters ....."
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert where(sign_in(client, user)) == "/sign-in/two-factor"
    assert where(client.post("/sign-in/two-factor", data={"code": code_at(secret, 1)})) == "/"
    client.post("/sign-out")

    # The old key dropped: no code is accepted, and the log tells the admin what to do.
    app.config["SECRET_KEY_FALLBACKS"] = []
    db.session.execute(update(TwoFactorCredential).values(last_step=None))  # as if time passed
    db.session.commit()
    assert where(sign_in(client, user)) == "/sign-in/two-factor"
    refused = client.post("/sign-in/two-factor", data={"code": code_at(secret, 1)})
    assert refused.status_code == 400
    assert error_summary(refused.get_data(as_text=True)) == [WRONG_CODE]
    assert "dhr user reset-2fa" in caplog.text
