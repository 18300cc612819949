"""API tokens expire, can be listed and revoked (command line and the user's own page), and
may be read-only: a read-only token reads but any change is refused with 403. Expired or
revoked tokens answer 401. Issuing and revoking are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dhr.audit import READ_ACTIONS
from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import ApiToken, AuditEntry
from dhr.models.types import utcnow
from tests.conftest import Api, sign_in


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_row(token_id: int) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token_id)


def test_a_new_token_expires_after_the_configured_days(app, client, make_user):
    user = make_user("csp_manager")
    app.config["API_TOKEN_DAYS"] = 30
    issue_token(user, "default")
    issue_token(user, "short", days=2)
    db.session.commit()
    rows = {row.label: row for row in db.session.scalars(select(ApiToken))}
    now = utcnow()
    for label, days in (("default", 30), ("short", 2)):
        expires = rows[label].expires_dt
        expires = expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)
        assert timedelta(days=days, minutes=-1) < expires - now <= timedelta(days=days)


def test_an_expired_token_is_refused(app, client, make_user):
    api = Api(client, make_user("csp_manager"))
    assert api.get("/csps").status_code == 200
    row = db.session.scalars(select(ApiToken)).one()
    row.expires_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = api.get("/csps")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PATCH", "/reviews/{id}", {"victim_pseudonym": "Adult Q"}),
    ("POST", "/reviews/{id}/transitions", {"event": "pause", "data": {"reason": "inquest"}}),
    ("PUT", "/reviews/{id}/documents/terms_of_reference", {"format": "markdown", "body": "x"}),
    ("POST", "/notifications/read-all", None),
])
def test_a_read_only_token_reads_but_changes_nothing(app, client, make_user, make_review,
                                                     method, path, body):
    review = make_review(csp="Dacorum")
    user = make_user("csp_manager", csps=["Dacorum"])
    token = issue_token(user, "dashboard", read_only=True)
    db.session.commit()
    assert client.get(f"/api/v1/reviews/{review.id}", headers=bearer(token)).status_code == 200
    changes = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.not_in(READ_ACTIONS))  # the refusal itself is recorded as one
    before = db.session.scalar(changes)
    response = client.open(f"/api/v1{path.format(id=review.id)}", method=method, json=body,
                           headers=bearer(token))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "read_only_token"
    assert db.session.scalar(changes) == before
    db.session.expire_all()
    assert review.victim_pseudonym == "Adult A" and review.state == "notified"


def test_the_token_commands(app, client, make_user):
    user = make_user("coordinator", email="coordinator@herts.example")
    result = run(app, "token", "create", user.email, "--days", "7", "--read-only",
                 "--label", "weekly report")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert client.get("/api/v1/csps", headers=bearer(token)).status_code == 200
    assert client.post("/api/v1/reviews", json={}, headers=bearer(token)).status_code == 403

    listing = run(app, "token", "list", user.email).output
    row = db.session.scalars(select(ApiToken)).one()
    assert f"{row.id}\tcoordinator@herts.example\tweekly report\tread-only" in listing
    assert "last used" in listing and token not in listing
    assert run(app, "token", "list").output == listing  # everyone's: only this one

    revoked = run(app, "token", "revoke", str(row.id))
    assert revoked.exit_code == 0 and "Revoked token" in revoked.output
    assert client.get("/api/v1/csps", headers=bearer(token)).status_code == 401
    assert "revoked" in run(app, "token", "list", user.email).output
    again = run(app, "token", "revoke", str(row.id))
    assert again.exit_code != 0 and "already revoked" in again.output

    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("token.%")).order_by(AuditEntry.id)).all()
    assert actions == ["token.created", "token.revoked"]


@pytest.mark.parametrize(("args", "message"), [
    (["token", "create", "nobody@test.example"], "no user with email"),
    (["token", "create", "{email}", "--days", "0"], "0 is not in the range"),
    (["token", "create", "{email}", "--days", "99999999999999"], "is not in the range"),
    (["token", "revoke", "424242"], "no token with id 424242"),
    (["token", "revoke", "abc"], "is not a valid integer"),
    (["token", "list", "nobody@test.example"], "no user with email"),
])
def test_the_token_commands_refuse_bad_input(app, make_user, args, message):
    user = make_user("coordinator")
    result = run(app, *[a.format(email=user.email) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_user_sees_and_revokes_only_their_own_tokens_on_the_page(app, client, make_user):
    user = make_user("csp_manager")
    other = make_user("csp_manager")
    mine = issue_token(user, "nightly export", days=10)
    issue_token(other, "their script")
    db.session.commit()
    mine_row, their_row = (db.session.scalars(select(ApiToken).where(ApiToken.label == label))
                           .one() for label in ("nightly export", "their script"))
    sign_in(client, user)
    html = client.get("/account/tokens").get_data(as_text=True)
    assert "nightly export" in html and "their script" not in html
    assert "Read and change" in html and "Never" in html
    assert mine not in html  # the token itself is never shown again

    # Another's token: not found, on the confirmation page and when posted.
    assert client.get(f"/account/tokens/{their_row.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{their_row.id}/revoke").status_code == 404
    assert token_row(their_row.id).revoked_dt is None

    confirm = client.get(f"/account/tokens/{mine_row.id}/revoke").get_data(as_text=True)
    assert "Yes, revoke this token" in confirm
    response = client.post(f"/account/tokens/{mine_row.id}/revoke")
    assert response.status_code == 302
    assert token_row(mine_row.id).revoked_dt is not None
    assert client.get("/api/v1/csps", headers=bearer(mine)).status_code == 401
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "token.revoked")).one()
    assert entry.actor_id == user.id and entry.data["token_id"] == mine_row.id
