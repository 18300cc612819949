"""CSRF protection, switched on as in production (the other tests switch it off to post forms
without scraping tokens). Every form post needs the session's token; the API, which takes
bearer tokens only and never cookies, does not."""

from __future__ import annotations

from tests.conftest import PASSWORD, Api, review_fields
from tests.support.csrf import sign_in_with_token, token_from
from tests.support.foundation import row_counts

NEW_REVIEW_FORM = {
    "csp": "dacorum", "victim_pseudonym": "Adult Z", "date_of_death": "2024-01-31",
    "notification_date": "2024-02-01", "death_type": "intimate_partner_homicide",
    "review_type": "full", "deceased_16_plus": "1", "children_under_16": "0",
}


def test_the_app_really_has_csrf_on(csrf_app):
    assert csrf_app.config["WTF_CSRF_ENABLED"] is True


def test_sign_in_without_the_token_is_refused(csrf_client, make_user):
    user = make_user("admin")
    response = csrf_client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert csrf_client.get("/").status_code == 302  # not signed in
    sign_in_with_token(csrf_client, user.email)
    assert csrf_client.get("/").status_code == 200


def test_a_form_post_without_the_token_writes_nothing(csrf_client, make_user):
    sign_in_with_token(csrf_client, make_user("admin").email)
    before = row_counts()
    assert csrf_client.post("/reviews/new", data=NEW_REVIEW_FORM).status_code == 400
    wrong = {**NEW_REVIEW_FORM, "csrf_token": "IjEyMyI.not-a-real-token"}
    assert csrf_client.post("/reviews/new", data=wrong).status_code == 400
    assert row_counts() == before

    token = token_from(csrf_client, "/reviews/new")
    response = csrf_client.post("/reviews/new", data={**NEW_REVIEW_FORM, "csrf_token": token})
    assert response.status_code == 302
    assert row_counts()["reviews"] == before["reviews"] + 1


def test_a_token_from_another_session_is_refused(csrf_app, make_user):
    attacker, victim = csrf_app.test_client(), csrf_app.test_client()
    sign_in_with_token(attacker, make_user("csp_manager").email)
    stolen = token_from(attacker, "/reviews/new")
    sign_in_with_token(victim, make_user("admin").email)
    before = row_counts()
    response = victim.post("/reviews/new", data={**NEW_REVIEW_FORM, "csrf_token": stolen})
    assert response.status_code == 400
    assert row_counts() == before


def test_sign_out_needs_the_token(csrf_client, make_user):
    sign_in_with_token(csrf_client, make_user("admin").email)
    assert csrf_client.post("/sign-out").status_code == 400
    assert csrf_client.get("/").status_code == 200  # a forged sign-out does nothing
    token = token_from(csrf_client, "/")  # the sign-out button's form
    assert csrf_client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert csrf_client.get("/").status_code == 302


def test_the_api_takes_bearer_tokens_without_csrf(csrf_client, make_user):
    api = Api(csrf_client, make_user("admin"))
    fields = {k: v.isoformat() if hasattr(v, "isoformat") else v
              for k, v in review_fields().items()}
    assert api.post("/reviews", fields).status_code == 201
