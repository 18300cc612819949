"""Recommendations in the JSON API: per review, and each one's progress, completion and closure."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field

from dhr.api.blueprint import bp
from dhr.api.body import read_json
from dhr.api.documents import DocumentOut, document_out
from dhr.api.errors import ApiError, forbidden, not_found
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.api.schemas import UtcDateTime
from dhr.extensions import db
from dhr.models import Review, User
from dhr.permissions import can_view_review
from dhr.reviews import agency_codes
from dhr.workflow.review_items import (
    can_draft_recommendations,
    can_read_working_papers,
    can_track_recommendations,
)
from learning import recommendations as operations
from learning.models import Recommendation


class ProgressOut(BaseModel):
    id: int
    date: date
    impact: str
    author: str | None
    recorded_at: UtcDateTime


class RecommendationOut(BaseModel):
    id: int
    review_id: int
    review_reference: str
    number: str
    text: str
    level: str
    agency: str
    agency_label: str
    themes: list[str]
    status: str
    completed_date: date | None
    closed_reason: str | None
    overdue: bool | None = Field(None, description="null for practitioners: lateness is "
                                                   "tracking, not part of the published report")
    owner: str | None = None
    due_date: date | None = None
    evidence: str | None = None
    closed_note: str | None = None
    closed_date: date | None = None
    lock_version: int | None = None
    updates: list[ProgressOut] | None = None


class RecommendationList(BaseModel):
    items: list[RecommendationOut]


class PublishedReviewOut(BaseModel):
    """What anyone who may see a published review reads: never identifying terms, letters,
    history, drafts or agency requests."""

    review_id: int
    reference: str
    csp: str
    victim_pseudonym: str
    month_of_death: str
    published_date: date | None
    published_url: str | None
    executive_summary: DocumentOut | None
    overview_report: DocumentOut | None
    recommendations: list[RecommendationOut]


def recommendation_out(item: Recommendation, user: User,
                       agency_labels: dict[str, str] | None = None, *,
                       public: bool = False, with_updates: bool = True) -> RecommendationOut:
    """Everything for the people running the review; for practitioners (and with `public`)
    the published facts only (no owner, evidence, notes or progress log). Lists leave the
    progress log out (`with_updates=False`)."""
    labels = agency_labels if agency_labels is not None else agency_codes()
    review = item.review
    out = RecommendationOut(
        id=item.id, review_id=item.review_id, review_reference=review.reference,
        number=item.number, text=item.text, level=item.level, agency=item.agency,
        agency_label=labels.get(item.agency, item.agency), themes=list(item.themes or []),
        status=item.status, completed_date=item.completed_date,
        closed_reason=item.closed_reason,
    )
    if public or not can_read_working_papers(user, review):
        return out
    out.overdue = item.is_overdue
    out.owner, out.due_date, out.evidence = item.owner, item.due_date, item.evidence
    out.closed_note, out.closed_date = item.closed_note, item.closed_date
    out.lock_version = item.lock_version
    if with_updates:
        out.updates = [
            ProgressOut(id=u.id, date=u.update_date, impact=u.impact,
                        author=u.author.display_name if u.author else None,
                        recorded_at=u.created_dt)
            for u in item.updates
        ]
    return out


def _body() -> dict[str, Any]:
    value = read_json()
    if not isinstance(value, dict):
        raise ApiError(400, "validation_error", "the body must be a JSON object",
                       {"body": "must be a JSON object"})
    return value


def _visible(recommendation_id: int) -> tuple[Recommendation, Review]:
    item = db.session.get(Recommendation, recommendation_id)
    if item is None or not can_view_review(g.user, item.review):
        raise not_found("recommendation")
    return item, item.review


def _respond(item: Recommendation, status: int = 200) -> ResponseReturnValue:
    db.session.commit()
    return jsonify(recommendation_out(item, g.user).model_dump(mode="json")), status


@bp.get("/reviews/<int:review_id>/recommendations")
@documented("The review's recommendations in number order.", response=RecommendationList)
def list_review_recommendations(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    labels = agency_codes()
    items = [recommendation_out(r, g.user, labels)
             for r in operations.recommendations_for(review)]
    return jsonify(RecommendationList(items=items).model_dump(mode="json"))


@bp.get("/reviews/<int:review_id>/published")
@documented("The published report: executive summary, overview report and recommendations "
            "(404 until the review is published, or when publication is withheld).",
            response=PublishedReviewOut)
def published_review(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not review.is_published:
        raise not_found()
    labels = agency_codes()
    body = PublishedReviewOut(
        review_id=review.id, reference=review.reference, csp=review.csp.name,
        victim_pseudonym=review.victim_pseudonym,
        month_of_death=review.date_of_death.strftime("%Y-%m"),
        published_date=review.published_date, published_url=review.published_url,
        executive_summary=document_out(review, "executive_summary", g.user, public=True),
        overview_report=document_out(review, "overview_report", g.user, public=True),
        recommendations=[recommendation_out(r, g.user, labels, public=True)
                         for r in operations.recommendations_for(review)],
    )
    return jsonify(body.model_dump(mode="json"))


@bp.post("/reviews/<int:review_id>/recommendations")
@documented("Add a recommendation to the review's action plan.",
            body=operations.RecommendationCreate, response=RecommendationOut, status=201)
def create_recommendation(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not can_draft_recommendations(g.user, review):
        raise forbidden("you cannot add recommendations to this review")
    item = operations.create_recommendation(review, g.user, _body())
    return _respond(item, 201)


@bp.get("/recommendations/<int:recommendation_id>")
@documented("One recommendation with its progress log.", response=RecommendationOut)
def get_recommendation(recommendation_id: int) -> ResponseReturnValue:
    item, _ = _visible(recommendation_id)
    return jsonify(recommendation_out(item, g.user).model_dump(mode="json"))


def _change(recommendation_id: int, operation: Any) -> ResponseReturnValue:
    item, review = _visible(recommendation_id)
    if not (can_draft_recommendations(g.user, review)
            or can_track_recommendations(g.user, review)):
        raise forbidden("you cannot change this recommendation")
    operation(item, g.user, _body())
    return _respond(item)


@bp.patch("/recommendations/<int:recommendation_id>")
@documented("Change a recommendation's fields (wording only before publication).",
            body=operations.RecommendationPatch, response=RecommendationOut)
def patch_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _change(recommendation_id, operations.update_recommendation)


@bp.post("/recommendations/<int:recommendation_id>/updates")
@documented("Append a dated 'impact of actions taken' entry to the progress log.",
            body=operations.ProgressIn, response=RecommendationOut, status=201)
def add_recommendation_progress(recommendation_id: int) -> ResponseReturnValue:
    item, review = _visible(recommendation_id)
    if not can_track_recommendations(g.user, review):
        raise forbidden("you cannot record progress on this recommendation")
    operations.add_progress(item, g.user, _body())
    return _respond(item, 201)


@bp.post("/recommendations/<int:recommendation_id>/complete")
@documented("Mark the recommendation completed, with the date and the evidence.",
            body=operations.CompleteIn, response=RecommendationOut)
def complete_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _change(recommendation_id, operations.complete)


@bp.post("/recommendations/<int:recommendation_id>/close")
@documented("Close the recommendation without completing it: not_accepted, superseded or "
            "escalated.", body=operations.CloseIn, response=RecommendationOut)
def close_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _change(recommendation_id, operations.close)


@bp.post("/recommendations/<int:recommendation_id>/reopen")
@documented("Reopen a completed or closed recommendation, with the reason (the county "
            "sub-group: subgroup_member, coordinator, admin).",
            body=operations.ReopenIn, response=RecommendationOut)
def reopen_recommendation(recommendation_id: int) -> ResponseReturnValue:
    item, review = _visible(recommendation_id)
    if not operations.can_reopen(g.user, review):
        raise forbidden("only the county sub-group can reopen a recommendation")
    operations.reopen(item, g.user, _body())
    return _respond(item)
