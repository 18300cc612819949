"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from dhr.web import dashboard, review_pages  # noqa: E402,F401 - registers routes
