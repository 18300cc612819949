"""Bad input never causes a 500 and never writes anything: the API answers with a JSON error
naming the field, the form shows the problem in the GOV.UK error summary."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dhr.extensions import db
from dhr.models import Review
from tests.conftest import sign_in
from tests.support.foundation import error_summary, row_counts

TOMORROW = (date.today() + timedelta(days=1)).isoformat()

VALID = {
    "csp": "Dacorum",
    "victim_pseudonym": "Adult A",
    "date_of_death": "2024-01-31",
    "notification_date": "2024-02-02",
    "death_type": "intimate_partner_homicide",
    "review_type": "full",
    "deceased_16_plus": 1,
    "children_under_16": 2,
    "agencies": ["police", "Housing"],
    "identifying_terms": ["Jane Realname"],
}


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# (case, changes to VALID, the field the error must name)
BAD_FIELDS = [
    ("string for an int", {"children_under_16": "1"}, "children_under_16"),
    ("bool for an int", {"deceased_16_plus": True}, "deceased_16_plus"),
    ("float for an int", {"children_under_16": 1.5}, "children_under_16"),
    ("int for a date", {"date_of_death": 5}, "date_of_death"),
    ("impossible date", {"date_of_death": "2024-02-30"}, "date_of_death"),
    ("not a date", {"notification_date": "yesterday"}, "notification_date"),
    ("timestamp for a date", {"date_of_death": "2024-01-31T10:00:00Z"}, "date_of_death"),
    ("notified before death", {"notification_date": "2024-01-30"}, "notification_date"),
    ("death in the future", {"date_of_death": TOMORROW, "notification_date": TOMORROW},
     "date_of_death"),
    ("notified in the future", {"notification_date": TOMORROW}, "notification_date"),
    ("unknown CSP", {"csp": "Narnia"}, "csp"),
    ("unknown agency", {"agencies": ["police", "Ministry of Magic"]}, "agencies"),
    ("agencies not a list", {"agencies": "police"}, "agencies"),
    ("unknown death type", {"death_type": "misadventure"}, "death_type"),
    ("unknown review type", {"review_type": "partial"}, "review_type"),
    ("no deceased", {"deceased_16_plus": 0}, "deceased_16_plus"),
    ("negative children", {"children_under_16": -1}, "children_under_16"),
    ("empty pseudonym", {"victim_pseudonym": "   "}, "victim_pseudonym"),
    ("overlong pseudonym", {"victim_pseudonym": "x" * 121}, "victim_pseudonym"),
    ("null where required", {"csp": None}, "csp"),
    ("extra field", {"state": "published"}, "state"),
    ("nesting inside a field", {"agencies": [["police"]]}, "agencies.0"),
]


@pytest.mark.parametrize(("case", "changes", "field"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_creating_with_a_bad_field(api_as, case, changes, field):
    api = api_as("admin")
    before = row_counts()
    response = api.post("/reviews", {**VALID, **changes})
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"], error
    assert error["details"][field]
    assert row_counts() == before


def test_a_missing_required_field_is_named(api_as):
    api = api_as("admin")
    before = row_counts()
    body = {k: v for k, v in VALID.items() if k not in {"csp", "date_of_death"}}
    response = api.post("/reviews", body)
    assert response.status_code == 400
    assert set(response.json["error"]["details"]) == {"csp", "date_of_death"}
    assert row_counts() == before


RAW_BODIES = [
    ("malformed JSON", b'{"csp": "Dacorum",', 400, "malformed_json"),
    ("not UTF-8", b'{"csp": "\xff"}', 400, "malformed_json"),
    ("empty body", b"", 400, "malformed_json"),
    ("a list", json.dumps([VALID]).encode(), 400, "validation_error"),
    ("a string", b'"Dacorum"', 400, "validation_error"),
    ("null", b"null", 400, "validation_error"),
    ("a number", b"42", 400, "validation_error"),
    ("deeply nested", json.dumps({**VALID, "agencies": nested(40)}).encode(), 400,
     "malformed_json"),
    ("nested past the parser's limit", b"[" * 100_000 + b"]" * 100_000, 400, "malformed_json"),
    ("oversized", json.dumps({**VALID, "victim_pseudonym": "x" * 600_000}).encode(), 413,
     "payload_too_large"),
]


@pytest.mark.parametrize(("case", "raw", "status", "code"), RAW_BODIES,
                         ids=[c[0] for c in RAW_BODIES])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_bodies_that_are_not_a_review(api_as, make_review, case, raw, status, code, method):
    review = make_review()
    api = api_as("admin")
    before = row_counts()
    path = "/reviews" if method == "POST" else f"/reviews/{review.id}"
    response = api._call(method, path, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert row_counts() == before


def test_a_form_encoded_body_is_refused_as_json(api_as):
    api = api_as("admin")
    before = row_counts()
    response = api._call("POST", "/reviews", data={"csp": "Dacorum"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"
    assert row_counts() == before


# (case, PATCH body, the field the error must name)
BAD_PATCHES = [
    ("null pseudonym", {"victim_pseudonym": None}, "victim_pseudonym"),
    ("null agencies", {"agencies": None}, "agencies"),
    ("null date", {"date_of_death": None}, "date_of_death"),
    ("string for an int", {"children_under_16": "3"}, "children_under_16"),
    ("impossible date", {"notification_date": "2023-02-29"}, "notification_date"),
    ("notified before the stored death", {"notification_date": "2024-01-01"},
     "notification_date"),
    ("death after the stored notification", {"date_of_death": "2024-03-01"},
     "notification_date"),
    ("future date", {"notification_date": TOMORROW}, "notification_date"),
    ("unknown CSP", {"csp": "Narnia"}, "csp"),
    ("unknown agency", {"agencies": ["Ministry of Magic"]}, "agencies"),
    ("state is not a fact", {"state": "published"}, "state"),
    ("lock version is not a fact", {"lock_version": 7}, "lock_version"),
    ("nothing at all", {}, "body"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_PATCHES, ids=[c[0] for c in BAD_PATCHES])
def test_patching_with_a_bad_field(api_as, make_review, case, body, field):
    review = make_review()
    api = api_as("admin")
    before = row_counts()
    response = api.patch(f"/reviews/{review.id}", body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"], response.json
    assert row_counts() == before
    db.session.expire_all()
    stored = db.session.get(Review, review.id)
    assert (stored.victim_pseudonym, stored.lock_version) == ("Adult A", review.lock_version)


@pytest.mark.parametrize("query", ["year=abc", "page=0", "per_page=100000", "overdue=maybe",
                                   "state=nonsense", "csp=Narnia", "sort=name", "page=1.5"])
def test_bad_list_queries(api_as, query):
    response = api_as("admin").get(f"/reviews?{query}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert response.json["error"]["details"]


@pytest.mark.parametrize("path", ["/reviews/0", "/reviews/-1", "/reviews/abc",
                                  "/reviews/99999999999999999999"])
def test_odd_review_ids_are_404_in_json(api_as, path):
    response = api_as("admin").get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


# --- the web form -----------------------------------------------------------------------

FORM = {
    "csp": "dacorum", "victim_pseudonym": "Adult A", "date_of_death": "2024-01-31",
    "notification_date": "2024-02-01", "death_type": "intimate_partner_homicide",
    "review_type": "full", "deceased_16_plus": "1", "children_under_16": "0",
    "agencies": ["police"], "identifying_terms": "Jane Realname\n12 Orchard Close",
}

# (case, changes to FORM, the messages the error summary must show)
BAD_FORMS = [
    ("impossible date", {"date_of_death": "2024-02-30"}, ["Date of death must be a real date"]),
    ("no date", {"notification_date": ""}, ["Enter the date the police notified the CSP"]),
    ("notified before death", {"notification_date": "2024-01-01"},
     ["Date the police notified the CSP must not be before the date of death"]),
    ("future dates", {"date_of_death": TOMORROW, "notification_date": TOMORROW},
     ["Date of death must be today or in the past",
      "Date the police notified the CSP must be today or in the past"]),
    ("a date box left empty", {"date_of_death-day": "3", "date_of_death-month": "",
                               "date_of_death-year": "2024"},
     ["Date of death must include a month"]),
    ("two date boxes left empty", {"date_of_death-day": "", "date_of_death-month": "",
                                   "date_of_death-year": "2024"},
     ["Date of death must include a day and month"]),
    ("a five-digit year", {"date_of_death-day": "3", "date_of_death-month": "1",
                           "date_of_death-year": "20243"}, ["Year must include 4 numbers"]),
    ("letters in a date box", {"date_of_death-day": "3", "date_of_death-month": "Jan",
                               "date_of_death-year": "2024"},
     ["Date of death must be a real date"]),
    ("a death in 1900", {"date_of_death": "1900-05-01"},
     ["Date of death must be the same as or after 1 January 1990"]),
    ("a pseudonym over 120 characters", {"victim_pseudonym": "A" * 121},
     ["Victim pseudonym must be 120 characters or fewer"]),
    ("unknown CSP", {"csp": "narnia"}, ["Select the CSP where the victim lived"]),
    ("no CSP", {"csp": ""}, ["Select the CSP where the victim lived"]),
    ("unknown agency", {"agencies": ["ministry_of_magic"]},
     ["'ministry_of_magic' is not a valid choice for this field."]),
    ("words for a number", {"children_under_16": "two"},
     ["Enter the number of children under 16 as a whole number"]),
    ("negative number", {"children_under_16": "-1"}, ["Enter a number of children from 0 to 50"]),
    ("no deceased", {"deceased_16_plus": "0"}, ["Enter a number of deceased from 1 to 50"]),
    ("empty pseudonym", {"victim_pseudonym": ""}, ["Enter a pseudonym for the victim"]),
    ("unknown death type", {"death_type": "misadventure"}, ["Select the type of death"]),
]


@pytest.mark.parametrize(("case", "changes", "messages"), BAD_FORMS,
                         ids=[c[0] for c in BAD_FORMS])
def test_the_notification_form_shows_errors_and_writes_nothing(client, make_user, case,
                                                               changes, messages):
    sign_in(client, make_user("admin"))
    before = row_counts()
    response = client.post("/reviews/new", data={**FORM, **changes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_summary(html) == messages
    assert "govuk-form-group--error" in html
    assert row_counts() == before


def test_the_form_keeps_what_was_typed(client, make_user):
    sign_in(client, make_user("admin"))
    response = client.post("/reviews/new", data={**FORM, "date_of_death": "2024-02-30",
                                                 "victim_pseudonym": "Adult Q"})
    assert 'value="Adult Q"' in response.get_data(as_text=True)


def test_a_good_form_records_the_review(client, make_user):
    sign_in(client, make_user("admin"))
    before = row_counts()
    response = client.post("/reviews/new", data=FORM)
    assert response.status_code == 302
    review = db.session.scalars(db.select(Review)).one()
    assert response.headers["Location"] == f"/reviews/{review.id}"
    assert review.identifying_terms == ["Jane Realname", "12 Orchard Close"]
    assert row_counts()["reviews"] == before["reviews"] + 1


@pytest.mark.parametrize("path", ["/reviews/0", "/reviews/99999999999999999999",
                                  "/reviews/abc", "/reviews/-1"])
def test_odd_review_ids_are_404_pages(client, make_user, path):
    sign_in(client, make_user("admin"))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["state=nonsense", "csp=abc", "csp=99999999999999999999",
                                   "overdue=yes", "state=&csp="])
def test_odd_dashboard_filters_show_the_page(client, make_user, make_review, query):
    review = make_review()
    sign_in(client, make_user("admin"))
    response = client.get(f"/reviews?{query}")
    assert response.status_code == 200
    if query.startswith("state=nonsense") or query == "state=&csp=":
        assert review.reference in response.get_data(as_text=True)  # filter ignored
