"""The GOV.UK error pattern on the forms (every problem at once, each a link to its field,
"Error: " in the title), dates written in words, and the service's wording."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from dhr.extensions import db
from tests.conftest import sign_in
from tests.support.foundation import error_summary
from tests.support.pool import member

TODAY = date.today()


def summary_links(html: str) -> dict[str, str]:
    """{message: the id its link points at} in the error summary."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return {text: target for target, text in
            re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(1) if found else "")}


def field_messages(html: str) -> list[str]:
    return [m.strip() for m in re.findall(
        r'class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>([^<]+)<',
        html)]


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager")
    sign_in(client, user)
    return user


def test_an_empty_decision_form_links_each_missing_field(client, manager, make_review):
    review = make_review()
    response = client.post(f"/reviews/{review.id}/events/decide_to_review",
                           data={"expected_version": str(review.lock_version)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"<title>Error: Decide to hold a review", html)
    assert "You cannot decide" not in html
    assert summary_links(html) == {
        "Date of the decision not given": "decision_date-day",
        "Rationale for the decision not given": "rationale",
        "Date the Home Office was informed not given": "ho_informed_date-day",
    }
    assert field_messages(html) == list(summary_links(html))  # each field marked, once
    for target in summary_links(html).values():
        assert f'id="{target}"' in html


def test_every_problem_is_shown_in_one_round(client, manager, make_review):
    review = make_review()
    response = client.post(f"/reviews/{review.id}/events/decide_to_review", data={
        "expected_version": str(review.lock_version), "decision_date-day": "31",
        "decision_date-month": "2", "decision_date-year": "2024",
        "ho_informed_date-day": "1", "ho_informed_date-month": "1",
        "ho_informed_date-year": str(TODAY.year + 1)})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "Date of the decision must be a real date",
        "Rationale for the decision not given",
        "Date the Home Office was informed of the decision must be today or in the past",
    ]


def test_a_date_before_the_notification_is_written_in_words(client, manager, make_review):
    review = make_review()
    response = client.post(f"/reviews/{review.id}/events/decide_to_review", data={
        "expected_version": str(review.lock_version), "decision_date": "2024-01-01",
        "rationale": "Meets s.9.", "ho_informed_date": "2024-02-21"})
    assert error_summary(response.get_data(as_text=True)) == [
        "Date of the decision must not be before the police notification (2 February 2024)"]


def test_the_success_banner_is_a_sentence(client, manager, make_review):
    review = make_review()
    done = client.post(f"/reviews/{review.id}/events/decide_to_review", data={
        "expected_version": str(review.lock_version), "decision_date-day": "20",
        "decision_date-month": "2", "decision_date-year": "2024", "rationale": "Meets s.9.",
        "ho_informed_date-day": "21", "ho_informed_date-month": "2",
        "ho_informed_date-year": "2024"})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert ("You recorded the decision to hold a review. The review is now at the stage "
            "&#39;Appointing a chair&#39;.") in page
    assert ": done." not in page


def test_an_imr_due_decades_ahead_is_refused(client, manager, make_review):
    review = make_review()
    review.state = "information_gathering"
    db.session.commit()
    response = client.post(f"/reviews/{review.id}/requests/new", data={
        "agency": "police", "kind": "imr", "due_date-day": "1", "due_date-month": "1",
        "due_date-year": "2099"})
    assert response.status_code == 400
    [message] = error_summary(response.get_data(as_text=True))
    limit = TODAY.replace(year=TODAY.year + 2) if (TODAY.month, TODAY.day) != (2, 29) else \
        TODAY.replace(year=TODAY.year + 2, day=28)
    assert message == f"Due date must be the same as or before {limit.day} " \
                      f"{limit.strftime('%B %Y')}"


def test_the_date_boxes_are_gov_uk_date_inputs(client, manager, make_review):
    html = client.get("/reviews/new").get_data(as_text=True)
    assert 'type="date"' not in html
    for part in ("day", "month", "year"):
        assert f'name="date_of_death-{part}"' in html
    assert 'inputmode="numeric"' in html


@pytest.mark.parametrize(("role", "label"), [
    ("csp_manager", "CSP manager"), ("subgroup_member", "Sub-group member"),
    ("coordinator", "County coordinator"),
])
def test_roles_are_named_properly(client, make_user, role, label):
    sign_in(client, make_user(role))
    for path in ("/", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert label in html
    assert "Csp manager" not in html and "Subgroup member" not in html


def test_imr_keeps_its_capitals_inside_a_sentence(client, manager, make_review):
    review = make_review()
    review.state = "information_gathering"
    db.session.commit()
    form = {"agency": "police", "kind": "imr", "due_date": ""}
    client.post(f"/reviews/{review.id}/requests/new", data=form)
    again = client.post(f"/reviews/{review.id}/requests/new", data=form)
    html = again.get_data(as_text=True)
    assert "has already been asked for an individual management review (IMR)" in html
    assert "(imr)" not in html


def test_an_email_address_is_shown_as_typed(client, make_user):
    sign_in(client, make_user("coordinator"))
    taken = member(name="Helen Carter")
    taken.email = "helen.carter@chairs.example"
    db.session.commit()
    response = client.post("/pool/new", data={
        "name": "Helen Carter", "email": "helen.carter@chairs.example", "roles": ["chair"],
        "is_active": "yes", "capacity": "2"})
    html = response.get_data(as_text=True)
    assert "helen.carter@chairs.example is already in the pool" in html
    assert "Helen.carter" not in html


def test_the_api_refuses_a_pseudonym_over_120_characters(api_as):
    api = api_as("admin")
    body = {"csp": "Dacorum", "victim_pseudonym": "A" * 121, "date_of_death": "2024-01-31",
            "notification_date": "2024-02-02", "death_type": "intimate_partner_homicide"}
    response = api.post("/reviews", body)
    assert response.status_code == 400
    assert "victim_pseudonym" in response.get_json()["error"]["details"]
    assert api.post("/reviews", {**body, "victim_pseudonym": "A" * 120}).status_code == 201


def test_a_due_date_in_the_boxes_is_taken_and_shown_in_words(client, manager, make_review):
    review = make_review()
    review.state = "information_gathering"
    db.session.commit()
    due = TODAY + timedelta(days=30)
    response = client.post(f"/reviews/{review.id}/requests/new", data={
        "agency": "police", "kind": "imr", "due_date-day": str(due.day),
        "due_date-month": str(due.month), "due_date-year": str(due.year)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"due {due.day} {due.strftime('%B %Y')}" in page
