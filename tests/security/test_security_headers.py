"""Response headers, cookie flags, templates that a strict CSP will not break, and deny by
default: every URL outside a short allow-list needs a signed-in user or a token."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import IntegerConverter, PathConverter

from dhr import PROJECT_ROOT, create_app
from dhr.config import load_config
from dhr.extensions import db
from dhr.security import ANONYMOUS_ENDPOINTS
from tests.conftest import sign_in

PAGES = ["/sign-in", "/", "/reviews/new", "/no-such-page", "/api/v1/health",
         "/api/v1/reviews", "/api/v1/no-such-call"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, make_user, path):
    sign_in(client, make_user("admin"))
    response = client.get(path)
    policy = directives(response.headers["Content-Security-Policy"])
    for name in ("default-src", "script-src", "style-src"):
        assert policy[name] == ["'self'"], name
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_and_assets_carry_them_too(client):
    for path in ("/sign-in", "/assets/govuk/govuk-frontend.min.css", "/static/app.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_api_urls_and_methods_answer_in_json(api_as):
    api = api_as("admin")
    missing = api.get("/no-such-call")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    wrong_method = api.client.delete("/api/v1/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]


def test_templates_have_no_inline_script_or_style():
    """The CSP refuses inline code, so any in a template would silently not run."""
    problems = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=",
                        r"\son[a-z]+\s*=", r"javascript:"):
            for match in re.finditer(pattern, text):
                problems.append(f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)}")
    assert problems == []


def test_by_default_cookies_are_secure_and_http_only(tmp_path):
    config = load_config({"DHR_DATA_DIR": str(tmp_path)})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["WTF_CSRF_ENABLED"] is True
    relaxed = load_config({"DHR_DATA_DIR": str(tmp_path), "DHR_SECURE_COOKIES": "false"})
    assert relaxed["SESSION_COOKIE_SECURE"] is False


def test_the_session_cookie_is_sent_with_its_flags(app, make_user, monkeypatch):
    """An app built from the default settings (no DHR_SECURE_COOKIES) marks the session
    cookie Secure, HttpOnly and SameSite=Lax when someone signs in."""
    monkeypatch.delenv("DHR_SECURE_COOKIES", raising=False)
    default = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "WTF_CSRF_ENABLED": False, "REQUIRE_2FA": False,
                          "CELERY": {"task_always_eager": True}})
    user = make_user("admin")
    response = default.test_client().post(
        "/sign-in", data={"email": user.email, "password": "correct horse battery staple"})
    with default.app_context():
        db.engine.dispose()
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly"} <= flags
    assert "samesite=lax" in cookie.lower()


def test_hsts_is_sent_when_cookies_are_secure(app, client, monkeypatch):
    """Secure cookies mean HTTPS: browsers are told to use nothing else for a year. Over
    plain HTTP on loopback (cookies not secure) the header would lock a developer out."""
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    hsts = client.get("/sign-in").headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains"
    assert client.get("/api/v1/health").headers["Strict-Transport-Security"] == hsts


def _example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = "1"
        elif isinstance(converter, PathConverter):
            values[name] = "x/y"
        else:
            values[name] = "x"
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)


def test_the_allow_list_is_short_and_deliberate():
    allowed = {"auth.login", "api.health", "api.openapi", "static", "assets.govuk",
               "web.favicon",
               # public learning: 404 unless DHR_PUBLIC_LEARNING
               # (tests/learning/test_public_learning.py)
               "public.index", "public.search", "public.review_page", "public.download"}
    assert allowed == ANONYMOUS_ENDPOINTS


def test_every_other_url_needs_a_user(app, client):
    """Walk the URL map: anything not on the allow-list sends an anonymous browser to sign
    in and an anonymous API client away with 401, whatever the method."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ANONYMOUS_ENDPOINTS:
            continue
        url = _example_url(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={} if method != "GET" else None)
            where = f"{method} {url} ({rule.endpoint})"
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, where
                assert response.json["error"]["code"] == "unauthorized", where
            else:
                assert response.status_code == 302, where
                assert urlsplit(response.headers["Location"]).path == "/sign-in", where
            checked += 1
    assert checked > 20  # the walk really covered the application


def test_the_anonymous_endpoints_give_nothing_away(client):
    assert client.get("/sign-in").status_code == 200
    assert client.get("/api/v1/health").json["database"] == "ok"
    assert "paths" in client.get("/api/v1/openapi.json").json
    # The asset route serves only GOV.UK Frontend's files, never the rest of the disk.
    assert client.get("/assets/govuk/../../../../pyproject.toml").status_code == 404
    assert client.get("/assets/govuk/%2e%2e/%2e%2e/package.json").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_no_secret_is_in_the_repository_defaults(tmp_path):
    """The generated secret key lives in the data folder, readable by its owner only."""
    config = load_config({"DHR_DATA_DIR": str(tmp_path)})
    key_file = Path(tmp_path) / "secret_key"
    assert key_file.read_text().strip() == config["SECRET_KEY"]
    assert len(config["SECRET_KEY"]) >= 32
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_config({"DHR_DATA_DIR": str(tmp_path)})["SECRET_KEY"] == config["SECRET_KEY"]
