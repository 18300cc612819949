"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from dhr.web import (  # noqa: F401 - each module adds its routes to the blueprint
    account_pages,
    audit_pages,
    dashboard,
    document_pages,
    drafts_pages,
    errors,
    form_errors,
    home,
    identifying_terms_pages,
    navigation,
    notification_pages,
    pool_pages,
    recommendation_pages,
    request_pages,
    review_pages,
    review_sections,
    user_pages,
)
from dhr.web.blueprint import bp

__all__ = ["bp"]
