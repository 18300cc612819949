"""Issue 11, item 8: the chair pool stays inside its area. Another county's coordinator meets
404 on every page and API call for a member outside their area; contact details go only to
those who appoint in the member's area; a chair's access to a review reads only once the
review is published or closed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import PoolMember
from dhr.models.pool import ConflictOfInterest
from tests.conftest import Api, sign_in
from tests.support.pool import in_state, member

HERTS_ONLY = ("Hertfordshire",)


@pytest.fixture
def herts_chair(app):
    chair = member("Helen Carter", areas=HERTS_ONLY, conflicts={"police": "1998 to 2015"})
    chair.phone = "01442 000101"
    db.session.commit()
    return chair


def _pool_routes(app) -> list[tuple[str, str]]:
    """Every rule of the pool pages and the chairs API that names one member (rule, method):
    a route added later is tried here without anyone listing it."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:member_id>" in rule.rule or "<int:chair_id>" in rule.rule:
            found += [(rule.rule, method) for method in sorted(rule.methods - {"HEAD",
                                                                              "OPTIONS"})]
    return sorted(found)


def _fill(rule: str, chair: PoolMember) -> str:
    conflict = db.session.scalar(select(ConflictOfInterest).where(
        ConflictOfInterest.member_id == chair.id))
    values = {"member_id": chair.id, "chair_id": chair.id,
              "training_id": chair.training[0].id, "conflict_id": conflict.id}
    return re.sub(r"<int:(\w+)>", lambda m: str(values[m.group(1)]), rule)


def test_another_countys_coordinator_meets_404_on_every_pool_route(app, client, make_user,
                                                                   herts_chair):
    attacker = make_user("coordinator", area="Herefordshire")
    routes = _pool_routes(app)
    assert {"/pool/<int:member_id>", "/pool/<int:member_id>/edit",
            "/api/v1/chairs/<int:chair_id>"} <= {rule for rule, _ in routes}
    api = Api(app.test_client(), attacker)
    sign_in(client, attacker)
    body = {"name": "Taken Over", "capacity": 0, "kind": "other", "agency": "housing",
            "completed_date": "2024-01-01", "roles": "chair"}
    for rule, method in routes:
        path = _fill(rule, herts_chair)
        if rule.startswith("/api/"):
            response = api._call(method, path.removeprefix("/api/v1"), json={"capacity": 0})
        else:
            response = client.open(path, method=method, data=body)
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
    db.session.expire_all()
    kept = db.session.get(PoolMember, herts_chair.id)
    assert (kept.name, kept.capacity, len(kept.training), len(kept.conflicts)) == (
        "Helen Carter", 2, 1, 1)
    # Nor is the member listed, ranked as a candidate or invitable.
    assert "Helen Carter" not in client.get("/pool").get_data(as_text=True)
    assert [c["name"] for c in api.get("/chairs").json["items"]] == []


def test_another_countys_coordinator_cannot_see_or_invite_the_member(
        app, make_user, make_review, herts_chair):
    attacker = make_user("coordinator", area="Herefordshire")
    review = in_state(make_review(csp="Herefordshire"), "chair_appointment")
    api = Api(app.test_client(), attacker)
    ranked = api.get(f"/reviews/{review.id}/chair-candidates")
    assert ranked.status_code == 200
    assert herts_chair.id not in [c["chair"]["id"] for c in ranked.json]
    invited = api.post(f"/reviews/{review.id}/chair-invitations",
                       {"chair_id": herts_chair.id})
    assert invited.status_code == 400
    assert invited.json["error"]["details"] == {"chair_id": "no such pool member"}


def test_the_areas_own_coordinator_keeps_the_member(app, client, make_user, herts_chair):
    coordinator = make_user("coordinator", area="Hertfordshire")
    sign_in(client, coordinator)
    assert client.get(f"/pool/{herts_chair.id}").status_code == 200
    api = Api(app.test_client(), coordinator)
    changed = api.patch(f"/chairs/{herts_chair.id}", {"capacity": 3})
    assert changed.status_code == 200 and changed.json["capacity"] == 3


def test_a_coordinator_changes_only_their_own_area_on_a_member(app, make_user, herts_chair):
    shared = member("Priya Shah", areas=("Hertfordshire", "Herefordshire"))
    everywhere = member("David Okafor")
    hereford = Api(app.test_client(), make_user("coordinator", area="Herefordshire"))
    # Dropping Hertfordshire from a member both counties share is Hertfordshire's business.
    refused = hereford.patch(f"/chairs/{shared.id}", {"areas": ["Herefordshire"]})
    assert refused.status_code == 400
    assert refused.json["error"]["details"] == {
        "areas": "you can change only whether this member serves Herefordshire"}
    # A member who serves every area cannot be taken into one county's pool alone.
    taken = hereford.patch(f"/chairs/{everywhere.id}", {"areas": ["Herefordshire"]})
    assert taken.status_code == 400
    # A new member must serve the coordinator's own area.
    elsewhere = hereford.post("/chairs", {"name": "New Chair", "email": "new@chairs.example",
                                          "areas": ["Hertfordshire"]})
    assert elsewhere.status_code == 400
    assert elsewhere.json["error"]["details"] == {
        "areas": "must include Herefordshire, the area you coordinate"}
    # Leaving the shared member's service to Herefordshire is Herefordshire's to decide.
    left = hereford.patch(f"/chairs/{shared.id}", {"areas": ["Hertfordshire"]})
    assert left.status_code == 400  # ...but then they could no longer keep the record
    kept = hereford.patch(f"/chairs/{shared.id}", {"capacity": 1})
    assert kept.status_code == 200
    admin = Api(app.test_client(), make_user("admin"))
    assert admin.patch(f"/chairs/{shared.id}", {"areas": ["Herefordshire"]}).status_code == 200


