"""A practitioner gets the published view of a review and nothing more, through every API
call they can reach: the facts of the published report page, never exact dates, clocks,
pauses, resubmissions, household counts, agencies in scope, the chair, owners or history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g

from dhr.extensions import db
from tests.conftest import Api, sign_in
from tests.support.foundation import publish
from tests.support.pool import member

PRACTITIONER_FIELDS = {"id", "reference", "csp", "state", "victim_pseudonym", "month_of_death",
                       "death_type", "review_type", "published_date", "published_url",
                       "themes"}
NEVER_SHOWN_KEYS = {
    "notification_date", "date_of_death", "decision_due", "statutory_due", "adjusted_due",
    "paused_days", "pause_reason", "resubmissions", "deceased_16_plus", "children_under_16",
    "agencies", "chair", "report_writer", "history", "identifying_terms", "owner",
    "evidence", "updates", "overdue", "decision_overdue", "completion_overdue",
}


def keys_in(value: Any) -> set[str]:
    """Every key with a value, at any depth (a null says nothing)."""
    if isinstance(value, dict):
        return ({k for k, v in value.items() if v is not None}
                | {k for v in value.values() for k in keys_in(v)})
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def published_review(make_review, api_admin: Api):
    review = make_review(csp="Dacorum", agencies=["police", "mental_health_trust"],
                         identifying_terms=["Jane Realname"], children_under_16=3)
    review.chair = member("Helen Carter")
    review.resubmissions = 2
    review.paused_days = 41
    db.session.commit()
    made = api_admin.post(f"/reviews/{review.id}/recommendations", {
        "number": "1.1", "text": "GPs ask about domestic abuse at routine appointments.",
        "level": "local", "agency": "police", "owner": "Priya Shah, Head of Safeguarding",
        "themes": ["routine_enquiry", "information_sharing"]})
    assert made.status_code == 201, made.json
    publish(review)
    return review, made.json["id"]


def test_the_review_is_the_published_page_in_json(app, api_as, make_review, make_user):
    admin = api_as("admin")
    review, _ = published_review(make_review, admin)
    practitioner = make_user("practitioner")
    body = Api(app.test_client(), practitioner).get(f"/reviews/{review.id}").json
    assert set(body) == PRACTITIONER_FIELDS
    assert body == {
        "id": review.id, "reference": review.reference, "csp": "Dacorum", "state": "published",
        "victim_pseudonym": "Adult A", "month_of_death": "2024-01",
        "death_type": "intimate_partner_homicide", "review_type": "full",
        "published_date": "2025-03-01", "published_url": "https://www.dacorum.gov.uk/dhr/adult-a",
        "themes": ["information_sharing", "routine_enquiry"],
    }
    # The same facts are on the published page.
    browser = app.test_client()
    sign_in(browser, practitioner)
    g.pop("_login_user", None)
    page = browser.get(f"/reviews/{review.id}/published").text
    for fact in ("Adult A", "Dacorum", "January 2024", "https://www.dacorum.gov.uk/dhr/adult-a"):
        assert fact in page


def test_every_answer_a_practitioner_can_reach_keeps_to_the_published_view(
        app, api_as, make_review, make_user):
    admin = api_as("admin")
    review, recommendation_id = published_review(make_review, admin)
    api = Api(app.test_client(), make_user("practitioner"))
    answers = {}
    for path in [f"/reviews/{review.id}", "/reviews", "/reviews?csp=Dacorum&year=2024",
                 f"/reviews/{review.id}/transitions", f"/reviews/{review.id}/recommendations",
                 f"/recommendations/{recommendation_id}", f"/reviews/{review.id}/published",
                 f"/reviews/{review.id}/documents/executive_summary",
                 f"/reviews/{review.id}/amendments", f"/reviews/{review.id}/agency-requests",
                 f"/reviews/{review.id}/chair-candidates", "/chairs"]:
        response = api.get(path)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        answers[path] = response.json
        if response.status_code == 200:
            assert not keys_in(response.json) & NEVER_SHOWN_KEYS, path
            text = str(response.json)
            for secret in ("2024-01-31", "2024-02-02", "Helen Carter", "Priya Shah",
                           "Jane Realname", "mental_health_trust"):
                assert secret not in text, (path, secret)
    assert answers["/reviews"]["total"] == 1
    assert set(answers["/reviews"]["items"][0]) == PRACTITIONER_FIELDS


def test_lateness_is_not_a_practitioners_filter(api_as, make_review):
    admin = api_as("admin")
    published_review(make_review, admin)
    response = api_as("practitioner").get("/reviews?overdue=true")
    assert response.status_code == 400
    assert "overdue" in response.json["error"]["details"]


def test_people_running_reviews_still_get_everything(api_as, make_review):
    admin = api_as("admin")
    review, _ = published_review(make_review, admin)
    body = api_as("coordinator").get(f"/reviews/{review.id}").json
    assert body["date_of_death"] == "2024-01-31"
    assert body["notification_date"] == "2024-02-02"
    assert body["chair"]["name"] == "Helen Carter"
    assert body["resubmissions"] == 2 and body["children_under_16"] == 3
    assert body["history"]


def test_the_openapi_document_describes_the_practitioner_shape(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    assert set(schemas["PractitionerReviewOut"]["properties"]) == PRACTITIONER_FIELDS
    answer = document["paths"]["/api/v1/reviews/{review_id}"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    variants = schemas[ref.rsplit("/", 1)[1]]["anyOf"]
    assert {v["$ref"].rsplit("/", 1)[1] for v in variants} == {"ReviewOut",
                                                               "PractitionerReviewOut"}
    items = schemas["ReviewList"]["properties"]["items"]["items"]["anyOf"]
    assert {v["$ref"].rsplit("/", 1)[1] for v in items} == {"ReviewOut",
                                                             "PractitionerReviewOut"}


def test_a_date_is_never_a_day_for_practitioners(api_as, make_review):
    admin = api_as("admin")
    review, _ = published_review(make_review, admin)
    body = api_as("practitioner").get(f"/reviews/{review.id}").json
    assert date.fromisoformat(body["month_of_death"] + "-01").day == 1
