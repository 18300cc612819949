"""Every API error is JSON: {"error": {"code", "message", "details"}}.

One handler turns any domain error (dhr.errors) raised by an operation or a view into that
body, after rolling the session back; views never translate errors themselves. HTTP errors
under /api/v1 that never reach the blueprint (unknown URLs and methods, a 500) are JSON too:
the composition root sends them to `http_error` (`is_api_path`)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from dhr.api.blueprint import bp
from dhr.errors import DomainError, InvalidInput, NotFound, NotPermitted, Refused, field_errors
from dhr.extensions import db


class ApiError(Refused):
    """A refusal by the API itself (the body's size and shape), with its own status and code."""


def not_found(what: str = "review") -> NotFound:
    return NotFound(f"no such {what}")


def forbidden(message: str) -> NotPermitted:
    return NotPermitted(message)


def validation_error(
    details: dict[str, str], message: str = "some fields are not valid"
) -> InvalidInput:
    return InvalidInput(message, details)


pydantic_details = field_errors  # the name the API's modules import


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return jsonify(body), exc.status


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def is_api_path(path: str) -> bool:
    return path == bp.url_prefix or path.startswith(f"{bp.url_prefix}/")


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if status >= 500:
        db.session.rollback()
    code = _HTTP_CODES.get(status, "error")
    message = exc.description or code
    body = {"error": {"code": code, "message": message, "details": None}}
    kept = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}  # e.g. Allow
    return jsonify(body), status, kept
