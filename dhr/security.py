"""Deny by default, and the security headers on every response."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from dhr.auth.tokens import token_for
from dhr.bounds import DB_INT_MAX
from dhr.drafts import keep_lost_post
from dhr.extensions import db

# The only endpoints anyone may reach without signing in. The public learning pages answer
# 404 unless the deployment turns them on (DHR_PUBLIC_LEARNING).
PUBLIC_LEARNING_ENDPOINTS = frozenset(
    {"public.index", "public.search", "public.review_page", "public.download"}
)
ANONYMOUS_ENDPOINTS = frozenset(
    {"auth.login", "api.health", "api.openapi", "static", "assets.govuk", "web.favicon"}
) | PUBLIC_LEARNING_ENDPOINTS

# All a session may reach between the password and the second factor (auth.views).
SECOND_STEP_ENDPOINTS = frozenset(
    {"auth.two_factor_code", "auth.two_factor_setup", "auth.logout"}
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


# What a read-only API token may do.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

HSTS = "max-age=31536000; includeSubDomains"


def _api_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": None}})
    response.status_code = status
    return response


def _authenticate() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None or endpoint in ANONYMOUS_ENDPOINTS:
        return None  # unknown URLs fall through to 404
    if request.blueprint == "api":
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        row = token_for(token.strip()) if scheme.lower() == "bearer" else None
        if row is None:
            return _api_error(401, "unauthorized", "a valid bearer token is required")
        if row.is_read_only and request.method not in READING_METHODS:
            return _api_error(403, "read_only_token",
                              "this token is read-only: it can read but not change anything")
        g.user = row.user
        return None
    if not current_user.is_authenticated:
        return redirect(sign_in_url())
    g.user = current_user._get_current_object()
    if g.get("awaiting_second_factor") and endpoint not in SECOND_STEP_ENDPOINTS:
        return redirect(url_for("auth.two_factor_code"))
    return None


def sign_in_url(*, token_checked: bool = True) -> str:
    """Where a signed-out request goes: to sign in, then back to the page; a form post with
    something typed is kept first, and comes back filled in (dhr.drafts)."""
    token = keep_lost_post(_int_or_none(session.get("_user_id")), token_checked=token_checked)
    if token is None:
        return url_for("auth.login", next=request.full_path.rstrip("?"))
    db.session.commit()
    return url_for("auth.login", next=url_for("web.resume_draft", token=token))


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Secure cookies mean the service is reached over HTTPS: tell browsers to never
        # fall back to plain HTTP, where a session cookie could be read on the way.
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in {"static", "assets.govuk"}:
        response.headers["Cache-Control"] = "no-store"
    return response


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` up to the largest id an INTEGER column holds: a larger number in a URL is
    simply not found, instead of overflowing the database driver (a 500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def install(app: Flask) -> None:
    """Call before any blueprint is registered (the converter applies to routes added later)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(_authenticate)
    app.after_request(_headers)
