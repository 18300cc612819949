"""The chair pool through the JSON API: records, permissions, validation, candidates and
expressions of interest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AuditEntry, Invitation, PoolMember, TrainingRecord
from tests.support.pool import LAST_YEAR, TODAY, in_state, member

NEW_CHAIR = {
    "name": "Helen Carter",
    "email": "Helen.Carter@chairs.example",
    "roles": ["chair", "report_writer"],
    "trained_date": "2024-05-01",
    "active": True,
    "capacity": 3,
    "conflict_agencies": ["Housing", {"agency": "police", "note": "Constabulary 2004-2016"}],
    "excluded_csps": ["Watford"],
}


def pool_size() -> int:
    return db.session.scalar(select(func.count(PoolMember.id)))


# Records -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_and_admin_add_a_chair(api_as, role):
    response = api_as(role).post("/chairs", NEW_CHAIR)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["email"] == "helen.carter@chairs.example"
    assert body["roles"] == ["chair", "report_writer"]
    assert body["capacity"] == 3 and body["active"] is True
    assert body["training"][0]["kind"] == "home_office_chair_training"
    assert body["trained_until"] == "2027-05-01"  # three years by default
    assert [c["label"] for c in body["conflict_agencies"]] == ["Housing", "Police"]
    assert body["conflict_agencies"][1]["note"] == "Constabulary 2004-2016"
    assert body["excluded_csps"] == ["Watford"]
    assert body["current_reviews"] == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pool_member.created"))
    assert entry.data["email"] == "helen.carter@chairs.example"


@pytest.mark.parametrize("role", ["csp_manager", "subgroup_member", "chair", "practitioner"])
def test_other_roles_cannot_add_or_change_chairs(api_as, role):
    existing = member()
    api = api_as(role)
    before = pool_size()
    response = api.post("/chairs", NEW_CHAIR)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert pool_size() == before
    patched = api.patch(f"/chairs/{existing.id}", {"capacity": 9})
    assert patched.status_code == (404 if role == "chair" else 403)  # a chair sees only self
    db.session.refresh(existing)
    assert existing.capacity == 2


def test_a_chair_cannot_change_their_own_record(api_as, make_user):
    user = make_user("chair")
    own = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    assert api_as(user).get(f"/chairs/{own.id}").status_code == 200
    response = api_as(user).patch(f"/chairs/{own.id}", {"capacity": 9})
    assert response.status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"email": "not-an-email"}, "email"),
    ({"roles": []}, "roles"),
    ({"roles": ["judge"]}, "roles.0"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": "3"}, "capacity"),
    ({"capacity": 21}, "capacity"),
    ({"active": "yes"}, "active"),
    ({"trained_date": (TODAY + timedelta(days=1)).isoformat()}, "trained_date"),
    ({"trained_date": "2024-02-30"}, "trained_date"),
    ({"conflict_agencies": ["Bank of England"]}, "conflict_agencies"),
    ({"excluded_csps": ["Atlantis"]}, "excluded_csps"),
    ({"areas": ["Narnia"]}, "areas"),
    ({"training": [{"kind": "first_aid", "completed_date": "2024-01-01"}]}, "training.0.kind"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_chair_records_are_400_naming_the_field(api_as, change, field):
    response = api_as("coordinator").post("/chairs", {**NEW_CHAIR, **change})
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"], response.json
    assert pool_size() == 0


def test_an_email_already_in_the_pool_is_refused(api_as):
    api = api_as("coordinator")
    assert api.post("/chairs", NEW_CHAIR).status_code == 201
    again = api.post("/chairs", {**NEW_CHAIR, "email": "HELEN.carter@chairs.example"})
    assert again.status_code == 400
    assert "already in the pool" in again.json["error"]["details"]["email"]
    assert pool_size() == 1


def test_training_expiry_explicit_or_by_rule(api_as):
    body = {**NEW_CHAIR, "trained_date": None, "training": [
        {"kind": "aafda_certificate", "completed_date": "2020-03-03"},
        {"kind": "other", "completed_date": "2024-01-01", "expires_date": "2024-06-30"},
    ]}
    del body["trained_date"]
    created = api_as("admin").post("/chairs", body).json
    assert [(t["expires_date"], t["expired"]) for t in created["training"]] == [
        ("2023-03-03", True), ("2024-06-30", True)]
    assert created["trained_until"] == "2023-03-03"
    assert created["training_expired"] is True


def test_patch_changes_the_record_and_keeps_the_history(api_as):
    chair = member(conflicts={"housing": ""})
    api = api_as("coordinator")
    response = api.patch(f"/chairs/{chair.id}", {
        "capacity": 4, "active": False, "conflict_agencies": ["Probation"],
        "trained_date": TODAY.isoformat(), "phone": "01234 567890"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["capacity"] == 4 and body["active"] is False
    assert [c["agency"] for c in body["conflict_agencies"]] == ["probation"]
    assert len(body["training"]) == 2
    assert body["phone"] == "01234 567890"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pool_member.updated"))
    assert entry.data["capacity"] == {"before": 2, "after": 4}
    assert entry.data["conflict_agencies"]["before"] == [{"agency": "housing", "note": ""}]


def test_patch_refuses_nulls_empty_bodies_and_unknown_chairs(api_as):
    chair = member()
    api = api_as("coordinator")
    assert api.patch(f"/chairs/{chair.id}", {"name": None}).status_code == 400
    assert api.patch(f"/chairs/{chair.id}", {}).status_code == 400
    assert api.patch("/chairs/9999", {"capacity": 1}).status_code == 404


def test_the_pool_list_by_role(api_as, make_user):
    member("Zoe Other")
    assert len(api_as("coordinator").get("/chairs").json["items"]) == 1
    assert len(api_as("csp_manager").get("/chairs").json["items"]) == 1
    chair_user = make_user("chair")  # has a pool record of its own
    own = api_as(chair_user).get("/chairs").json["items"]
    assert [c["email"] for c in own] == [chair_user.email]
    other = db.session.scalar(select(PoolMember).where(PoolMember.name == "Zoe Other"))
    assert api_as(chair_user).get(f"/chairs/{other.id}").status_code == 404
    assert api_as("practitioner").get("/chairs").status_code == 403


def test_chair_list_names_only_reviews_the_caller_may_see(api_as, make_review):
    chair = member()
    dacorum = in_state(make_review(csp="Dacorum"), "drafting", chair=chair)
    in_state(make_review(csp="Watford"), "drafting", chair=chair)
    body = api_as("csp_manager", csps=["Dacorum"]).get(f"/chairs/{chair.id}").json
    assert body["current_reviews"] == 2
    assert body["reviews"] == [{"id": dacorum.id, "reference": dacorum.reference}]


def test_a_chair_sees_only_the_reviews_they_are_appointed_to(api_as, make_user, make_review):
    user = make_user("chair")
    mine = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    chaired = in_state(make_review(), "panel_and_scope", chair=mine)
    written = in_state(make_review(csp="Watford"), "drafting", chair=member(),
                       report_writer=mine)
    other = in_state(make_review(), "panel_and_scope", chair=member("Someone Else"))
    api = api_as(user)
    listed = {r["id"] for r in api.get("/reviews").json["items"]}
    assert listed == {chaired.id, written.id}
    assert api.get(f"/reviews/{other.id}").status_code == 404


def test_a_new_pool_member_is_linked_to_the_chair_account_with_that_email(api_as, make_user):
    user = make_user("chair", email="new.chair@chairs.example")
    db.session.delete(db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id)))
    db.session.commit()
    body = api_as("coordinator").post("/chairs", {**NEW_CHAIR,
                                                  "email": "New.Chair@chairs.example"}).json
    assert body["can_sign_in"] is True
    assert db.session.get(PoolMember, body["id"]).user_id == user.id


# Candidates --------------------------------------------------------------------------------

def test_candidates_are_ranked_and_explained(api_as, make_review):
    review = in_state(make_review(agencies=["police", "housing"]), "chair_appointment")
    member("Ann Able")
    member("Ben Busy", capacity=1)
    busy_review = in_state(make_review(csp="Dacorum"), "drafting",
                           chair=db.session.scalar(select(PoolMember).filter_by(name="Ben Busy")))
    member("Cat Conflicted", conflicts={"housing": ""})
    response = api_as("coordinator").get(f"/reviews/{review.id}/chair-candidates")
    assert response.status_code == 200, response.json
    body = response.json
    # Eligible first; then, among those who are not, the fewest current reviews.
    assert [c["chair"]["name"] for c in body] == ["Ann Able", "Cat Conflicted", "Ben Busy"]
    assert [c["rank"] for c in body] == [1, 2, 3]
    assert body[0] == {**body[0], "eligible": True, "reasons": [], "current_reviews": 0}
    assert body[2]["reasons"] == [f"at capacity (1 of 1): {busy_review.reference}"]
    assert body[1]["reasons"] == [
        "conflict of interest: worked for Housing, which is in this review's scope"]
    writers = api_as("admin").get(f"/reviews/{review.id}/chair-candidates?role=report_writer")
    assert all("not in the pool as a report writer" in c["reasons"] for c in writers.json)
    bad = api_as("admin").get(f"/reviews/{review.id}/chair-candidates?role=judge")
    assert bad.status_code == 400


def test_who_may_see_the_candidates(api_as, make_user, make_review):
    review = in_state(make_review(csp="Dacorum"), "chair_appointment")
    path = f"/reviews/{review.id}/chair-candidates"
    assert api_as("csp_manager", csps=["Dacorum"]).get(path).status_code == 200
    assert api_as("coordinator").get(path).status_code == 200
    assert api_as("coordinator", area="Herefordshire").get(path).status_code == 404
    assert api_as("csp_manager", csps=["Watford"]).get(path).status_code == 404
    assert api_as("subgroup_member").get(path).status_code == 403
    assert api_as("practitioner").get(path).status_code == 404
    assert api_as("chair").get(path).status_code == 404  # not appointed: cannot see it
    assert api_as("admin").get("/reviews/9999/chair-candidates").status_code == 404


# Expressions of interest -------------------------------------------------------------------

def test_invite_accept_and_the_ranking_shows_who_said_yes(api_as, make_user, make_review):
    review = in_state(make_review(), "chair_appointment")
    user = make_user("chair")
    invited = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    invited.training.append(TrainingRecord(kind="aafda_certificate", completed_date=LAST_YEAR))
    db.session.commit()
    coordinator = api_as("coordinator")
    created = coordinator.post(f"/reviews/{review.id}/chair-invitations",
                               {"chair_id": invited.id})
    assert created.status_code == 201, created.json
    assert created.json["state"] == "invited"
    ranked = coordinator.get(f"/reviews/{review.id}/chair-candidates").json
    assert {c["chair"]["id"]: c["invitation"] for c in ranked}[invited.id] == "invited"

    chair_api = api_as(user)
    mine = chair_api.get("/chair-invitations").json["items"]
    assert [(i["review_reference"], i["agencies"]) for i in mine] == [
        (review.reference, ["Police", "Housing"])]
    answer = chair_api.post(f"/chair-invitations/{created.json['id']}/respond",
                            {"response": "accept"})
    assert answer.status_code == 200, answer.json
    assert answer.json["state"] == "accepted"
    ranked = coordinator.get(f"/reviews/{review.id}/chair-candidates").json
    assert {c["chair"]["id"]: c["invitation"] for c in ranked}[invited.id] == "accepted"
    again = chair_api.post(f"/chair-invitations/{created.json['id']}/respond",
                           {"response": "decline"})
    assert again.status_code == 409
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.review_id == review.id)).all()
    assert {"chair_invitation.sent", "chair_invitation.accepted"} <= set(actions)


def test_only_the_invited_chair_may_answer(api_as, make_user, make_review):
    review = in_state(make_review(), "chair_appointment")
    user = make_user("chair")
    invited = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    invitation = Invitation(review=review, member=invited)
    db.session.add(invitation)
    db.session.commit()
    path = f"/chair-invitations/{invitation.id}/respond"
    assert api_as("chair").post(path, {"response": "accept"}).status_code == 404
    assert api_as("csp_manager", csps=["Watford"]).post(
        path, {"response": "accept"}).status_code == 404
    refused = api_as("coordinator").post(path, {"response": "accept"})
    assert refused.status_code == 403
    assert api_as(user).post(path, {"response": "maybe"}).status_code == 400
    db.session.refresh(invitation)
    assert invitation.state == "invited"
    assert api_as(user).post(path, {"response": "decline"}).json["state"] == "declined"


def test_invitations_only_for_eligible_members_once_each(api_as, make_review):
    review = in_state(make_review(agencies=["police"]), "chair_appointment")
    conflicted = member("Pat Police", conflicts={"police": ""})
    able = member("Ann Able")
    api = api_as("csp_manager", csps=["Dacorum"])
    path = f"/reviews/{review.id}/chair-invitations"
    refused = api.post(path, {"chair_id": conflicted.id})
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "not_eligible"
    assert refused.json["error"]["details"]["reasons"] == [
        "conflict of interest: worked for Police, which is in this review's scope"]
    assert api.post(path, {"chair_id": able.id}).status_code == 201
    assert api.post(path, {"chair_id": able.id}).status_code == 409
    assert api.post(path, {"chair_id": 9999}).json["error"]["details"] == {
        "chair_id": "no such pool member"}
    assert api_as("subgroup_member").post(path, {"chair_id": able.id}).status_code == 403
    assert api_as("csp_manager", csps=["Watford"]).post(
        path, {"chair_id": able.id}).status_code == 404
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_no_invitations_for_a_finished_review(api_as, make_review):
    review = in_state(make_review(), "withdrawn")
    response = api_as("admin").post(f"/reviews/{review.id}/chair-invitations",
                                    {"chair_id": member().id})
    assert response.status_code == 409


def test_chair_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/chairs", "/api/v1/chairs/{chair_id}",
                 "/api/v1/reviews/{review_id}/chair-candidates",
                 "/api/v1/reviews/{review_id}/chair-invitations",
                 "/api/v1/chair-invitations/{invitation_id}/respond"):
        assert path in paths


def test_cli_adds_a_chair_with_a_sign_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[
        "chair", "create", "martin.hughes@chairs.example", "--name", "Martin Hughes",
        "--role", "chair", "--role", "report_writer", "--trained", "2024-04-01",
        "--conflict", "Police", "--exclude-csp", "Watford", "--with-login", "--password-stdin",
    ], input="a long enough password 123\n")
    assert result.exit_code == 0, result.output
    assert "can sign in" in result.output
    created = db.session.scalar(select(PoolMember).filter_by(email="martin.hughes@chairs.example"))
    assert created.user is not None and created.user.role == "chair"
    assert created.roles == ["chair", "report_writer"]
    assert created.training[0].completed_date == date(2024, 4, 1)
    assert [c.agency for c in created.conflicts] == ["police"]
    bad = runner.invoke(args=["chair", "create", "x@chairs.example", "--name", "X",
                              "--conflict", "Bank of England"])
    assert bad.exit_code != 0 and "unknown agency" in bad.output
