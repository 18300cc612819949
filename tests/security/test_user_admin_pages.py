"""User management in the web pages, tried as its users and as an attacker: administrators
manage everyone; a county coordinator only their own area's accounts and never an
administrator; nobody else reaches the pages; nobody changes or disables their own account
(so the last administrator cannot lock everyone out). Each change is audited and ends the
person's sessions (and, for a role change or disabling, their API tokens)."""

from __future__ import annotations

import html as html_text
import re

import pytest
from flask import g
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AuditEntry, User
from tests.conftest import PASSWORD, Api, sign_in
from tests.support.csrf import sign_in_with_token, token_from


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def elsewhere(request):
    """A request from another browser: the tests share one app context, where Flask-Login
    would otherwise reuse the user of the last request, before and after it."""
    g.pop("_login_user", None)
    try:
        return request()
    finally:
        g.pop("_login_user", None)


def still_signed_in(browser) -> bool:
    return elsewhere(lambda: browser.get("/")).status_code == 200


def can_sign_in(app, user, password: str = PASSWORD) -> bool:
    return elsewhere(lambda: sign_in(app.test_client(), user, password)).status_code == 302


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input checked [^>]*name="{name}"[^>]*value="([^"]+)"', html)


def shown_password(html: str) -> str:
    found = re.search(r'id="new-password">([^<]+)<', html)
    assert found, "no password shown"
    return found.group(1)


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


NEW_MANAGER = {"name": "Priya Shah", "email": "priya.shah@dacorum.example",
               "role": "csp_manager", "csps": ["dacorum"], "area": ""}


def test_an_admin_lists_filters_and_finds_users(client, make_user):
    admin = make_user("admin")
    make_user("csp_manager", email="helen.carter@dacorum.example")
    make_user("subgroup_member", email="sam.okafor@herts.example")
    sign_in(client, admin)
    html = page(client, "/users")
    assert "helen.carter@dacorum.example" in html and "sam.okafor@herts.example" in html
    assert "CSP manager" in html and "Sub-group member" in html and "Csp manager" not in html
    html = page(client, "/users?role=subgroup_member")
    assert "sam.okafor@herts.example" in html and "helen.carter" not in html
    html = page(client, "/users?q=CARTER")
    assert "helen.carter@dacorum.example" in html and "sam.okafor" not in html
    assert "No users match." in page(client, "/users?q=nobody-like-this&page=99999999999999")


def test_an_admin_creates_a_user_who_can_then_sign_in(client, app, make_user):
    admin = make_user("admin")
    sign_in(client, admin)
    response = client.post("/users/new", data=NEW_MANAGER)
    assert response.status_code == 200
    password = shown_password(response.get_data(as_text=True))
    created = user_by_email("priya.shah@dacorum.example")
    assert created.role == "csp_manager" and [c.name for c in created.csps] == ["Dacorum"]
    assert created.name == "Priya Shah" and created.area.name == "Hertfordshire"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.created")).all()[-1]
    assert entry.object_id == created.id
    assert can_sign_in(app, created, password)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Enter the person's full name"),
    ("name", "x" * 201, "Enter a name of 200 characters or fewer"),
    ("email", "", "Enter an email address"),
    ("email", "priya.shah", "Enter an email address in the correct format"),
    ("email", "{existing}", "An account with this email address already exists"),
    ("role", "", "Select a role"),
    ("role", "emperor", "Select a role from the list"),
    ("csps", [], "Select at least one CSP for a CSP manager"),
    ("csps", ["narnia"], "Select CSPs from the list"),
    ("area", "Atlantis", "Select an area from the list"),
])
def test_every_wrong_field_is_refused_with_a_message_and_nothing_written(
        client, make_user, field, value, message):
    admin = make_user("admin")
    sign_in(client, admin)
    users_before, audit_before = db.session.scalar(select(func.count(User.id))), audit_count()
    data = {**NEW_MANAGER, field: value.format(existing=admin.email)
            if isinstance(value, str) else value}
    response = client.post("/users/new", data=data)
    html = html_text.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "<title>Error: Add a user" in html
    assert 'class="govuk-error-summary"' in html and message in html
    assert 'class="govuk-error-message"' in html
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert audit_count() == audit_before


