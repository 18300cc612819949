"""Admins keep the vocabularies: add, rename, retire (no longer offered, still shown where used)
and merge terms (everything tagged with one moves to the other, in one transaction); every
change is audited (API /vocabularies/... and the pages /vocabularies/...)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AgencyRequest, AuditEntry, Review, VocabularyTerm
from learning.models import Recommendation, RecommendationTheme
from tests.conftest import sign_in
from tests.support.tracker import TODAY, build_scene


@pytest.fixture
def scene(make_review, make_user):
    return build_scene(make_review, make_user)


def _term(vocabulary, code):
    return db.session.scalar(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code))


def _actions():
    return [a for (a,) in db.session.execute(
        select(AuditEntry.action).where(AuditEntry.action.like("vocabulary_%"))
        .order_by(AuditEntry.id))]


def test_add_rename_retire_and_restore_through_the_api(api_as):
    admin = api_as("admin")
    added = admin.post("/vocabularies/theme/terms", json={"label": "Health  visiting"})
    assert added.status_code == 201
    assert added.json == {"code": "health_visiting", "label": "Health visiting",
                          "retired": False, "in_use": 0}
    assert admin.post("/vocabularies/theme/terms",
                      json={"label": "health visiting"}).status_code == 400  # taken
    renamed = admin.patch("/vocabularies/theme/terms/health_visiting",
                          json={"label": "Health visitors"})
    assert renamed.json["label"] == "Health visitors" and renamed.json["code"] == \
        "health_visiting"
    assert admin.patch("/vocabularies/theme/terms/health_visiting",
                       json={"retired": True}).json["retired"] is True
    offered = api_as("csp_manager").get("/themes").get_data(as_text=True)
    assert "health_visiting" not in offered
    assert admin.patch("/vocabularies/theme/terms/health_visiting",
                       json={"retired": False}).json["retired"] is False
    assert _actions() == ["vocabulary_term_added", "vocabulary_term_renamed",
                          "vocabulary_term_retired", "vocabulary_term_restored"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/vocabularies/theme", None),
    ("post", "/vocabularies/theme/terms", {"label": "Anything"}),
    ("patch", "/vocabularies/theme/terms/routine_enquiry", {"label": "Other"}),
    ("post", "/vocabularies/theme/terms/routine_enquiry/merge", {"into": "information_sharing"}),
])
@pytest.mark.parametrize("role", ["coordinator", "subgroup_member", "practitioner"])
def test_only_admins_keep_vocabularies(api_as, role, method, path, body):
    api = api_as(role)
    response = api.get(path) if method == "get" else getattr(api, method)(path, json=body)
    assert response.status_code == 403
    assert _term("theme", "routine_enquiry").label != "Other"


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), [
    ("post", "/vocabularies/theme/terms", {"label": "   "}, 400, "label"),
    ("post", "/vocabularies/theme/terms", {"label": "x" * 201}, 400, "label"),
    ("post", "/vocabularies/theme/terms", {"label": 7}, 400, "label"),
    ("post", "/vocabularies/colours/terms", {"label": "Red"}, 404, None),
    ("patch", "/vocabularies/theme/terms/nope", {"label": "Red"}, 404, None),
    ("post", "/vocabularies/theme/terms/routine_enquiry/merge", {"into": "nope"}, 400, "into"),
    ("post", "/vocabularies/theme/terms/routine_enquiry/merge", {"into": "routine_enquiry"},
     400, "into"),
    ("post", "/vocabularies/theme/terms/routine_enquiry/merge", {}, 400, "into"),
])
def test_bad_input_is_a_clear_error(api_as, method, path, body, status, field):
    response = getattr(api_as("admin"), method)(path, json=body)
    assert response.status_code == status
    if field:
        assert field in response.json["error"]["details"]
    assert _actions() == []


def test_merging_themes_moves_every_tag_and_collapses_duplicates(api_as, scene):
    # A2 has routine_enquiry and training_and_awareness; B1 routine_enquiry only.
    admin = api_as("admin")
    response = admin.post("/vocabularies/theme/terms/routine_enquiry/merge",
                          json={"into": "Training and awareness"})
    assert response.status_code == 200, response.json
    assert response.json["moved"] == {"recommendation_themes": 2}
    assert response.json["term"]["code"] == "training_and_awareness"
    assert response.json["term"]["in_use"] == 2
    a2, b1 = (db.session.get(Recommendation, i) for i in scene.ids("A2", "B1"))
    assert list(a2.themes) == ["training_and_awareness"]
    assert list(b1.themes) == ["training_and_awareness"]
    assert _term("theme", "routine_enquiry") is None
    assert db.session.scalar(select(RecommendationTheme).where(
        RecommendationTheme.code == "routine_enquiry")) is None
    tracker = admin.get("/recommendations?theme=training_and_awareness").json
    assert {i["id"] for i in tracker["items"]} == set(scene.ids("A2", "B1"))
    reviews = {r for (r,) in db.session.execute(select(AuditEntry.review_id).where(
        AuditEntry.action == "vocabulary_term_merged"))}
    assert reviews == {None, scene.dacorum.id, scene.watford.id}  # each review's history too


def test_merging_agencies_moves_recommendations_reviews_and_requests(api_as, scene):
    scene.dacorum.agencies = ["police", "housing"]  # Watford's too (the default)
    scene.dacorum.panel_agencies = ["gp_primary_care", "police"]
    db.session.add(AgencyRequest(review_id=scene.watford.id, agency="police", kind="imr",
                                  requested_date=TODAY, due_date=TODAY))
    db.session.commit()
    response = api_as("admin").post("/vocabularies/agency/terms/police/merge",
                                    json={"into": "housing"})
    assert response.status_code == 200, response.json
    moved = response.json["moved"]
    assert (moved["recommendations"], moved["agency_requests"], moved["reviews"]) == (3, 1, 2)
    db.session.expire_all()
    dacorum = db.session.get(Review, scene.dacorum.id)
    assert dacorum.agencies == ["housing"]
    assert dacorum.panel_agencies == ["gp_primary_care", "housing"]
    assert db.session.scalar(select(AgencyRequest.agency)) == "housing"
    assert db.session.scalar(select(Recommendation).where(
        Recommendation.agency == "police")) is None


def test_a_merge_that_cannot_finish_changes_nothing(api_as, scene):
    """Two requests for the same document from both agencies cannot be merged silently."""
    for agency in ("police", "housing"):
        db.session.add(AgencyRequest(review_id=scene.dacorum.id, agency=agency, kind="imr",
                                      requested_date=TODAY, due_date=TODAY))
    db.session.commit()
    response = api_as("admin").post("/vocabularies/agency/terms/police/merge",
                                    json={"into": "housing"})
    assert response.status_code == 409
    assert response.json["error"]["details"]["reviews"] == [f"{scene.dacorum.reference} (imr)"]
    db.session.expire_all()
    assert _term("agency", "police") is not None
    assert db.session.get(Recommendation, scene.recs["A1"].id).agency == "police"
    assert _actions() == []


def test_retired_theme_is_not_offered_but_still_shown(client, make_user, scene):
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get("/vocabularies/theme/routine_enquiry")
    assert page.status_code == 200
    assert client.post("/vocabularies/theme/routine_enquiry/retire").status_code == 302
    assert _term("theme", "routine_enquiry").is_active is False
    html = client.get("/vocabularies/theme").get_data(as_text=True)
    assert "Retired" in html
    form = client.get(f"/reviews/{scene.dacorum.id}/recommendations/new").get_data(as_text=True)
    assert 'value="routine_enquiry"' not in form and 'value="information_sharing"' in form
    rec = client.get(f"/recommendations/{scene.recs['B1'].id}").get_data(as_text=True)
    assert "Routine enquiry" in rec  # still shown where used


def test_pages_show_field_errors_and_merge(client, make_user, scene):
    sign_in(client, make_user("admin"))
    bad = client.post("/vocabularies/theme", data={"label": "Routine ENQUIRY"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert 'href="#label"' in html and "There is already a term called" in html
    assert client.post("/vocabularies/theme", data={"label": "Stalking"}).status_code == 302
    missing = client.post("/vocabularies/theme/stalking/merge", data={"into": ""})
    assert missing.status_code == 400 and 'href="#into"' in missing.get_data(as_text=True)
    done = client.post("/vocabularies/theme/routine_enquiry/merge",
                       data={"into": "information_sharing"}, follow_redirects=True)
    assert "Merged Routine enquiry into Information sharing" in done.get_data(as_text=True)
    assert _term("theme", "routine_enquiry") is None


@pytest.mark.parametrize("role", ["coordinator", "subgroup_member", "csp_manager"])
def test_pages_are_for_admins_only(client, make_user, role):
    sign_in(client, make_user(role))
    assert client.get("/vocabularies").status_code == 403
    assert client.post("/vocabularies/theme", data={"label": "Nope"}).status_code == 403
    assert _term("theme", "nope") is None
