"""Reviews: create, list, read and change their facts."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import ApiError, forbidden, not_found, pydantic_details, validation_error
from dhr.api.openapi import documented
from dhr.api.schemas import (
    ReviewAnswer,
    ReviewCreate,
    ReviewList,
    ReviewListQuery,
    ReviewOut,
    ReviewPatch,
)
from dhr.api.serialize import review_out
from dhr.extensions import db
from dhr.models import Review
from dhr.models.states import STATES
from dhr.permissions import (
    can_create_reviews,
    can_edit_review,
    can_view_review,
    sees_restricted_detail,
    visible_reviews_clause,
)
from dhr.reviews import (
    NotPermitted,
    ReviewInputError,
    ReviewReadOnly,
    create_review,
    find_csp,
    update_review,
)
from dhr.workflow.clock_sql import clock_sql

# What a list item shows besides the review's own columns, loaded with the page.
LIST_LOADS = (joinedload(Review.csp, innerjoin=True), joinedload(Review.chair),
              joinedload(Review.report_writer))


def load_visible_review(review_id: int) -> Review:
    """The review if the caller may see it; 404 otherwise (never reveal that it exists)."""
    review = db.session.get(Review, review_id)
    if review is None or not can_view_review(g.user, review):
        raise not_found()
    return review


@bp.post("/reviews")
@documented("Record a police notification as a new review.", body=ReviewCreate,
            response=ReviewOut, status=201)
def create() -> ResponseReturnValue:
    if not can_create_reviews(g.user):
        raise forbidden("your role cannot record notifications")
    body = parse_body(ReviewCreate)
    fields = body.model_dump(exclude_none=True)
    try:
        review = create_review(g.user, fields)
    except ReviewInputError as exc:
        raise validation_error(exc.details) from None
    except NotPermitted as exc:
        raise forbidden(str(exc)) from None
    db.session.commit()
    return jsonify(review_out(review, g.user).model_dump(mode="json")), 201


@bp.get("/reviews")
@documented("Reviews the caller can see.", query=ReviewListQuery, response=ReviewList)
def list_reviews() -> ResponseReturnValue:
    try:
        query = ReviewListQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise validation_error(pydantic_details(exc)) from None
    if query.overdue is not None and not sees_restricted_detail(g.user):
        raise validation_error({"overdue": "lateness is not part of the published view"})
    criteria = [visible_reviews_clause(g.user)]
    if query.csp:
        csp = find_csp(query.csp)
        if csp is None:
            raise validation_error({"csp": f"unknown CSP: {query.csp}"})
        criteria.append(Review.csp_id == csp.id)
    if query.state:
        if query.state not in STATES:
            raise validation_error({"state": f"unknown state: {query.state}"})
        criteria.append(Review.state == query.state)
    if query.year:  # a range, not EXTRACT(year), so the date_of_death index serves it
        criteria += [Review.date_of_death >= date(query.year, 1, 1),
                     Review.date_of_death < date(query.year + 1, 1, 1)]
    if query.overdue is not None:
        overdue = clock_sql(date.today()).overdue
        criteria.append(overdue if query.overdue else ~overdue)
    total = db.session.scalar(select(func.count()).select_from(Review).where(*criteria))
    page = db.session.scalars(
        select(Review).where(*criteria).options(*LIST_LOADS)
        .order_by(Review.notification_date.desc(), Review.id.desc())
        .offset((query.page - 1) * query.per_page).limit(query.per_page)
    ).all()
    items = [review_out(r, g.user, with_history=False) for r in page]
    body = ReviewList(items=items, total=total, page=query.page, per_page=query.per_page)
    return jsonify(body.model_dump(mode="json"))


@bp.get("/reviews/<int:review_id>")
@documented("One review with its clocks and history; for a practitioner, the published view "
            "only (PractitionerReviewOut).", response=ReviewAnswer)
def get_review(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    return jsonify(review_out(review, g.user).model_dump(mode="json"))


@bp.patch("/reviews/<int:review_id>")
@documented("Change a review's facts (not its state).", body=ReviewPatch, response=ReviewOut)
def patch_review(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not can_edit_review(g.user, review):
        raise forbidden("your role cannot change this review")
    body = parse_body(ReviewPatch)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if not changes:
        raise ApiError(400, "validation_error", "nothing to change", {"body": "no fields given"})
    try:
        update_review(g.user, review, changes)
    except ReviewInputError as exc:
        raise validation_error(exc.details) from None
    except ReviewReadOnly as exc:
        raise ApiError(409, exc.code, exc.message, exc.details) from None
    except NotPermitted as exc:
        raise forbidden(str(exc)) from None
    db.session.commit()
    return jsonify(review_out(review, g.user).model_dump(mode="json"))
