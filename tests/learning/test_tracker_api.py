"""GET /api/v1/recommendations: the tracker across reviews, for every role, with its filters,
paging, order and counts; and POST /recommendations/{id}/reopen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry
from learning.models import Recommendation
from tests.support.tracker import TODAY, build_scene


@pytest.fixture
def scene(make_review, make_user):
    return build_scene(make_review, make_user)


def listed(api, query: str = "") -> list[int]:
    response = api.get(f"/recommendations{query}")
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_most_overdue_first_then_open_then_finished(api_as, scene):
    body = api_as("admin").get("/recommendations").json
    assert [i["id"] for i in body["items"]] == scene.ids("B1", "A1", "A2", "A4", "A3", "B2")
    assert body["total"] == 6 and body["page"] == 1 and body["pages"] == 1
    first = body["items"][0]
    assert first["days_overdue"] == 100 and first["overdue"] is True
    assert first["csp"] == "Watford" and first["review_reference"] == scene.watford.reference
    assert first["owner"] == "Named officer" and first["agency_label"] == "Police"
    assert first["updates"] is None  # the list leaves the progress log out
    assert [i["days_overdue"] for i in body["items"]] == [100, 30, 5, None, None, None]


@pytest.mark.parametrize(("role", "kwargs", "expected"), [
    ("coordinator", {}, ("B1", "A1", "A2", "A4", "A3", "B2")),
    ("subgroup_member", {}, ("B1", "A1", "A2", "A4", "A3", "B2")),
    ("csp_manager", {"csps": ["Dacorum"]}, ("A1", "A2", "A4", "A3")),
    ("csp_manager", {"csps": ["Watford"]}, ("B1", "B2")),
    ("csp_manager", {"csps": ["Stevenage"]}, ()),
    ("coordinator", {"area": "Herefordshire"}, ()),
])
def test_each_role_sees_the_reviews_it_may_see(api_as, scene, role, kwargs, expected):
    assert listed(api_as(role, **kwargs)) == scene.ids(*expected)


def test_a_chair_sees_the_reviews_they_are_appointed_to(api_as, scene):
    assert listed(api_as(scene.chair)) == scene.ids("A1", "A2", "A4", "A3")


def test_practitioners_see_published_reviews_only_and_no_internal_detail(api_as, scene):
    body = api_as("practitioner").get("/recommendations").json
    assert [i["id"] for i in body["items"]] == scene.ids("B1", "B2")
    for item in body["items"]:
        assert item["owner"] is None and item["due_date"] is None
        assert item["evidence"] is None and item["closed_note"] is None
        assert item["days_overdue"] is None and item["updates"] is None
    assert "Named officer" not in str(body)
    assert all(row["overdue"] is None for row in body["by_agency"] + body["by_csp"])
    for name, value in (("overdue", "true"), ("due_before", TODAY.isoformat())):
        refused = api_as("practitioner").get(f"/recommendations?{name}={value}")
        assert refused.status_code == 400 and name in refused.json["error"]["details"]


def test_anonymous_callers_are_refused(client, scene):
    assert client.get("/api/v1/recommendations").status_code == 401
    assert client.get("/api/v1/recommendations/export?format=csv").status_code == 401


@pytest.mark.parametrize(("query", "expected"), [
    ("agency=police", ("B1", "A1", "A3")),
    ("agency=Police", ("B1", "A1", "A3")),  # a label works as well as a code
    ("theme=routine_enquiry", ("B1", "A2")),
    ("theme=Information sharing", ("A1",)),
    ("status=completed", ("A3",)),
    ("status=closed", ("B2",)),
    ("overdue=true", ("B1", "A1", "A2")),
    ("overdue=false", ("A4", "A3", "B2")),
    ("csp=Watford", ("B1", "B2")),
    ("year=2023", ("A1", "A2", "A4", "A3")),
    ("year=2021", ()),
    ("level=regional", ("A4",)),
    (f"due_before={TODAY.isoformat()}", ("B1", "A1", "A2", "A3")),
    ("agency=police&status=open&csp=dacorum", ("A1",)),
    ("agency=&theme=", ("B1", "A1", "A2", "A4", "A3", "B2")),  # empty means not given
])
def test_filters(api_as, scene, query, expected):
    assert listed(api_as("admin"), f"?{query}") == scene.ids(*expected)


def test_paged_in_order(api_as, scene):
    admin = api_as("admin")
    second = admin.get("/recommendations?per_page=2&page=2").json
    assert [i["id"] for i in second["items"]] == scene.ids("A2", "A4")
    assert second["total"] == 6 and second["pages"] == 3 and second["per_page"] == 2
    assert listed(admin, "?per_page=2&page=4") == []


def test_counts_and_completion_rates_by_agency_csp_and_theme(api_as, scene):
    body = api_as("admin").get("/recommendations").json
    police = next(r for r in body["by_agency"] if r["key"] == "police")
    assert police == {"key": "police", "label": "Police", "total": 3, "open": 2,
                      "completed": 1, "closed": 0, "overdue": 2, "completion_rate": 0.333}
    by_csp = {r["label"]: r for r in body["by_csp"]}
    assert set(by_csp) == {"Dacorum", "Watford"}
    assert (by_csp["Dacorum"]["total"], by_csp["Dacorum"]["completion_rate"]) == (4, 0.25)
    assert (by_csp["Watford"]["closed"], by_csp["Watford"]["completion_rate"]) == (1, 0.0)
    themes = {r["key"]: r["total"] for r in body["by_theme"]}
    assert themes == {"routine_enquiry": 2, "information_sharing": 1,
                      "training_and_awareness": 1}
    # The counts follow the filters.
    filtered = api_as("admin").get("/recommendations?csp=Watford").json
    assert [r["label"] for r in filtered["by_csp"]] == ["Watford"]
    # ... and the permissions.
    mine = api_as("csp_manager", csps=["Watford"]).get("/recommendations").json
    assert sum(r["total"] for r in mine["by_agency"]) == 2


@pytest.mark.parametrize(("query", "field"), [
    ("status=ongoing", "status"),
    ("level=county", "level"),
    ("year=twenty", "year"),
    ("year=1200", "year"),
    ("overdue=maybe", "overdue"),
    ("due_before=2024-13-01", "due_before"),
    ("page=0", "page"),
    ("per_page=1000", "per_page"),
    ("agency=unicorns", "agency"),
    ("theme=astrology", "theme"),
    ("csp=Atlantis", "csp"),
    ("colour=red", "colour"),
])
def test_bad_filters_are_400_with_the_field(api_as, scene, query, field):
    response = api_as("admin").get(f"/recommendations?{query}")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def _reopen(api, item, body):
    return api.post(f"/recommendations/{item.id}/reopen", body)


def test_the_subgroup_reopens_a_completed_recommendation_with_a_reason(api_as, scene):
    item = scene.recs["A3"]
    response = _reopen(api_as("subgroup_member"), item,
                       {"reason": "The audit found GP training had lapsed"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "open" and response.json["completed_date"] is None
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == "open"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "recommendation.reopened", AuditEntry.object_id == item.id))
    assert (entry.from_state, entry.to_state) == ("completed", "open")
    assert entry.data["reason"] == "The audit found GP training had lapsed"
    assert entry.data["previous"]["completed_date"] == (TODAY - timedelta(days=10)).isoformat()
    assert entry.data["previous"]["evidence"].startswith("+ 304 ACS staff")
    # Open again, it can be completed again.
    again = api_as("admin").post(f"/recommendations/{item.id}/complete",
                                 {"evidence": "Retrained"})
    assert again.status_code == 200 and again.json["status"] == "completed"


def test_a_closed_recommendation_can_be_reopened_by_the_coordinator(api_as, scene):
    response = _reopen(api_as("coordinator"), scene.recs["B2"], {"reason": "Not superseded"})
    assert response.status_code == 200
    assert response.json["closed_reason"] is None and response.json["status"] == "open"


@pytest.mark.parametrize(("role", "kwargs", "status"), [
    ("csp_manager", {"csps": ["Watford"]}, 403),
    ("practitioner", {}, 403),
    ("csp_manager", {"csps": ["Dacorum"]}, 404),  # cannot see the Watford review at all
    ("coordinator", {"area": "Herefordshire"}, 404),
])
def test_others_cannot_reopen(api_as, scene, role, kwargs, status):
    item = scene.recs["B2"]
    assert _reopen(api_as(role, **kwargs), item, {"reason": "Why not"}).status_code == status
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == "closed"


def test_a_chair_cannot_reopen(api_as, scene):
    assert _reopen(api_as(scene.chair), scene.recs["A3"], {"reason": "x"}).status_code == 403


@pytest.mark.parametrize(("name", "body", "status"), [
    ("A3", {}, 400),
    ("A3", {"reason": "   "}, 400),
    ("A3", {"reason": "ok", "extra": 1}, 400),
    ("A1", {"reason": "It is open"}, 409),
])
def test_reopen_bad_input_changes_nothing(api_as, scene, name, body, status):
    item = scene.recs[name]
    before = item.status
    response = _reopen(api_as("admin"), item, body)
    assert response.status_code == status, response.json
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == before
