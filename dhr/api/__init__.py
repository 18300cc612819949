"""JSON API v1 (../shared/API.md). Views are thin: parse, check permission, call an operation."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from dhr.api import (  # noqa: E402,F401 - registers routes
    agency_requests,
    chairs,
    documents,
    errors,
    meta,
    reviews,
    transitions,
)
from learning import api as learning_api  # noqa: E402,F401 - recommendations' routes
from learning import search_api  # noqa: E402,F401 - GET /search
