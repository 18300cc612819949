"""An app with CSRF protection on, as in production (the `app` fixture switches it off so
that other tests can post forms without scraping tokens), and forms posted with the token
read from the page. Its fixtures reach every test through tests/conftest.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dhr import create_app
from dhr.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """A second app on the test database, configured with CSRF protection on.

    Its context is not kept pushed (the `app` fixture's is), so each request gets a fresh
    one, with its own `g`, as in production."""
    protected = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": True,
        "REQUIRE_2FA": False,
        "CELERY": {"task_always_eager": True},
    })
    yield protected
    with protected.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    return csrf_app.test_client()


def token_from(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token in the form on {path}"
    return found.group(1)


def sign_in_with_token(client: FlaskClient, email: str) -> None:
    token = token_from(client, "/sign-in")
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302
