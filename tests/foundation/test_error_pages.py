"""Error pages in the service's layout with a way back (the pages), JSON for the API; and a
form post after the session ended keeps what was typed (dhr.drafts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dhr import create_app
from dhr.extensions import db
from dhr.models import FormDraft, UserSession
from tests.conftest import PASSWORD, Api, sign_in

DRAFT = "Agencies knew of the coercive control from 2019.\n\n" + "A long rationale. " * 400


def in_layout(response) -> str:
    body = response.get_data(as_text=True)
    assert "govuk-service-navigation" in body and "govuk-footer" in body, body[:300]
    assert re.search(r'<a class="govuk-link" href="/(sign-in)?">', body), "no way back"
    return body


@pytest.mark.parametrize(("method", "path", "status", "title"), [
    ("get", "/no-such-page", 404, "Page not found"),
    ("get", "/reviews/999999", 404, "Page not found"),
    ("get", "/sign-out", 405, "This page cannot be used like that"),
    ("get", "/pool", 403, "You cannot do this"),
])
def test_error_pages_use_the_layout(client, make_user, method, path, status, title) -> None:
    sign_in(client, make_user("csp_manager"))
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert f"<h1 class=\"govuk-heading-l\">{title}</h1>" in in_layout(response)


def test_a_signed_out_unknown_page_offers_sign_in(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'href="/sign-in"' in in_layout(response)


def test_too_large_a_post_gets_the_layout(app, client, make_user) -> None:
    sign_in(client, make_user("admin"))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/reviews/new", data={"victim_pseudonym": "x" * 5000})
    assert response.status_code == 413
    assert "The file or text is too large" in in_layout(response)


def test_a_server_error_gets_the_layout_and_the_api_json(app, client, make_user) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom(**_: object) -> None:
        raise RuntimeError("a bug")

    user = make_user("admin")
    api = Api(client, user)
    sign_in(client, user)
    app.view_functions["web.home"] = boom
    app.view_functions["api.list_reviews"] = boom
    response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in in_layout(response)
    answer = api.get("/reviews")
    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "error"


def test_api_errors_stay_json(client, make_user) -> None:
    api = Api(client, make_user("admin"))
    for response, status in ((api.get("/no-such-thing"), 404), (api.put("/reviews"), 405)):
        assert response.status_code == status
        assert set(response.get_json()["error"]) == {"code", "message", "details"}


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    protected = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": True, "CELERY": {"task_always_eager": True},
        "REQUIRE_2FA": False,
    })
    yield protected
    with protected.app_context():
        db.engine.dispose()


def _token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client: FlaskClient, email: str, path: str = "/sign-in"):
    return client.post(path, data={"email": email, "password": PASSWORD,
                                   "csrf_token": _token(client, path)})


def test_a_csrf_failure_on_sign_in_gets_the_layout(csrf_app, make_user) -> None:
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": make_user("admin").email,
                                             "password": PASSWORD})
    assert response.status_code == 400
    assert "The sign-in form had expired" in in_layout(response)


def _event_path(review) -> str:
    return f"/reviews/{review.id}/events/decide_to_review"


def test_an_expired_session_keeps_the_text_through_sign_in(
        csrf_app, make_user, make_review) -> None:
    manager, review = make_user("csp_manager"), make_review()
    client = csrf_app.test_client()
    _sign_in(client, manager.email)
    token = _token(client, _event_path(review))
    db.session.query(UserSession).delete()  # the session ends while the person types
    db.session.commit()

    response = client.post(_event_path(review), data={"csrf_token": token, "rationale": DRAFT})
    assert response.status_code == 302
    sign_in_path = response.headers["Location"]
    assert sign_in_path.startswith("/sign-in?next=/drafts/")
    assert "What you typed has been kept" in client.get(sign_in_path).get_data(as_text=True)

    landed = _sign_in(client, manager.email, sign_in_path)
    page = client.get(landed.headers["Location"], follow_redirects=True)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Agencies knew of the coercive control from 2019." in body
    assert "A long rationale. " * 400 in body.replace("\r", "")
    assert "Your session ended before this was saved" in body
    assert db.session.query(FormDraft).count() == 0  # brought back once, then gone
    again = client.get(landed.headers["Location"])
    assert again.status_code == 404


def test_a_lost_csrf_cookie_keeps_the_text_of_an_own_page(csrf_app, make_user, make_review):
    manager, review = make_user("csp_manager"), make_review()
    client = csrf_app.test_client()
    _sign_in(client, manager.email)
    response = client.post(_event_path(review), data={"rationale": DRAFT},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Agencies knew of the coercive control" in page.get_data(as_text=True)


def test_another_sites_forged_post_is_not_kept(csrf_app, make_user, make_review) -> None:
    manager, review = make_user("csp_manager"), make_review()
    client = csrf_app.test_client()
    _sign_in(client, manager.email)
    response = client.post(_event_path(review), data={"rationale": "Forged words"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400
    assert "This form had expired" in in_layout(response)
    assert db.session.query(FormDraft).count() == 0


def test_a_draft_comes_back_only_to_its_author(csrf_app, make_user, make_review) -> None:
    review = make_review()
    author, other = make_user("csp_manager"), make_user("csp_manager")
    client = csrf_app.test_client()
    _sign_in(client, author.email)
    token = _token(client, _event_path(review))
    db.session.query(UserSession).delete()
    db.session.commit()
    response = client.post(_event_path(review), data={"csrf_token": token,
                                                      "rationale": "Private words"})
    resume = response.headers["Location"].split("next=")[1]
    _sign_in(client, other.email)
    assert client.get(resume).status_code == 404
    assert db.session.query(FormDraft).count() == 1
