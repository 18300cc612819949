"""Every API error is JSON: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

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
    return error_response(ApiError(status, code, exc.description or code))


def json_404(_exc: Exception) -> ResponseReturnValue:
    """Unknown URLs under /api/v1 (not routed to the blueprint) still answer in JSON."""
    return error_response(ApiError(404, "not_found", "no such resource"))
