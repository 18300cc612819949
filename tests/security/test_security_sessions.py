"""Sessions live on the server: signing out, signing out everywhere, disabling a user or
changing their role ends them, a copied cookie of an ended session signs nobody in, and
idle or too-old sessions run out."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from flask import g
from flask_login import encode_cookie
from sqlalchemy import select

from dhr.accounts import disable_user, enable_user, set_password, set_role
from dhr.extensions import db
from dhr.models import AuditEntry, User, UserSession
from dhr.models.types import utcnow
from tests.conftest import PASSWORD, Api, sign_in


def visit(client, path: str = "/", method: str = "GET"):
    """A request as from its own browser: the tests run every request inside the fixture's
    one app context, where Flask-Login would otherwise reuse the user of the last request."""
    g.pop("_login_user", None)
    return client.open(path, method=method)


def signed_in(client) -> bool:
    response = visit(client)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def signed_in_client(app, user: User):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    assert signed_in(client)
    return client


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def audit_actions(user: User) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "users",
                                        AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id)))


def age_sessions(user: User, *, idle: timedelta = timedelta(0),
                 age: timedelta = timedelta(0)) -> None:
    now = utcnow()
    for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        row.last_seen_dt, row.created_dt = now - idle, now - max(age, idle)
    db.session.commit()


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, make_user):
    user = make_user("coordinator")
    browser = signed_in_client(app, user)
    thief = copy_of(app, browser)
    assert signed_in(thief)
    assert visit(browser, "/sign-out", "POST").status_code == 302
    assert not signed_in(browser)
    assert not signed_in(thief)
    assert "user.signed_out" in audit_actions(user)


def test_signing_out_ends_only_that_session(app, make_user):
    user = make_user("coordinator")
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    visit(laptop, "/sign-out", "POST")
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_sign_out_everywhere_ends_every_session_of_that_user_only(app, make_user):
    user, colleague = make_user("coordinator"), make_user("coordinator")
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    other = signed_in_client(app, colleague)
    page = visit(laptop, "/account")
    assert page.status_code == 200
    assert "2 sessions" in page.text and "Sign out everywhere" in page.text
    response = visit(laptop, "/account/sign-out-everywhere", "POST")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(other)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.sessions_revoked", AuditEntry.object_id == user.id)).one()
    assert entry.data == {"reason": "signed_out_everywhere", "sessions": 2}


def test_sign_out_everywhere_needs_the_csrf_token(app, make_user):
    user = make_user("coordinator")
    browser = signed_in_client(app, user)
    app.config["WTF_CSRF_ENABLED"] = True
    visit(browser, "/account/sign-out-everywhere", "POST")  # a forged post from another site
    assert signed_in(browser)


def test_an_idle_session_runs_out(app, make_user):
    user = make_user("csp_manager")
    browser = signed_in_client(app, user)
    age_sessions(user, idle=timedelta(minutes=29))
    assert signed_in(browser)  # within the 30 minutes, and the visit counts as activity
    age_sessions(user, idle=timedelta(minutes=31))
    response = visit(browser, "/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    age_sessions(user)  # coming back does not revive it
    assert not signed_in(browser)
    assert "user.session_expired" in audit_actions(user)


def test_a_busy_session_still_ends_after_the_absolute_lifetime(app, make_user):
    user = make_user("csp_manager")
    browser = signed_in_client(app, user)
    age_sessions(user, age=timedelta(hours=11, minutes=59))
    assert signed_in(browser)
    age_sessions(user, age=timedelta(hours=12, minutes=1))
    assert not signed_in(browser)


def test_the_limits_follow_the_settings(app, make_user):
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    user = make_user("csp_manager")
    browser = signed_in_client(app, user)
    age_sessions(user, idle=timedelta(minutes=6))
    assert not signed_in(browser)
    browser = signed_in_client(app, user)
    age_sessions(user, age=timedelta(minutes=61))
    assert not signed_in(browser)


def test_a_remember_me_cookie_alone_signs_nobody_in(app, make_user):
    user = make_user("admin")
    browser = app.test_client()
    browser.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert not signed_in(browser)


@pytest.mark.parametrize("change", ["disable", "set_role", "set_password"])
def test_people_who_leave_or_change_jobs_are_signed_out(app, make_user, change):
    user = make_user("csp_manager", csps=["Dacorum"])
    browser = signed_in_client(app, user)
    api = Api(app.test_client(), user)
    assert api.get("/reviews").status_code == 200
    if change == "disable":
        disable_user(user, None)
    elif change == "set_role":
        set_role(user, None, role="practitioner", csp_names=[])
    else:
        set_password(user, None, "a brand new password 2026")
    db.session.commit()
    assert not signed_in(browser)
    token_works = api.get("/reviews").status_code == 200
    assert token_works is (change == "set_password")  # a new password keeps scripts running
    reason = {"disable": "user_disabled", "set_role": "role_changed",
              "set_password": "password_changed"}[change]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.sessions_revoked", AuditEntry.object_id == user.id)).one()
    assert entry.data == {"reason": reason, "sessions": 1}


def test_enabling_again_does_not_revive_old_sessions_or_tokens(app, make_user):
    user = make_user("coordinator")
    browser = signed_in_client(app, user)
    api = Api(app.test_client(), user)
    disable_user(user, None)
    db.session.commit()
    assert sign_in(app.test_client(), user).status_code == 400  # a disabled user cannot sign in
    enable_user(user, None)
    db.session.commit()
    assert not signed_in(browser)
    assert api.get("/reviews").status_code == 401
    assert signed_in_client(app, user)  # a new sign-in works


def run(app, *args: str, stdin: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def test_the_user_commands(app, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    browser = signed_in_client(app, user)
    result = run(app, "user", "set-role", user.email.upper(), "--role", "coordinator",
                 "--area", "Hertfordshire")
    assert result.exit_code == 0, result.output
    assert "is now coordinator" in result.output
    assert not signed_in(browser)
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "coordinator"

    assert run(app, "user", "disable", user.email).exit_code == 0
    assert sign_in(app.test_client(), user).status_code == 400
    assert run(app, "user", "enable", user.email).exit_code == 0
    browser = signed_in_client(app, user)

    result = run(app, "user", "set-password", user.email, "--password-stdin",
                 stdin="another long password\n")
    assert result.exit_code == 0, result.output
    assert not signed_in(browser)
    assert sign_in(app.test_client(), user, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), user, "another long password").status_code == 302
    actions = audit_actions(user)
    for action in ("user.role_changed", "user.disabled", "user.enabled",
                   "user.password_changed"):
        assert action in actions


@pytest.mark.parametrize(("args", "message"), [
    (["user", "set-role", "nobody@test.example", "--role", "admin"], "no user with email"),
    (["user", "set-role", "{email}", "--role", "csp_manager"], "needs at least one --csp"),
    (["user", "set-role", "{email}", "--role", "csp_manager", "--csp", "Narnia"],
     "unknown CSP"),
    (["user", "set-password", "{email}", "--password-stdin"], "at least 12 characters"),
    (["user", "disable", "nobody@test.example"], "no user with email"),
])
def test_the_user_commands_refuse_bad_input_and_change_nothing(app, make_user, args, message):
    user = make_user("coordinator")
    browser = signed_in_client(app, user)
    result = run(app, *[a.format(email=user.email) for a in args], stdin="short\n")
    assert result.exit_code != 0
    assert message in result.output
    assert signed_in(browser)
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "coordinator"


def test_with_a_short_idle_limit_every_visit_still_counts_as_activity(app, make_user):
    """The last-seen time is written at most every minute, or every quarter of the idle
    limit when that is shorter: activity 40 seconds ago is recorded with a 2-minute limit."""
    app.config["SESSION_IDLE_MINUTES"] = 2
    user = make_user("csp_manager")
    browser = signed_in_client(app, user)
    age_sessions(user, idle=timedelta(seconds=40))
    assert signed_in(browser)
    db.session.expire_all()
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    seen = row.last_seen_dt if row.last_seen_dt.tzinfo else row.last_seen_dt.replace(tzinfo=UTC)
    assert utcnow() - seen < timedelta(seconds=30)
