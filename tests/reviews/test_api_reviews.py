"""Creating, listing, reading and editing reviews through the JSON API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AuditEntry, Review

VALID = {
    "csp": "Dacorum",
    "victim_pseudonym": "Adult A",
    "date_of_death": "2024-01-31",
    "notification_date": "2024-01-31",
    "death_type": "intimate_partner_homicide",
    "review_type": "full",
    "deceased_16_plus": 1,
    "children_under_16": 2,
    "agencies": ["police", "Housing"],
    "identifying_terms": ["Jane Realname"],
}


def review_count() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def test_csp_manager_records_a_notification(api_as):
    api = api_as("csp_manager", csps=["Dacorum"])
    response = api.post("/reviews", VALID)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reference"] == "DHR-DACORUM-2024-01"
    assert body["state"] == "notified"
    assert body["decision_due"] == "2024-02-29"  # 31 January + 1 month, leap year
    assert body["agencies"] == ["police", "housing"]
    assert body["identifying_terms"] == ["Jane Realname"]
    assert body["history"][0]["to_state"] == "notified"
    second = api.post("/reviews", VALID).json
    assert second["reference"] == "DHR-DACORUM-2024-02"


def test_the_audit_log_never_copies_identifying_terms(api_as):
    api_as("admin").post("/reviews", VALID)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.notified"))
    assert "Jane Realname" not in str(entry.data)


def test_manager_of_another_csp_is_refused_and_nothing_is_written(api_as):
    api = api_as("csp_manager", csps=["Watford"])
    response = api.post("/reviews", VALID)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert review_count() == 0


def test_list_shows_only_reviews_the_caller_may_see(api_as, make_review):
    make_review(csp="Dacorum")
    make_review(csp="Watford")
    make_review(csp="Herefordshire")
    assert api_as("csp_manager", csps=["Watford"]).get("/reviews").json["total"] == 1
    assert api_as("coordinator").get("/reviews").json["total"] == 2  # Hertfordshire only
    assert api_as("admin").get("/reviews").json["total"] == 3
    assert api_as("practitioner").get("/reviews").json["total"] == 0  # nothing published


def test_list_pages_newest_notification_first_with_and_without_the_overdue_filter(
        api_as, make_review):
    for day in (1, 3, 2):
        make_review(victim_pseudonym=f"Adult {day}", notification_date=date(2024, 2, day),
                    date_of_death=date(2024, 1, 1))
    api = api_as("admin")
    for extra in ("", "&overdue=true"):  # all three are overdue for a decision
        first = api.get(f"/reviews?per_page=2{extra}").json
        second = api.get(f"/reviews?per_page=2&page=2{extra}").json
        assert (first["total"], second["total"]) == (3, 3)
        names = [r["victim_pseudonym"] for r in first["items"] + second["items"]]
        assert names == ["Adult 3", "Adult 2", "Adult 1"]
    assert api.get("/reviews?overdue=false").json["total"] == 0


def test_a_review_the_caller_may_not_see_is_404_not_403(api_as, make_review):
    review = make_review(csp="Dacorum")
    response = api_as("csp_manager", csps=["Watford"]).get(f"/reviews/{review.id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_patch_changes_facts_and_is_audited(api_as, make_review):
    review = make_review()
    api = api_as("csp_manager", csps=["Dacorum"])
    changes = {"victim_pseudonym": "Ruth", "children_under_16": 0}
    response = api.patch(f"/reviews/{review.id}", changes)
    assert response.status_code == 200, response.json
    assert response.json["victim_pseudonym"] == "Ruth"
    actions = [h["action"] for h in response.json["history"]]
    assert actions[-1] == "review.updated"


def test_subgroup_member_may_see_but_not_edit(api_as, make_review):
    review = make_review()
    api = api_as("subgroup_member")
    assert api.get(f"/reviews/{review.id}").status_code == 200
    assert "identifying_terms" not in api.get(f"/reviews/{review.id}").json or \
        api.get(f"/reviews/{review.id}").json["identifying_terms"] is None
    assert api.patch(f"/reviews/{review.id}", {"victim_pseudonym": "X"}).status_code == 403


def test_missing_or_bad_token_is_401(client):
    assert client.get("/api/v1/reviews").status_code == 401
    bad = client.get("/api/v1/reviews", headers={"Authorization": "Bearer dhr_nope"})
    assert bad.status_code == 401
    assert bad.json["error"]["code"] == "unauthorized"


def test_health_needs_no_token(client):
    body = client.get("/api/v1/health").json
    assert body["status"] == "ok" and body["database"] == "ok"


def test_openapi_describes_the_review_calls(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "post" in doc["paths"]["/api/v1/reviews"]
    assert "ReviewCreate" in doc["components"]["schemas"]
    assert doc["paths"]["/api/v1/reviews/{review_id}"]["get"]["security"] == [{"bearer": []}]
    query = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/reviews"]["get"]["parameters"]}
    assert query["overdue"]["anyOf"][0] == {"type": "boolean"}
    assert query["per_page"]["maximum"] == 200


def test_themes_lists_the_controlled_vocabularies_grouped(api_as, client):
    body = api_as("practitioner").get("/themes").json["vocabularies"]
    assert set(body) == {"agency", "risk_factor", "theme"}
    assert body["agency"][0] == {"code": "police", "label": "Police"}
    assert {"code": "housing", "label": "Housing"} in body["agency"]
    assert "Routine enquiry" in [t["label"] for t in body["theme"]]
    assert client.get("/api/v1/themes").status_code == 401  # signed-in callers only
