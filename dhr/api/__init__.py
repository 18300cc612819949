"""JSON API v1 (../shared/API.md). Views are thin: parse, check permission, call an operation."""

from dhr.api import (  # noqa: F401 - registers routes
    agency_requests,
    chairs,
    documents,
    errors,
    meta,
    notifications,
    review_export,
    reviews,
    transitions,
)
from dhr.api.blueprint import bp

__all__ = ["bp"]
