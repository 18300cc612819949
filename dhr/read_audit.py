"""The audit of reading: who opened or downloaded what of an unpublished review, and who was
refused, recorded for every page and API call that names a review (or one of its
recommendations), without each view having to remember to do it."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from dhr.audit import READ_ACTIONS, record
from dhr.extensions import db
from dhr.models import Review
from learning.models import Recommendation

READ_METHODS = frozenset({"GET", "HEAD"})
REFUSED = frozenset({401, 403, 404})


def _review_id() -> int | None:
    args = request.view_args or {}
    if isinstance(args.get("review_id"), int):
        return args["review_id"]
    if isinstance(args.get("recommendation_id"), int):
        return db.session.scalar(select(Recommendation.review_id).where(
            Recommendation.id == args["recommendation_id"]))
    return None


def _action(status: int, review: Review) -> str | None:
    viewed, downloaded, terms_viewed, refused = READ_ACTIONS
    if status in REFUSED:
        return refused
    if status >= 300 or (review.is_published and request.method in READ_METHODS):
        return None  # published material is public; a redirect or an error shows nothing
    if request.method not in READ_METHODS:
        return None  # changes are audited by the operations themselves
    if (request.endpoint or "").endswith("identifying_terms_page"):
        return terms_viewed
    if request.path.endswith("/download") or request.path.endswith("/export"):
        return downloaded
    return viewed


def _record_read(response: Response) -> Response:
    user = g.get("user")
    review_id = _review_id() if user is not None else None
    if review_id is None:
        return response
    try:
        review = db.session.get(Review, review_id)
        action = _action(response.status_code, review) if review is not None else None
        if action is not None:
            record(action, review, user, {"path": request.path[:500],
                                          "status": response.status_code,
                                          "via": "api" if request.blueprint == "api" else "page"},
                   review_id=review.id)
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("could not record a read of review %s", review_id)
    return response


def install(app: Flask) -> None:
    app.after_request(_record_read)
