"""The web pages for people (GOV.UK Design System patterns, no JavaScript needed)."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from dhr.web import artefact_pages, dashboard, pool_pages, review_pages  # noqa: E402,F401
from learning import stats_pages, tracker_pages  # noqa: E402,F401 - tracker, annual table
