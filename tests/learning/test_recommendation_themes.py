"""Recommendation themes are rows of recommendation_themes behind the same `themes` list:
read, assign and change it as before; filter and count by theme with an index."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dhr.extensions import db
from dhr.models import AuditEntry
from learning.models import Recommendation, RecommendationTheme


@pytest.fixture
def item(make_review):
    review = make_review()
    created = Recommendation(review_id=review.id, number="2.1", text="Routine enquiry in GP",
                             level="local", agency="gp_primary_care",
                             themes=["routine_enquiry", "training_and_awareness"])
    db.session.add(created)
    db.session.commit()
    return created


def stored(item) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(row.code, row.position) for row in db.session.scalars(
        select(RecommendationTheme).where(RecommendationTheme.recommendation_id == item.id)
        .order_by(RecommendationTheme.position))]


def test_the_list_reads_and_assigns_as_before(item):
    assert stored(item) == [("routine_enquiry", 0), ("training_and_awareness", 1)]
    assert item.themes == ["routine_enquiry", "training_and_awareness"]
    item.themes = ["training_and_awareness", "information_sharing", "routine_enquiry"]
    db.session.commit()
    assert stored(item) == [("training_and_awareness", 0), ("information_sharing", 1),
                            ("routine_enquiry", 2)]
    item.themes.append("record_keeping")
    item.themes.remove("information_sharing")
    db.session.commit()
    assert item.themes == ["training_and_awareness", "routine_enquiry", "record_keeping"]
    item.themes = []
    db.session.commit()
    assert stored(item) == [] and list(item.themes) == []


def test_patching_themes_through_the_api_is_audited_as_lists(api_as, item):
    response = api_as("admin").patch(f"/recommendations/{item.id}",
                                      {"themes": ["Information sharing"]})
    assert response.status_code == 200, response.json
    assert response.json["themes"] == ["information_sharing"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "recommendation.updated"))
    assert entry.data["before"]["themes"] == ["routine_enquiry", "training_and_awareness"]
    assert entry.data["after"]["themes"] == ["information_sharing"]


def test_filtering_by_theme_uses_the_index(app, item):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    plan = " ".join(str(row[-1]) for row in db.session.execute(text(
        "EXPLAIN QUERY PLAN SELECT recommendation_id FROM recommendation_themes "
        "WHERE code = 'routine_enquiry'")))
    assert "ix_recommendation_themes_code" in plan
