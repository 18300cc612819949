"""JSON API v1 (../shared/API.md). Views are thin: parse, check permission, call an operation."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from dhr.api import errors, meta, reviews  # noqa: E402,F401 - registers routes
