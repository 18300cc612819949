"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from dhr.web import (  # noqa: F401 - each module adds its routes to the blueprint
    artefact_pages,
    dashboard,
    drafts_pages,
    errors,
    form_errors,
    identifying_terms_pages,
    pool_pages,
    review_pages,
)
from dhr.web.blueprint import bp

__all__ = ["bp"]
