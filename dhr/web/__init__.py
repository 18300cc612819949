"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from dhr.web import (  # noqa: E402,F401
    artefact_pages,
    dashboard,
    identifying_terms_pages,
    pool_pages,
    review_pages,
)
from learning import repeats_pages  # noqa: E402,F401 - repeated recommendations' pages