def test_all_fields_wrong_at_once_are_all_reported(client, make_user):
    sign_in(client, make_user("admin"))
    response = client.post("/users/new", data={"name": "", "email": "nope", "area": "Atlantis"})
    html = response.get_data(as_text=True)
    start = html.index("govuk-error-summary__list")
    summary = html[start:html.index("</ul>", start)]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["name", "email", "role-0", "area"]


def test_a_coordinator_manages_only_their_own_area_and_never_admins(client, make_user):
    coordinator = make_user("coordinator", area="Hertfordshire")
    admin = make_user("admin", email="admin@herts.example")
    local = make_user("csp_manager", csps=["Watford"], email="local@watford.example")
    away = make_user("coordinator", area="Herefordshire", email="away@hereford.example")
    sign_in(client, coordinator)
    html = page(client, "/users")
    assert "local@watford.example" in html
    assert "admin@herts.example" not in html and "away@hereford.example" not in html
    for target in (admin, away):
        for path in ("", "/role", "/disable", "/password"):
            assert client.get(f"/users/{target.id}{path}").status_code == 404
            if path:
                assert client.post(f"/users/{target.id}{path}",
                                   data={"role": "practitioner"}).status_code == 404
        assert client.post(f"/users/{target.id}/enable").status_code == 404
    assert user_by_email("admin@herts.example").is_enabled
    assert user_by_email("away@hereford.example").role == "coordinator"

    # The roles and CSPs offered are their area's; admin and another county's CSP refused.
    form = page(client, "/users/new")
    assert 'value="admin"' not in form and "Watford" in form and "Herefordshire" not in form
    for data in ({**NEW_MANAGER, "role": "admin"}, {**NEW_MANAGER, "csps": ["herefordshire"]}):
        assert client.post("/users/new", data=data).status_code == 400
    assert client.post(f"/users/{local.id}/role", data={"role": "admin"}).status_code == 400
    assert user_by_email("local@watford.example").role == "csp_manager"
    assert user_by_email(NEW_MANAGER["email"]) is None

    # Within the area: a new chair gets the coordinator's area, so they can manage it after.
    response = client.post("/users/new", data={"name": "Ann Chair", "email": "ann@chairs.example",
                                               "role": "chair"})
    assert response.status_code == 200
    assert user_by_email("ann@chairs.example").area.name == "Hertfordshire"


@pytest.mark.parametrize("role", ["csp_manager", "subgroup_member", "chair", "practitioner"])
def test_other_roles_cannot_reach_the_pages(client, make_user, role):
    target = make_user("practitioner", email="target@test.example")
    sign_in(client, make_user(role))
    for path in ("/users", "/users/new", f"/users/{target.id}", f"/users/{target.id}/role"):
        assert client.get(path).status_code == 403, path
    assert client.post("/users/new", data=NEW_MANAGER).status_code == 403
    assert client.post(f"/users/{target.id}/disable").status_code == 403
    assert user_by_email("target@test.example").is_enabled
    assert user_by_email(NEW_MANAGER["email"]) is None
    assert 'href="/users"' not in page(client, "/account")  # and no link to them


def test_nobody_changes_or_disables_their_own_account(client, make_user):
    """The last administrator cannot demote or disable themselves (nor anyone themselves)."""
    admin = make_user("admin")
    sign_in(client, admin)
    assert "This is your own account" in page(client, f"/users/{admin.id}")
    response = client.post(f"/users/{admin.id}/role", data={"role": "practitioner"})
    assert response.status_code == 400
    assert "You cannot change the role of yourself" in response.get_data(as_text=True)
    response = client.post(f"/users/{admin.id}/disable")
    assert response.status_code == 400
    assert "You cannot disable yourself" in response.get_data(as_text=True)
    assert client.post(f"/users/{admin.id}/password").status_code == 400
    db.session.expire_all()
    assert admin.role == "admin" and admin.is_enabled
    assert page(client, "/users")  # still signed in, still an administrator


