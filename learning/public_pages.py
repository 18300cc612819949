"""Public learning pages (/learning/public/), on only where DHR_PUBLIC_LEARNING is true: anyone,
without signing in, reads and searches what a practitioner reads of published reviews, at
addresses made from each review's reference that stay as long as the review is published.

Every endpoint here is on dhr.security's anonymous allow-list, and none reads or writes the
session: a visitor gets no cookie, and a signed-in user is served the same public page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import TooManyRequests

from dhr.extensions import limiter
from dhr.models import DocumentVersion
from dhr.search import service
from dhr.search.backend import Hit
from dhr.web.document_pages import published_view
from dhr.workflow import documents
from dhr.workflow.review_items import PUBLISHED_DOCUMENT_KINDS
from learning.public import (
    hit_anchor,
    published_by_csp,
    published_review,
    reference_slug,
)
from learning.search_pages import render_search

bp = Blueprint("public", __name__, url_prefix="/learning/public")
LAYOUT = "learning/public/_layout.html"


@bp.before_request
def _only_where_switched_on() -> None:
    if not current_app.config.get("PUBLIC_LEARNING"):
        abort(404)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"reference_slug": reference_slug}


@bp.errorhandler(TooManyRequests)
def _too_many_searches(_exc: TooManyRequests) -> ResponseReturnValue:
    return render_template("learning/public/too_many.html"), 429


def _search_limit() -> str:
    return current_app.config["PUBLIC_SEARCH_RATE_LIMIT"]


def _hit_urls(hits: list[Hit]) -> list[str]:
    return [url_for("public.review_page", slug=reference_slug(hit.reference),
                    _anchor=hit_anchor(hit)) for hit in hits]


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("learning/public/index.html", groups=published_by_csp())


@bp.get("/search")
@limiter.limit(_search_limit)
def search() -> ResponseReturnValue:
    return render_search("public.search", service.search_published, _hit_urls, layout=LAYOUT)


@bp.get("/reviews/<slug>")
def review_page(slug: str) -> ResponseReturnValue:
    review = published_review(slug.lower())
    if review is None:
        abort(404)
    canonical = reference_slug(review.reference)
    if slug != canonical:  # DHR-DACORUM-2024-01 as typed from a report: one address each
        return redirect(url_for("public.review_page", slug=canonical), 301)
    return render_template("learning/public/review.html", **published_view(
        review, lambda kind, _saved: url_for("public.download", slug=canonical, kind=kind)))


@bp.get("/reviews/<slug>/<kind>/download")
def download(slug: str, kind: str) -> ResponseReturnValue:
    """The latest version of an uploaded published report, never an earlier one."""
    review = published_review(slug)
    current: DocumentVersion | None = (documents.latest(review, kind)
                                       if review and kind in PUBLISHED_DOCUMENT_KINDS else None)
    if review is None or current is None or not current.is_file:
        abort(404)
    try:
        handle = documents.stored_path(current).open("rb")
    except OSError:
        abort(404)
    return send_file(handle, mimetype=current.content_type, as_attachment=True,
                     download_name=documents.download_name(review, current), max_age=0)
