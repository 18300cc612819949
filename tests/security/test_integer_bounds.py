"""Whole numbers the databases cannot hold never cause a 500. Every integer input of the API
(query strings, JSON bodies, ids in the URL) and of the pages (form fields, query strings)
is tried with 10**18, 1e20, -1 and "abc": the API answers 400 naming the field (404 for an
id in the URL: no such object), a page shows a form error, and nothing is written.

PostgreSQL's INTEGER stops at 2**31 - 1 and raises instead of wrapping, so run this file on
PostgreSQL too (DHR_TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g

from dhr.extensions import db
from dhr.models import AgencyRequest
from tests.conftest import Api, sign_in
from tests.support.foundation import PG_URL, row_counts
from tests.support.pool import in_state, member

HUGE = 10**18
BEYOND_INTEGER = 2**31  # one more than PostgreSQL's INTEGER holds
OUT_OF_RANGE = [HUGE, 1e20, BEYOND_INTEGER, -(2**63) - 1]
# Each test tries every number in turn: a fresh database per number would take minutes.
NOT_NUMBERS = ["abc", -1]


@pytest.fixture
def world(app, make_user, make_review) -> dict[str, Any]:
    """A review waiting for its chair, one being drafted, a pool member, an agency request
    and a recommendation; the ids are what the calls below need."""
    admin = make_user("admin")
    waiting = in_state(make_review(), "chair_appointment")
    chair = member()
    drafting = in_state(make_review(), "drafting", chair=member("Sam Okafor"))
    drafting.panel_agencies = ["police"]
    db.session.add(AgencyRequest(review_id=drafting.id, agency="police", kind="imr",
                                 requested_date=drafting.notification_date,
                                 due_date=drafting.notification_date))
    db.session.commit()
    request_id = db.session.query(AgencyRequest).one().id
    api = Api(app.test_client(), admin)
    created = api.post(f"/reviews/{drafting.id}/recommendations", {
        "number": "1", "text": "Routine enquiry in GP surgeries.", "level": "local",
        "agency": "police", "themes": []})
    assert created.status_code == 201, created.json
    return {"api": api, "admin": admin, "waiting": waiting.id, "drafting": drafting.id,
            "chair": chair.id, "request": request_id,
            "recommendation": created.json["id"]}


def _json_cases() -> list[tuple[str, str, Any]]:
    """(method, path, body with X where the number goes); the error must name the field."""
    return [
        ("POST", "/reviews/{waiting}/transitions",
         {"event": "appoint_chair", "data": {"chair_id": "X"}}),
        ("POST", "/reviews/{waiting}/transitions",
         {"event": "appoint_chair", "data": {"chair_id": "{chair}", "report_writer_id": "X"}}),
        ("POST", "/reviews/{waiting}/transitions",
         {"event": "appoint_chair", "data": {"chair_id": "{chair}"}, "expected_version": "X"}),
        ("POST", "/reviews/{waiting}/chair-invitations", {"chair_id": "X"}),
        ("POST", "/reviews/{drafting}/chair-replacement", {"chair_id": "X", "reason": "Ill."}),
        ("POST", "/reviews/{drafting}/chair-replacement",
         {"chair_id": "{chair}", "reason": "Ill.", "lock_version": "X"}),
        ("PUT", "/reviews/{drafting}/documents/overview_report",
         {"format": "markdown", "body": "The report.", "base_version": "X"}),
        ("POST", "/agency-requests/{request}/transitions",
         {"event": "submit", "expected_version": "X"}),
        ("POST", "/reviews", {"csp": "Dacorum", "victim_pseudonym": "Adult B",
                              "date_of_death": "2024-01-01", "notification_date": "2024-01-02",
                              "death_type": "other", "deceased_16_plus": "X"}),
        ("PATCH", "/reviews/{drafting}", {"children_under_16": "X"}),
        ("POST", "/chairs", {"name": "Ann Lee", "email": "ann@chairs.example", "capacity": "X"}),
        ("PATCH", "/chairs/{chair}", {"capacity": "X"}),
        ("PATCH", "/recommendations/{recommendation}", {"text": "New words.",
                                                          "lock_version": "X"}),
    ]


def _fill(value: Any, world: dict[str, Any], number: Any) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, world, number) for k, v in value.items()}
    if value == "X":
        return number
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    return value


def _field_of(body: dict[str, Any], prefix: str = "") -> str:
    for key, value in body.items():
        if value == "X":
            return prefix + key
        if isinstance(value, dict):
            found = _field_of(value, f"{prefix}{key}.")
            if found:
                return found
    return ""


JSON_CASES = _json_cases()


@pytest.mark.parametrize(("method", "path", "body"), JSON_CASES,
                         ids=[f"{m} {p} {_field_of(b)}" for m, p, b in JSON_CASES])
def test_json_integer_fields(world, method, path, body):
    api: Api = world["api"]
    before = row_counts()
    for number in OUT_OF_RANGE + NOT_NUMBERS:
        response = api._call(method, path.format(**world), json=_fill(body, world, number))
        assert 400 <= response.status_code < 500, (number, response.json)
        assert set(response.json) == {"error"}
        if number in OUT_OF_RANGE or number == "abc":
            assert response.status_code == 400, (number, response.json)
            details = response.json["error"]["details"] or {}
            field = _field_of(body)  # event data is named within the data, as the engine does
            assert field in details or field.removeprefix("data.") in details, (number, details)
        assert written(before) == set(), number


QUERY_CASES = [("/reviews", "page"), ("/reviews", "per_page"), ("/reviews", "year")]


@pytest.mark.parametrize(("path", "name"), QUERY_CASES, ids=[f"{p}?{n}" for p, n in QUERY_CASES])
def test_query_string_integers(world, path, name):
    for number in OUT_OF_RANGE + NOT_NUMBERS:
        response = world["api"].get(path, query_string={name: str(number)})
        assert response.status_code == 400, (number, response.json)
        assert name in response.json["error"]["details"]


ID_PATHS = [
    ("GET", "/reviews/X"), ("GET", "/reviews/X/transitions"), ("GET", "/chairs/X"),
    ("GET", "/agency-requests/X"), ("GET", "/recommendations/X"),
    ("GET", "/reviews/X/recommendations"), ("GET", "/reviews/X/published"),
    ("POST", "/reviews/{drafting}/amendments/X/done"), ("POST", "/chair-invitations/X/respond"),
    ("GET", "/reviews/X/documents/overview_report"),
]


def test_ids_in_api_urls(world):
    for method, path in ID_PATHS:
        for number in [HUGE, BEYOND_INTEGER, 2**64, "1e20", -1, "abc"]:
            url = path.format(**world).replace("X", str(number))
            response = world["api"]._call(method, url, json={})
            assert response.status_code == 404, (url, response.json)
            assert response.json["error"]["code"] == "not_found"


# --- pages -----------------------------------------------------------------------------------


def page(client, method: str, path: str, **kwargs: Any):
    g.pop("_login_user", None)  # as from its own browser (the tests share one app context)
    return client.open(path, method=method, **kwargs)


@pytest.fixture
def browser(app, world):
    client = app.test_client()
    assert sign_in(client, world["admin"]).status_code == 302
    return client


def test_ids_in_page_urls_and_the_dashboard_filter(browser):
    for path in ["/reviews/X", "/pool/X", "/reviews/X/documents", "/recommendations/X",
                 "/reviews/X/documents/overview_report/versions/X"]:
        for number in [HUGE, BEYOND_INTEGER, 2**64, -1, "abc"]:
            url = path.replace("X", str(number))
            assert page(browser, "GET", url).status_code == 404, url
    for number in OUT_OF_RANGE + NOT_NUMBERS:
        answer = page(browser, "GET", "/reviews", query_string={"csp": str(number)})
        assert answer.status_code == 200


def _form_cases() -> list[tuple[str, dict[str, Any], str]]:
    """(path, form with X where the number goes, what the page must say)."""
    notification = {"csp": "dacorum", "victim_pseudonym": "Adult B",
                    "date_of_death-day": "1", "date_of_death-month": "1",
                    "date_of_death-year": "2024", "notification_date-day": "2",
                    "notification_date-month": "1", "notification_date-year": "2024",
                    "death_type": "other", "review_type": "full", "children_under_16": "0"}
    return [
        ("/reviews/new", {**notification, "deceased_16_plus": "X"}, "deceased"),
        ("/reviews/new", {**notification, "deceased_16_plus": "1", "children_under_16": "X"},
         "children"),
        ("/reviews/{waiting}/events/appoint_chair", {"chair_id": "X"}, "chair"),
        ("/reviews/{waiting}/events/appoint_chair",
         {"chair_id": "{chair}", "expected_version": "X"}, ""),
        ("/reviews/{drafting}/documents/overview_report",
         {"body": "The report.", "base_version": "X"}, ""),
        ("/reviews/{waiting}/chair-invitations", {"member_id": "X", "role": "chair"}, ""),
        ("/reviews/{drafting}/chair-replacement",
         {"replace-member_id": "X", "replace-role": "chair", "replace-reason": "Ill."}, ""),
        ("/reviews/{drafting}/chair-replacement",
         {"replace-member_id": "{chair}", "replace-role": "chair", "replace-reason": "Ill.",
          "replace-lock_version": "X"}, ""),
        ("/pool/new", {"name": "Ann Lee", "email": "ann@chairs.example", "roles": "chair",
                       "capacity": "X"}, "capacity"),
        ("/pool/{chair}/edit", {"name": "Helen Carter", "email": "helen@chairs.example",
                                "roles": "chair", "capacity": "X"}, "capacity"),
        ("/agency-requests/{request}/submit", {"expected_version": "X"}, ""),
    ]


FORM_CASES = _form_cases()


def written(before: dict[str, int]) -> set[str]:
    """Tables with more or fewer rows than `before`. Known, outside this test's concern: a
    refused first save of a document leaves its empty `documents` row on SQLite (pysqlite
    commits a savepoint opened before any other write), never a version."""
    after = row_counts()
    changed = {name for name in after if after[name] != before.get(name)}
    return changed - ({"documents"} if not PG_URL else set())


@pytest.mark.parametrize(("path", "form", "words"), FORM_CASES,
                         ids=[f"{p} {next(k for k, v in f.items() if v == 'X')}"
                              for p, f, _ in FORM_CASES])
def test_form_integer_fields(browser, world, path, form, words):
    """Never a 500, nothing written. A count out of range is a form error naming the field;
    an id no row can have matches nothing; a version that is not one (tampered with, or out
    of range) is refused as stale, never applied unchecked."""
    before = row_counts()
    for number in OUT_OF_RANGE + NOT_NUMBERS:
        data = {k: str(_fill(v, world, number)) for k, v in form.items()}
        response = page(browser, "POST", path.format(**world), data=data)
        assert 400 <= response.status_code < 500, (number, response.status_code)
        if words and number in OUT_OF_RANGE:
            assert words in response.text.lower(), number
        assert written(before) == set(), number
