"""Recommendation pages: add, record progress, complete, close; errors shown on the forms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dhr.extensions import db
from learning import recommendations as ops
from learning.models import Recommendation
from tests.conftest import sign_in

TODAY = date.today()
TEXT = "GP practices should adopt routine enquiry about domestic abuse."


@pytest.fixture
def review(make_review):
    created = make_review()
    created.state = "drafting"
    db.session.commit()
    return created


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, user)
    return user


def add(manager, review, number="1.1"):
    item = ops.create_recommendation(review, manager, {
        "number": number, "text": TEXT, "level": "local", "agency": "gp_primary_care"})
    db.session.commit()
    return item


def test_add_a_recommendation_in_the_browser(client, manager, review):
    form = client.get(f"/reviews/{review.id}/recommendations/new")
    assert form.status_code == 200
    assert "Routine enquiry" in form.get_data(as_text=True)  # theme checkboxes
    response = client.post(f"/reviews/{review.id}/recommendations/new", data={
        "number": "3.2", "text": TEXT, "level": "regional", "agency": "gp_primary_care",
        "owner": "", "due_date": (TODAY + timedelta(days=60)).isoformat(),
        "themes": ["routine_enquiry", "training_and_awareness"]})
    assert response.status_code == 302
    [item] = ops.recommendations_for(review)
    assert (item.number, item.level, item.owner) == ("3.2", "regional", None)
    assert item.themes == ["routine_enquiry", "training_and_awareness"]
    page = client.get(f"/reviews/{review.id}/recommendations").get_data(as_text=True)
    assert "3.2" in page and "GP/primary care" in page and "Add a recommendation" in page


def test_add_form_errors(client, manager, review):
    add(manager, review, "3.2")
    response = client.post(f"/reviews/{review.id}/recommendations/new", data={
        "number": "3.2", "text": "", "level": "local", "agency": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter the recommendation" in page and "Select the agency" in page
    duplicate = client.post(f"/reviews/{review.id}/recommendations/new", data={
        "number": "3.2", "text": TEXT, "level": "local", "agency": "police"})
    assert duplicate.status_code == 400
    assert "Recommendation 3.2 already exists in this review" in duplicate.get_data(as_text=True)
    assert len(ops.recommendations_for(review)) == 1


def test_progress_complete_and_close_in_the_browser(client, manager, review):
    first, second = add(manager, review, "1"), add(manager, review, "2")
    url = f"/recommendations/{first.id}"
    assert client.post(f"{url}/updates", data={"date": "", "impact": "Training booked"}
                       ).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Training booked" in page
    no_evidence = client.post(f"{url}/complete", data={"date": "", "evidence": ""})
    assert no_evidence.status_code == 400
    assert "Enter the evidence that it is complete" in no_evidence.get_data(as_text=True)
    assert client.post(f"{url}/complete", data={"date": TODAY.isoformat(),
                                                "evidence": "Audit"}).status_code == 302
    no_reason = client.post(f"/recommendations/{second.id}/close", data={"note": "x"})
    assert no_reason.status_code == 400
    assert "Select why it is closed" in no_reason.get_data(as_text=True)
    assert client.post(f"/recommendations/{second.id}/close",
                       data={"reason": "not_accepted", "note": "Agency declined"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Recommendation, first.id).status == "completed"
    closed = db.session.get(Recommendation, second.id)
    assert (closed.status, closed.closed_reason) == ("closed", "not_accepted")
    again = client.post(f"/recommendations/{second.id}/complete", data={"evidence": "x"})
    assert again.status_code == 409
    assert "already closed" in again.get_data(as_text=True)


def test_future_dates_are_refused_on_the_form(client, manager, review):
    item = add(manager, review)
    response = client.post(f"/recommendations/{item.id}/updates", data={
        "date": (TODAY + timedelta(days=3)).isoformat(), "impact": "Not yet"})
    assert response.status_code == 400
    assert "Date must be today or in the past" in response.get_data(as_text=True)


def test_roles_refused_on_the_pages(client, make_user, review):
    item = add(make_user("admin"), review)
    chair = make_user("chair")
    sign_in(client, chair)
    assert client.get(f"/recommendations/{item.id}").status_code == 404  # not appointed
    client.post("/sign-out")
    sign_in(client, make_user("subgroup_member"))
    assert client.get(f"/reviews/{review.id}/recommendations/new").status_code == 403
    assert client.post(f"/recommendations/{item.id}/updates",
                       data={"impact": "Sub-group reviewed"}).status_code == 302
    client.post("/sign-out")
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{review.id}/recommendations").status_code == 404
    assert client.get(f"/recommendations/{item.id}").status_code == 404
    assert client.post(f"/recommendations/{item.id}/close",
                       data={"reason": "superseded"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == "open"
