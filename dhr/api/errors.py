"""Every API error is JSON: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from dhr.api import bp


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def not_found(what: str = "review") -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def validation_error(
    details: dict[str, str], message: str = "some fields are not valid"
) -> ApiError:
    return ApiError(400, "validation_error", message, details)


def pydantic_details(exc: ValidationError) -> dict[str, str]:
    details: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        details.setdefault(field, message)
    return details


def error_response(exc: ApiError) -> ResponseReturnValue:
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return jsonify(body), exc.status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    from dhr.extensions import db

    db.session.rollback()
    return error_response(exc)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code = _HTTP_CODES.get(status, "error")
    message = exc.description or code
    body = {"error": {"code": code, "message": message, "details": None}}
    kept = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}  # e.g. Allow
    return jsonify(body), status, kept


@bp.app_errorhandler(NotFound)
@bp.app_errorhandler(MethodNotAllowed)
def _routing_error(exc: HTTPException) -> ResponseReturnValue:
    """Unknown URLs and methods under /api/v1 never reach the blueprint's own handlers
    (routing fails first), yet an API client must still get JSON; pages keep HTML."""
    if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
        return _http_error(exc)
    return exc
