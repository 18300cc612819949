"""Repeated recommendations in the JSON API: what else says the same thing, and clusters."""

from __future__ import annotations

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from dhr.api.blueprint import bp
from dhr.api.errors import not_found
from dhr.api.openapi import documented
from dhr.extensions import db
from dhr.permissions import can_view_review
from dhr.reviews import agency_codes
from learning import repeats
from learning.api import RecommendationOut, recommendation_out
from learning.models import Recommendation


class SimilarOut(BaseModel):
    recommendation: RecommendationOut
    score: float
    score_words: str


class SimilarList(BaseModel):
    items: list[SimilarOut]


class RepeatClusterOut(BaseModel):
    representative_id: int
    written: int
    completed: int
    open: int
    closed: int
    cohesion: float
    members: list[RecommendationOut]


class RepeatList(BaseModel):
    threshold: float
    items: list[RepeatClusterOut]


@bp.get("/recommendations/<int:recommendation_id>/similar")
@documented("Recommendations in other reviews that say much the same thing, best first "
            "(only those the caller may see).", response=SimilarList)
def similar_recommendations(recommendation_id: int) -> ResponseReturnValue:
    item = db.session.get(Recommendation, recommendation_id)
    if item is None or not can_view_review(g.user, item.review):
        raise not_found("recommendation")
    found = repeats.similar_to(item, repeats.visible_corpus(g.user))
    loaded = repeats.load_recommendations([rid for rid, _ in found])
    labels = agency_codes()
    items = [SimilarOut(recommendation=recommendation_out(loaded[rid], g.user, labels),
                        score=round(score, 3), score_words=repeats.score_words(score))
             for rid, score in found]
    return jsonify(SimilarList(items=items).model_dump(mode="json"))


@bp.get("/recommendations/repeats")
@documented("Clusters of recommendations that repeat across reviews, each with its members "
            "and how many were completed; most repeated and least acted on first.",
            response=RepeatList)
def repeated_recommendations() -> ResponseReturnValue:
    groups = repeats.repeat_groups(g.user)
    labels = agency_codes()
    items = [RepeatClusterOut(
        representative_id=group.representative.id, written=group.written,
        completed=group.completed, open=group.open, closed=group.closed,
        cohesion=round(group.cohesion, 3),
        members=[recommendation_out(m, g.user, labels) for m in group.members],
    ) for group in groups]
    return jsonify(RepeatList(threshold=repeats.THRESHOLD, items=items).model_dump(mode="json"))
