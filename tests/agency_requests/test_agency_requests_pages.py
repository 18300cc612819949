"""The web pages for agency requests: record a request, move it, errors shown on the form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AgencyRequest
from dhr.workflow import agency_requests as ops
from tests.conftest import sign_in

TODAY = date.today()


@pytest.fixture
def review(make_review):
    created = make_review()
    created.state = "information_gathering"
    db.session.commit()
    return created


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, user)
    return user


def test_record_a_request_in_the_browser(client, manager, review):
    form = client.get(f"/reviews/{review.id}/requests/new")
    assert form.status_code == 200
    assert "Individual management review (IMR)" in form.get_data(as_text=True)
    response = client.post(f"/reviews/{review.id}/requests/new",
                           data={"agency": "mental_health_trust", "kind": "imr", "due_date": ""})
    assert response.status_code == 302
    [item] = ops.requests_for(review)
    assert item.agency == "mental_health_trust"
    assert item.due_date == TODAY + timedelta(weeks=6)
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    assert "Mental health trust" in page and "Requested" in page
    assert "Record as submitted" in page and "Waive" in page


def test_form_errors_are_summarised(client, manager, review):
    response = client.post(f"/reviews/{review.id}/requests/new",
                           data={"agency": "", "kind": "imr"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Select the agency" in page
    past = client.post(f"/reviews/{review.id}/requests/new",
                       data={"agency": "police", "kind": "imr",
                             "due_date": (TODAY - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    assert "Due date must not be before the date of the request" in past.get_data(as_text=True)
    assert ops.requests_for(review) == []


def test_move_a_request_through_the_pages(client, manager, review):
    item = ops.create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    url = f"/agency-requests/{item.id}"
    assert client.get(f"{url}/submit").status_code == 200
    assert client.post(f"{url}/submit", data={"expected_version": "1"}).status_code == 302
    no_comment = client.post(f"{url}/return", data={"comments": "", "expected_version": "2"})
    assert no_comment.status_code == 400
    assert "comments" in no_comment.get_data(as_text=True).lower()
    assert client.post(f"{url}/return", data={"comments": "Missing 2023 contacts",
                                              "expected_version": "2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AgencyRequest, item.id).state == "returned"
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    assert "Missing 2023 contacts" in page


def test_an_impossible_move_is_409_with_a_message(client, manager, review):
    item = ops.create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    page = client.get(f"/agency-requests/{item.id}/accept")
    assert "cannot be changed this way" in page.get_data(as_text=True)
    response = client.post(f"/agency-requests/{item.id}/accept", data={"expected_version": "1"})
    assert response.status_code == 409
    assert "A request that is requested cannot be accepted" in response.get_data(as_text=True)


def test_a_stale_form_is_a_conflict_not_a_lost_update(client, manager, review):
    item = ops.create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    ops.send_request_event(item, manager, "waive", {"reason": "other tab"})
    db.session.commit()
    response = client.post(f"/agency-requests/{item.id}/waive",
                           data={"reason": "mine", "expected_version": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(AgencyRequest, item.id).waive_reason == "other tab"


def test_overdue_requests_are_tagged(client, manager, review):
    ops.create_request(review, manager, agency="police", kind="imr",
                       requested_date=TODAY - timedelta(weeks=7))
    db.session.commit()
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    assert "govuk-tag--red" in page and "Overdue" in page


def test_pages_refuse_those_who_may_not_manage(client, make_user, review):
    item = ops.create_request(review, make_user("admin"), agency="police", kind="imr")
    db.session.commit()
    sign_in(client, make_user("subgroup_member"))
    page = client.get(f"/reviews/{review.id}/requests")
    assert page.status_code == 200
    assert "Request information from an agency" not in page.get_data(as_text=True)
    assert client.get(f"/reviews/{review.id}/requests/new").status_code == 403
    assert client.post(f"/agency-requests/{item.id}/submit", data={}).status_code == 403
    client.post("/sign-out")
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    assert client.get(f"/reviews/{review.id}/requests").status_code == 404
    assert client.post(f"/agency-requests/{item.id}/submit", data={}).status_code == 404
    assert db.session.scalar(select(AgencyRequest.state)) == "requested"


def test_practitioners_never_reach_request_pages(client, make_user, review):
    item = ops.create_request(review, make_user("admin"), agency="police", kind="imr")
    review.state = "published"
    db.session.commit()
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{review.id}/requests").status_code == 404
    assert client.get(f"/agency-requests/{item.id}/submit").status_code == 404
