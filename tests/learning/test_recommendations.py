"""Recommendations: adding them, their lifecycle (open -> completed | closed), the append-only
progress log, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dhr.errors import Stale
from dhr.extensions import db
from dhr.models import AuditEntry, PoolMember
from learning import recommendations as ops
from learning.models import Recommendation, RecommendationUpdate
from learning.recommendations import recommendations_for

TODAY = date.today()
# Seed 003 (a scrutiny tracker), recommendation 2.1.
CHAMPIONS = ("That Domestic Abuse (DA) Champions are introduced county wide and the DA "
             "Partnership targets work with GPs on this.")


def set_state(review, state, **fields):
    review.state = state
    for name, value in fields.items():
        setattr(review, name, value)
    db.session.commit()


def appoint(review, chair_user, role="chair"):
    member = db.session.scalar(select(PoolMember).where(PoolMember.user_id == chair_user.id))
    setattr(review, role, member)
    db.session.commit()


def rec_count() -> int:
    return db.session.scalar(select(func.count(Recommendation.id)))


def new(api, review, **fields):
    body = {"number": "2.1", "text": CHAMPIONS, "level": "local", "agency": "GP/primary care",
            "themes": ["Training and awareness", "routine_enquiry"], **fields}
    return api.post(f"/reviews/{review.id}/recommendations", body)


@pytest.fixture
def manager(api_as):
    return api_as("csp_manager", csps=["Dacorum"])


@pytest.fixture
def review(make_review):
    created = make_review()
    set_state(created, "drafting")
    return created


def test_add_a_recommendation(manager, review):
    due = TODAY + timedelta(days=90)
    response = new(manager, review, owner="Named GP for safeguarding", due_date=due.isoformat())
    assert response.status_code == 201, response.json
    body = response.json
    assert body["number"] == "2.1" and body["text"] == CHAMPIONS
    assert body["agency"] == "gp_primary_care" and body["agency_label"] == "GP/primary care"
    assert body["themes"] == ["training_and_awareness", "routine_enquiry"]
    assert body["status"] == "open" and body["overdue"] is False
    assert body["owner"] == "Named GP for safeguarding"
    assert body["due_date"] == due.isoformat()
    assert body["updates"] == []
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "recommendation.created"))
    assert entry.review_id == review.id and entry.to_state == "open"


def test_listed_in_number_order(manager, review):
    for number in ("2.10", "10.1", "2.9", "1"):
        assert new(manager, review, number=number).status_code == 201
    listed = manager.get(f"/reviews/{review.id}/recommendations").json["items"]
    assert [r["number"] for r in listed] == ["1", "2.9", "2.10", "10.1"]
    assert [r.number for r in recommendations_for(review)] == ["1", "2.9", "2.10", "10.1"]


def test_a_number_is_unique_within_a_review_only(manager, review, make_review):
    assert new(manager, review).status_code == 201
    again = new(manager, review)
    assert again.status_code == 400
    assert "already exists" in again.json["error"]["details"]["number"]
    other = make_review()
    set_state(other, "drafting")
    assert new(manager, other).status_code == 201


@pytest.mark.parametrize("fields, field", [
    ({"level": "county"}, "level"),
    ({"agency": "Ministry of Magic"}, "agency"),
    ({"themes": ["Astrology"]}, "themes"),
    ({"number": "3.2; DROP TABLE"}, "number"),
    ({"number": ""}, "number"),
    ({"text": "   "}, "text"),
    ({"due_date": "next year"}, "due_date"),
    ({"owner": 7}, "owner"),
    ({"surprise": True}, "surprise"),
])
def test_bad_input_is_400_with_the_field_and_saves_nothing(manager, review, fields, field):
    response = new(manager, review, **fields)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["details"]
    assert rec_count() == 0


def test_complete_with_date_and_evidence(manager, review):
    rid = new(manager, review).json["id"]
    missing = manager.post(f"/recommendations/{rid}/complete", {"date": TODAY.isoformat()})
    assert missing.status_code == 400 and "evidence" in missing.json["error"]["details"]
    future = manager.post(f"/recommendations/{rid}/complete",
                          {"date": (TODAY + timedelta(days=1)).isoformat(), "evidence": "x"})
    assert future.status_code == 400
    done = manager.post(f"/recommendations/{rid}/complete",
                        {"date": TODAY.isoformat(), "evidence": "Cohort of 10 champions trained"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"
    assert done.json["completed_date"] == TODAY.isoformat()
    assert done.json["evidence"] == "Cohort of 10 champions trained"
    again = manager.post(f"/recommendations/{rid}/close", {"reason": "superseded"})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "illegal_transition"


def test_close_with_a_reason(manager, review):
    rid = new(manager, review).json["id"]
    bad = manager.post(f"/recommendations/{rid}/close", {"reason": "ongoing"})
    assert bad.status_code == 400  # the tracker's rule: never 'ongoing'
    closed = manager.post(f"/recommendations/{rid}/close",
                          {"reason": "escalated", "note": "Raised with the ICB"})
    assert closed.status_code == 200
    assert closed.json["status"] == "closed"
    assert closed.json["closed_reason"] == "escalated"
    assert closed.json["closed_note"] == "Raised with the ICB"
    assert closed.json["closed_date"] == TODAY.isoformat()
    assert manager.post(f"/recommendations/{rid}/complete",
                        {"evidence": "x"}).status_code == 409


def test_progress_log_is_dated_and_append_only(manager, review):
    rid = new(manager, review).json["id"]
    first = manager.post(f"/recommendations/{rid}/updates",
                         {"date": (TODAY - timedelta(days=30)).isoformat(),
                          "impact": "Provider procured for the Champions Programme."})
    assert first.status_code == 201, first.json
    second = manager.post(f"/recommendations/{rid}/updates",
                          {"impact": "Initial cohort of 10 Lead Agency DA Champions identified."})
    assert second.status_code == 201
    updates = second.json["updates"]
    assert [u["date"] for u in updates] == [(TODAY - timedelta(days=30)).isoformat(),
                                            TODAY.isoformat()]
    assert manager.post(f"/recommendations/{rid}/updates", {"impact": ""}).status_code == 400
    entry = db.session.scalar(select(RecommendationUpdate))
    entry.impact = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.delete(db.session.scalar(select(RecommendationUpdate)))
        db.session.flush()


def test_patch_changes_fields_and_is_audited(manager, review):
    rid = new(manager, review).json["id"]
    response = manager.patch(f"/recommendations/{rid}",
                             {"text": "Reworded.", "owner": "Head of Primary Care",
                              "themes": ["Information sharing"]})
    assert response.status_code == 200, response.json
    assert response.json["text"] == "Reworded."
    assert response.json["themes"] == ["information_sharing"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "recommendation.updated"))
    assert entry.data["after"]["owner"] == "Head of Primary Care"
    assert manager.patch(f"/recommendations/{rid}", {}).status_code == 400
    assert manager.patch(f"/recommendations/{rid}", {"text": None}).status_code == 400
    new(manager, review, number="2.2")
    clash = manager.patch(f"/recommendations/{rid}", {"number": "2.2"})
    assert clash.status_code == 400 and "number" in clash.json["error"]["details"]


def test_after_publication_wording_is_frozen_but_tracking_goes_on(manager, review, api_as):
    rid = new(manager, review).json["id"]
    set_state(review, "published")
    reworded = manager.patch(f"/recommendations/{rid}", {"text": "Quietly changed"})
    assert reworded.status_code == 409
    assert reworded.json["error"]["code"] == "read_only"
    assert new(manager, review, number="9.9").status_code == 409
    assert manager.patch(f"/recommendations/{rid}", {"owner": "New owner"}).status_code == 200
    subgroup = api_as("subgroup_member")
    assert subgroup.post(f"/recommendations/{rid}/updates",
                         {"impact": "Audit shows routine enquiry in 80% of records"}
                         ).status_code == 201
    assert subgroup.post(f"/recommendations/{rid}/complete",
                         {"evidence": "Audit report"}).status_code == 200


def test_who_may_draft_and_who_may_track(api_as, make_user, review):
    chair = make_user("chair")
    appoint(review, chair)
    chair_api = api_as(chair)
    rid = new(chair_api, review).json["id"]
    assert chair_api.patch(f"/recommendations/{rid}", {"text": "Chair's wording"}
                           ).status_code == 200
    # the chair drafts, but progress and completion belong to the CSP and sub-group
    assert chair_api.post(f"/recommendations/{rid}/complete",
                          {"evidence": "x"}).status_code == 403
    assert chair_api.post(f"/recommendations/{rid}/updates", {"impact": "x"}).status_code == 403
    subgroup = api_as("subgroup_member")
    assert new(subgroup, review, number="5").status_code == 403
    assert subgroup.patch(f"/recommendations/{rid}", {"text": "x"}).status_code == 403
    assert subgroup.post(f"/recommendations/{rid}/updates", {"impact": "Reviewed at the "
                                                             "sub-group"}).status_code == 201
    for outsider in (api_as("csp_manager", csps=["Watford"]), api_as("chair"),
                     api_as("practitioner"), api_as("subgroup_member", area="Herefordshire")):
        assert new(outsider, review, number="6").status_code == 404
        assert outsider.get(f"/recommendations/{rid}").status_code == 404
        assert outsider.post(f"/recommendations/{rid}/close",
                             {"reason": "superseded"}).status_code == 404
    assert rec_count() == 1
    assert db.session.get(Recommendation, rid).status == "open"


def test_practitioners_read_published_recommendations_without_internal_detail(
        manager, review, api_as):
    rid = new(manager, review, owner="Named GP").json["id"]
    manager.post(f"/recommendations/{rid}/updates", {"impact": "Internal progress note"})
    practitioner = api_as("practitioner")
    assert practitioner.get(f"/reviews/{review.id}/recommendations").status_code == 404
    set_state(review, "published")
    [item] = practitioner.get(f"/reviews/{review.id}/recommendations").json["items"]
    assert item["text"] == CHAMPIONS and item["status"] == "open"
    assert item["owner"] is None and item["updates"] is None and item["evidence"] is None
    assert practitioner.post(f"/recommendations/{rid}/updates",
                             {"impact": "x"}).status_code == 403


def test_overdue_when_open_and_past_due(manager, review):
    rid = new(manager, review, due_date=(TODAY - timedelta(days=1)).isoformat()).json["id"]
    assert manager.get(f"/recommendations/{rid}").json["overdue"] is True
    manager.post(f"/recommendations/{rid}/complete", {"evidence": "Done"})
    assert manager.get(f"/recommendations/{rid}").json["overdue"] is False


def test_two_status_changes_at_once_one_wins(make_user, review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    item = ops.create_recommendation(review, manager, {
        "number": "1", "text": "Text", "level": "local", "agency": "police"})
    db.session.commit()
    assert item.status == "open"
    with db.engine.begin() as other:
        other.execute(Recommendation.__table__.update()
                      .where(Recommendation.__table__.c.id == item.id)
                      .values(status="closed", closed_reason="superseded", closed_date=TODAY,
                              lock_version=2))
    with pytest.raises(Stale):
        ops.complete(item, manager, {"evidence": "Done"})
    db.session.rollback()
    assert item.status == "closed" and item.completed_date is None
