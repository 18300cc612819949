"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from dhr.web import artefact_pages, dashboard, errors, pool_pages, review_pages  # noqa: F401
from dhr.web.blueprint import bp

__all__ = ["bp"]