def test_disabling_ends_sessions_and_tokens_and_enabling_lets_them_sign_in(app, client,
                                                                        make_user):
    manager = make_user("csp_manager", email="leaver@dacorum.example")
    browser = app.test_client()
    assert sign_in(browser, manager).status_code == 302
    api = Api(app.test_client(), manager)
    coordinator = make_user("coordinator")
    sign_in(client, coordinator)

    assert "Yes, disable this account" in page(client, f"/users/{manager.id}/disable")
    assert client.post(f"/users/{manager.id}/disable").status_code == 302
    assert "Disabled" in page(client, f"/users/{manager.id}")
    assert api.get("/csps").status_code == 401
    assert not still_signed_in(browser)
    assert not can_sign_in(app, manager)

    assert client.post(f"/users/{manager.id}/enable").status_code == 302
    assert can_sign_in(app, manager)
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == manager.id, AuditEntry.object_type == "users",
        AuditEntry.actor_id == coordinator.id).order_by(AuditEntry.id)).all()
    assert actions == ["user.sessions_revoked", "user.disabled", "user.enabled"]


def test_changing_a_role_ends_sessions_and_revokes_tokens(app, client, make_user):
    manager = make_user("csp_manager", csps=["Dacorum"], email="mover@dacorum.example")
    api = Api(app.test_client(), manager)
    sign_in(client, make_user("admin"))
    form = page(client, f"/users/{manager.id}/role")
    assert checked(form, "role") == ["csp_manager"] and checked(form, "csps") == ["dacorum"]
    response = client.post(f"/users/{manager.id}/role",
                           data={"role": "csp_manager", "csps": ["watford", "stevenage"]})
    assert response.status_code == 302
    moved = user_by_email("mover@dacorum.example")
    assert sorted(c.name for c in moved.csps) == ["Stevenage", "Watford"]
    assert api.get("/csps").status_code == 401
    assert "Stevenage, Watford" in page(client, f"/users/{manager.id}")
    assert client.post(f"/users/{manager.id}/role",
                       data={"role": "csp_manager", "csps": []}).status_code == 400


def test_resetting_a_password_shows_a_new_one_once_and_ends_sessions(app, client, make_user):
    chair = make_user("chair", email="chair@pool.example")
    browser = app.test_client()
    assert sign_in(browser, chair).status_code == 302
    sign_in(client, make_user("admin"))
    assert "Yes, reset the password" in page(client, f"/users/{chair.id}/password")
    response = client.post(f"/users/{chair.id}/password")
    password = shown_password(response.get_data(as_text=True))
    assert not still_signed_in(browser)
    assert not can_sign_in(app, chair, PASSWORD)
    assert can_sign_in(app, chair, password)
    assert password not in page(client, f"/users/{chair.id}")


def test_every_change_needs_the_csrf_token(csrf_client, make_user):
    admin = make_user("admin")
    target = make_user("csp_manager", email="target@dacorum.example")
    sign_in_with_token(csrf_client, admin.email)
    audit_before = audit_count()
    posts = [("/users/new", NEW_MANAGER), (f"/users/{target.id}/role", {"role": "chair"}),
             (f"/users/{target.id}/disable", {}), (f"/users/{target.id}/password", {}),
             (f"/users/{target.id}/enable", {}), ("/notifications/read-all", {}),
             ("/account/notifications", {"preference": "in_app"})]
    for path, data in posts:
        assert csrf_client.post(path, data=data).status_code == 400, path
    assert audit_count() == audit_before
    assert user_by_email(NEW_MANAGER["email"]) is None
    assert user_by_email("target@dacorum.example").role == "csp_manager"

    token = token_from(csrf_client, f"/users/{target.id}/disable")
    assert csrf_client.post(f"/users/{target.id}/disable",
                            data={"csrf_token": token}).status_code == 302
    assert not user_by_email("target@dacorum.example").is_enabled
