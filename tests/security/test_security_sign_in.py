"""Signing in and out: one message for every failure, a growing per-account wait kept in the
database, `next` only to this site, and the sign-in notification written by a job."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Notification, User
from dhr.models.types import utcnow
from tests.conftest import PASSWORD, sign_in
from tests.support.foundation import error_summary

WRONG = "Enter a correct email address and password."


def attempt(client, email: str, password: str, next_path: str | None = None):
    url = "/sign-in" if next_path is None else "/sign-in?" + urlencode({"next": next_path})
    return client.post(url, data={"email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_right_password_signs_in_and_is_audited(client, make_user):
    user = make_user("coordinator")
    assert not signed_in(client)
    response = sign_in(client, user)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert signed_in(client)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "users",
                                        AuditEntry.object_id == user.id)
    ).all()
    assert "user.signed_in" in actions


def test_email_is_matched_without_regard_to_case(client, make_user):
    user = make_user("admin", email="Sarah.Taylor@Herts.example")
    assert attempt(client, "  SARAH.TAYLOR@herts.EXAMPLE ", PASSWORD).status_code == 302
    assert signed_in(client)
    assert fresh(user).failed_logins == 0


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user("admin")
    wrong = attempt(client, user.email, "not the password at all")
    unknown = attempt(client, "nobody@test.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert error_summary(wrong.get_data(as_text=True)) == [WRONG]
    assert error_summary(unknown.get_data(as_text=True)) == [WRONG]
    assert not signed_in(client)
    assert fresh(user).failed_logins == 1


def test_empty_and_malformed_fields_are_form_errors(client):
    response = client.post("/sign-in", data={"email": "not-an-email", "password": ""})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "Enter a valid email address", "Enter your password"]


def test_the_right_password_after_the_wait_signs_in(app, client, make_user):
    """Past the limit the account must wait; the real user's right password then works."""
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 5  # the default of DHR_LOGIN_MAX_FAILURES
    user = make_user("admin")
    for _ in range(limit - 1):
        assert error_summary(attempt(client, user.email, "wrong password!").get_data(
            as_text=True)) == [WRONG]
    assert fresh(user).locked_until_dt is None
    attempt(client, user.email, "wrong password!")  # the last failure before waits begin
    assert fresh(user).locked_until_dt is not None
    # During the wait even the right password is refused, with the same answer as always.
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [WRONG]
    assert not signed_in(client)
    # When the wait is over, the right password works again.
    user = fresh(user)
    user.locked_until_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)
    assert fresh(user).failed_logins == 0


def _wait_after_failure(client, user: User) -> timedelta:
    before = utcnow()
    attempt(client, user.email, "wrong password!")
    until = fresh(user).locked_until_dt
    if until.tzinfo is None:
        until = until.replace(tzinfo=before.tzinfo)
    return until - before


def _let_the_wait_pass(user: User) -> None:
    user = fresh(user)
    user.locked_until_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_the_wait_doubles_with_each_failure_up_to_the_configured_minutes(app, client,
                                                                           make_user):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_DELAY_SECONDS=60, LOGIN_LOCK_MINUTES=5)
    user = make_user("admin")
    attempt(client, user.email, "wrong password!")
    assert fresh(user).locked_until_dt is None
    waits = []
    for _ in range(5):
        waits.append(_wait_after_failure(client, user))
        _let_the_wait_pass(user)
    minutes = [round(wait.total_seconds() / 60) for wait in waits]
    assert minutes == [1, 2, 4, 5, 5]


def test_attempts_during_the_wait_do_not_lengthen_it(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=1, LOGIN_DELAY_SECONDS=60)
    user = make_user("admin")
    attempt(client, user.email, "wrong password!")
    until = fresh(user).locked_until_dt
    for _ in range(3):
        attempt(client, user.email, "wrong password!")
    assert fresh(user).locked_until_dt == until
    assert fresh(user).failed_logins == 1


def test_a_success_resets_the_count(client, make_user):
    user = make_user("admin")
    for _ in range(4):
        attempt(client, user.email, "wrong password!")
    assert sign_in(client, user).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        attempt(client, user.email, "wrong password!")
    assert fresh(user).locked_until_dt is None
    assert sign_in(client, user).status_code == 302


def test_the_wait_is_per_account(client, make_user):
    waiting, other = make_user("admin"), make_user("admin")
    for _ in range(5):
        attempt(client, waiting.email, "wrong password!")
    assert sign_in(client, other).status_code == 302


@pytest.mark.parametrize("next_path", [
    "/reviews/new",
    "/?state=notified&csp=3",
    "/reviews/12",
])
def test_next_leads_back_to_the_page_asked_for(client, make_user, next_path):
    response = attempt(client, make_user("admin").email, PASSWORD, next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == next_path


@pytest.mark.parametrize("next_path", [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "javascript:alert(1)",
    "http:/evil.example",
    "evil.example",
    "",
])
def test_next_never_leads_off_the_site(client, make_user, next_path):
    response = attempt(client, make_user("admin").email, PASSWORD, next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_disabled_users_cannot_sign_in(client, make_user):
    user = make_user("admin")
    user.is_enabled = False
    db.session.commit()
    response = sign_in(client, user)
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [WRONG]
    assert not signed_in(client)


def test_an_account_without_a_password_cannot_sign_in(client, make_user):
    user = make_user("admin")
    user.password_hash = None
    db.session.commit()
    assert sign_in(client, user, password="").status_code == 400
    assert sign_in(client, user, password=PASSWORD).status_code == 400
    assert not signed_in(client)


def test_sign_out_ends_the_session(client, make_user):
    sign_in(client, make_user("admin"))
    assert client.get("/sign-out").status_code == 405
    assert signed_in(client)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert "You have signed out." in client.get("/sign-in").get_data(as_text=True)
    assert not signed_in(client)


def test_signing_in_writes_a_notification_that_the_dashboard_shows(client, make_user):
    user = make_user("csp_manager")
    assert db.session.scalars(select(Notification)).all() == []
    sign_in(client, user)
    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    notice = notices.one()
    assert notice.kind == "sign_in"
    assert notice.message.startswith("Your account signed in at ")
    assert "from 127.0.0.1" in notice.message
    assert notice.message in client.get("/").get_data(as_text=True)


def test_a_failed_sign_in_writes_no_notification(client, make_user):
    user = make_user("admin")
    attempt(client, user.email, "wrong password!")
    assert db.session.scalars(select(Notification)).all() == []