@pytest.mark.parametrize(("who", "sees"), [
    ({"role": "admin"}, True),
    ({"role": "coordinator", "area": "Hertfordshire"}, True),
    ({"role": "csp_manager", "csps": ["Dacorum"]}, True),
    ({"role": "subgroup_member", "area": "Hertfordshire"}, False),
])
def test_contact_details_go_only_to_those_who_appoint(app, make_user, herts_chair, who, sees):
    viewer = make_user(who.pop("role"), **who)
    api = Api(app.test_client(), viewer)
    one = api.get(f"/chairs/{herts_chair.id}")
    listed = next(c for c in api.get("/chairs").json["items"] if c["id"] == herts_chair.id)
    for shown in (one.json, listed):
        assert (shown["email"], shown["phone"]) == (
            (herts_chair.email, "01442 000101") if sees else (None, None))
        assert shown["name"] == "Helen Carter"


@pytest.mark.parametrize("who", [
    {"role": "coordinator", "area": "Herefordshire"},
    {"role": "csp_manager", "csps": ["Herefordshire"]},
    {"role": "subgroup_member", "area": "Herefordshire"},
])
def test_other_areas_never_see_the_member(app, make_user, herts_chair, who):
    api = Api(app.test_client(), make_user(who.pop("role"), **who))
    assert api.get(f"/chairs/{herts_chair.id}").status_code == 404
    assert herts_chair.email not in api.get("/chairs").get_data(as_text=True)


def test_practitioners_never_see_the_pool(app, make_user, herts_chair):
    api = Api(app.test_client(), make_user("practitioner"))
    assert api.get("/chairs").status_code == 403
    assert api.get(f"/chairs/{herts_chair.id}").status_code == 403


def test_a_chair_sees_their_own_contact_details(app, make_user):
    user = make_user("chair")
    own = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    listed = Api(app.test_client(), user).get("/chairs").json["items"]
    assert [(c["id"], c["email"]) for c in listed] == [(own.id, own.email)]


# A chair's access once the review is published ------------------------------------------

def _chair_writes(api: Api, review_id: int, request_id: int, recommendation_id: int):
    yield "document", api.put(f"/reviews/{review_id}/documents/overview_report",
                              {"format": "markdown", "body": "A late change"})
    yield "agency request", api.post(f"/reviews/{review_id}/agency-requests",
                                     {"agency": "housing", "kind": "imr"})
    yield "agency request move", api.post(f"/agency-requests/{request_id}/transitions",
                                          {"event": "accept", "data": {}})
    yield "recommendation", api.post(f"/reviews/{review_id}/recommendations", {
        "number": "9", "text": "A late recommendation.", "level": "local",
        "agency": "police", "themes": []})
    yield "recommendation wording", api.patch(f"/recommendations/{recommendation_id}",
                                              {"text": "Changed after publication."})


@pytest.mark.parametrize("final_state", ["published", "closed"])
def test_a_chairs_access_reads_only_once_published_or_closed(app, client, make_user,
                                                            make_review, final_state):
    user = make_user("chair")
    chair = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    review = in_state(make_review(), "drafting", chair=chair)
    api = Api(app.test_client(), user)
    # While drafting the chair works on the review.
    assert api.put(f"/reviews/{review.id}/documents/overview_report",
                   {"format": "markdown", "body": "Draft"}).status_code == 201
    made = api.post(f"/reviews/{review.id}/agency-requests", {"agency": "police",
                                                              "kind": "imr"})
    assert made.status_code == 201, made.json
    recommendation = api.post(f"/reviews/{review.id}/recommendations", {
        "number": "1", "text": "Routine enquiry in GP surgeries.", "level": "local",
        "agency": "police", "themes": []})
    assert recommendation.status_code == 201, recommendation.json
    review.state = final_state
    review.publication_date = date(2025, 6, 1)
    db.session.commit()

    for what, response in _chair_writes(api, review.id, made.json["id"],
                                         recommendation.json["id"]):
        assert (response.status_code, response.json["error"]["code"]) in {
            (403, "forbidden"), (409, "read_only")}, (what, response.status_code)
    # Reading still works, and the review page offers nothing to change.
    assert api.get(f"/reviews/{review.id}").status_code == 200
    sign_in(client, user)
    page = client.get(f"/reviews/{review.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for action in ("/requests/new", "/recommendations/new", "/upload", "/events/"):
        assert action not in html, action
