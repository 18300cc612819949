"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from dhr.web import (  # noqa: F401 - each module adds its routes to the blueprint
    account_pages,
    artefact_pages,
    audit_pages,
    dashboard,
    drafts_pages,
    errors,
    form_errors,
    home,
    identifying_terms_pages,
    navigation,
    notification_pages,
    pool_pages,
    request_pages,
    review_pages,
    user_pages,
)
from dhr.web.blueprint import bp

__all__ = ["bp"]
