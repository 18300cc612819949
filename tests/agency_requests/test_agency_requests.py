"""Agency requests (IMRs, chronologies, short reports): lifecycle, permissions, overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dhr.errors import Stale
from dhr.extensions import db
from dhr.models import AgencyRequest, AuditEntry, PoolMember
from dhr.workflow import agency_requests as ops

TODAY = date.today()


def set_state(review, state):
    review.state = state
    db.session.commit()


def appoint(review, chair_user, role="chair"):
    member = db.session.scalar(select(PoolMember).where(PoolMember.user_id == chair_user.id))
    setattr(review, role, member)
    db.session.commit()


def request_count() -> int:
    return db.session.scalar(select(func.count(AgencyRequest.id)))


@pytest.fixture
def manager(api_as):
    return api_as("csp_manager", csps=["Dacorum"])


@pytest.fixture
def review(make_review):
    created = make_review()
    set_state(created, "information_gathering")
    return created


def create(api, review, **body):
    return api.post(f"/reviews/{review.id}/agency-requests",
                    {"agency": "police", "kind": "imr", **body})


def move(api, request_id, event, **data):
    return api.post(f"/agency-requests/{request_id}/transitions", {"event": event, "data": data})


def test_request_is_due_after_the_configured_weeks(manager, review):
    response = create(manager, review)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["state"] == "requested"
    assert body["agency"] == "police" and body["agency_label"] == "Police"
    assert body["requested_date"] == TODAY.isoformat()
    assert body["due_date"] == (TODAY + timedelta(weeks=6)).isoformat()
    assert body["overdue"] is False
    assert body["events"] == ["submit", "waive"]


def test_due_weeks_come_from_the_setting(app, manager, review):
    app.config["AGENCY_REQUEST_DUE_WEEKS"] = 4
    body = create(manager, review, kind="chronology").json
    assert body["due_date"] == (TODAY + timedelta(weeks=4)).isoformat()


def test_agency_may_be_given_by_label_and_due_date_chosen(manager, review):
    due = TODAY + timedelta(days=10)
    body = create(manager, review, agency="Adult social care", kind="short_report",
                  due_date=due.isoformat()).json
    assert body["agency"] == "adult_social_care"
    assert body["due_date"] == due.isoformat()


@pytest.mark.parametrize("body, field", [
    ({"agency": "Ministry of Magic", "kind": "imr"}, "agencies"),
    ({"agency": "police", "kind": "essay"}, "kind"),
    ({"agency": "police", "kind": "imr", "due_date": "2020-01-01"}, "due_date"),
    ({"agency": "police", "kind": "imr", "due_date": "soon"}, "due_date"),
    ({"agency": "", "kind": "imr"}, "agency"),
    ({"kind": "imr"}, "agency"),
])
def test_bad_requests_are_400_with_the_field_named(manager, review, body, field):
    response = manager.post(f"/reviews/{review.id}/agency-requests", body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["details"]
    assert request_count() == 0


def test_asking_the_same_agency_twice_for_the_same_thing_is_refused(manager, review):
    assert create(manager, review).status_code == 201
    again = create(manager, review)
    assert again.status_code == 400
    assert "already been asked" in again.json["error"]["details"]["agency"]
    assert create(manager, review, kind="chronology").status_code == 201
    assert request_count() == 2


def test_full_lifecycle_with_a_return(manager, review):
    rid = create(manager, review).json["id"]
    submitted = move(manager, rid, "submit")
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["state"] == "submitted"
    assert submitted.json["submitted_date"] == TODAY.isoformat()
    returned = move(manager, rid, "return", comments="The chronology stops in 2022.")
    assert returned.json["state"] == "returned"
    assert returned.json["return_comments"] == "The chronology stops in 2022."
    assert move(manager, rid, "submit").json["state"] == "submitted"
    accepted = move(manager, rid, "accept")
    assert accepted.json["state"] == "accepted"
    assert accepted.json["accepted_date"] == TODAY.isoformat()
    assert accepted.json["events"] == []
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "agency_requests")
        .order_by(AuditEntry.id)).all()
    assert actions == ["agency_request.created", "agency_request.submit",
                       "agency_request.return", "agency_request.submit",
                       "agency_request.accept"]
    history = manager.get(f"/reviews/{review.id}").json["history"]
    assert any(h["action"] == "agency_request.accept" and h["to_state"] == "accepted"
               for h in history), history


def test_waive_needs_a_reason(manager, review):
    rid = create(manager, review).json["id"]
    missing = move(manager, rid, "waive")
    assert missing.status_code == 400
    assert "reason" in missing.json["error"]["details"]
    blank = move(manager, rid, "waive", reason="   ")
    assert blank.status_code == 400
    waived = move(manager, rid, "waive", reason="No contact with the victim or perpetrator.")
    assert waived.json["state"] == "waived"
    assert waived.json["waive_reason"] == "No contact with the victim or perpetrator."


def test_return_needs_comments_and_may_set_a_new_due_date(manager, review):
    rid = create(manager, review).json["id"]
    move(manager, rid, "submit")
    assert move(manager, rid, "return").status_code == 400
    new_due = TODAY + timedelta(days=14)
    body = move(manager, rid, "return", comments="Add the GP contacts.",
                due_date=new_due.isoformat()).json
    assert body["due_date"] == new_due.isoformat()


@pytest.mark.parametrize("path, event", [
    ([], "accept"),
    ([], "return"),
    (["submit"], "submit"),
    (["submit"], "waive"),
    (["submit", "accept"], "submit"),
    (["submit", "accept"], "return"),
    (["submit", "accept"], "waive"),
    (["waive"], "submit"),
    (["waive"], "waive"),
    (["submit", "return"], "accept"),
])
def test_illegal_moves_are_409_and_change_nothing(manager, review, path, event):
    rid = create(manager, review).json["id"]
    for step in path:
        data = {"reason": "r"} if step == "waive" else {"comments": "c"} if step == "return" else {}
        assert move(manager, rid, step, **data).status_code == 200
    before = manager.get(f"/agency-requests/{rid}").json
    data = {"reason": "r"} if event == "waive" else {"comments": "c"} if event == "return" else {}
    response = move(manager, rid, event, **data)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "illegal_transition"
    assert manager.get(f"/agency-requests/{rid}").json == before


def test_unknown_event_and_bad_data_are_400(manager, review):
    rid = create(manager, review).json["id"]
    assert move(manager, rid, "approve").status_code == 400
    assert move(manager, rid, "submit", date="yesterday").status_code == 400
    assert move(manager, rid, "submit", surprise=True).status_code == 400
    future = move(manager, rid, "submit", date=(TODAY + timedelta(days=1)).isoformat())
    assert future.status_code == 400 and "date" in future.json["error"]["details"]
    early = move(manager, rid, "submit", date=(TODAY - timedelta(days=1)).isoformat())
    assert early.status_code == 400  # before the request was made
    assert manager.get(f"/agency-requests/{rid}").json["state"] == "requested"


def test_a_stale_expected_version_is_a_conflict(manager, review):
    rid = create(manager, review).json["id"]
    move(manager, rid, "submit")
    response = manager.post(f"/agency-requests/{rid}/transitions",
                            {"event": "accept", "data": {}, "expected_version": 1})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


def test_two_people_moving_the_same_request_one_wins(make_user, review):
    """The conditional UPDATE: the second mover read the request before the first moved it."""
    manager = make_user("csp_manager", csps=["Dacorum"])
    item = ops.create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    assert item.state == "requested"  # this person has read the request...
    with db.engine.begin() as other:  # ...and someone else waives it meanwhile
        other.execute(AgencyRequest.__table__.update()
                      .where(AgencyRequest.__table__.c.id == item.id)
                      .values(state="waived", waived_date=TODAY, waive_reason="other person",
                              lock_version=2))
    with pytest.raises(Stale):
        ops.send_request_event(item, manager, "submit", {})
    db.session.rollback()
    assert item.state == "waived" and item.submitted_date is None


def test_overdue_when_past_due_and_not_submitted(make_user, review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    long_ago = TODAY - timedelta(weeks=8)
    item = ops.create_request(review, manager, agency="police", kind="imr",
                              requested_date=long_ago)
    assert item.due_date == long_ago + timedelta(weeks=6)
    assert item.is_overdue
    ops.send_request_event(item, manager, "submit", {})
    assert not item.is_overdue
    ops.send_request_event(item, manager, "return", {"comments": "Incomplete"})
    assert item.is_overdue  # back with the agency, past its due date
    assert not item.overdue_on(item.due_date)  # on the due date itself: not yet late


def test_requests_for_lists_the_reviews_requests_in_order(make_user, review, make_review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    other = make_review()
    ops.create_request(review, manager, agency="police", kind="imr")
    ops.create_request(review, manager, agency="GP/primary care", kind="chronology")
    ops.create_request(other, manager, agency="police", kind="imr")
    found = ops.requests_for(review)
    assert [(r.agency, r.kind) for r in found] == [("police", "imr"),
                                                  ("gp_primary_care", "chronology")]
    assert found[1].agency_label == "GP/primary care"


def test_the_appointed_chair_manages_requests(api_as, make_user, review):
    chair = make_user("chair")
    appoint(review, chair)
    api = api_as(chair)
    rid = create(api, review).json["id"]
    assert move(api, rid, "submit").status_code == 200
    assert api.get(f"/reviews/{review.id}/agency-requests").json["items"][0]["state"] == \
        "submitted"


def test_coordinator_and_admin_manage_requests(api_as, review):
    assert create(api_as("coordinator"), review).status_code == 201
    assert create(api_as("admin"), review, kind="chronology").status_code == 201


def test_roles_that_may_not_manage_requests_are_refused(api_as, make_user, review, manager):
    rid = create(manager, review).json["id"]
    writer = make_user("chair")
    appoint(review, writer, role="report_writer")
    # may see the review, may not manage its requests: 403
    for api in (api_as("subgroup_member"), api_as(writer)):
        assert create(api, review, kind="chronology").status_code == 403
        assert move(api, rid, "submit").status_code == 403
        assert api.get(f"/reviews/{review.id}/agency-requests").status_code == 200
    # may not see the review: 404
    for api in (api_as("csp_manager", csps=["Watford"]), api_as("chair"),
                api_as("coordinator", area="Herefordshire")):
        assert create(api, review, kind="chronology").status_code == 404
        assert move(api, rid, "submit").status_code == 404
        assert api.get(f"/agency-requests/{rid}").status_code == 404
    assert request_count() == 1
    assert manager.get(f"/agency-requests/{rid}").json["state"] == "requested"


def test_practitioners_never_see_requests_even_after_publication(api_as, manager, review):
    rid = create(manager, review).json["id"]
    set_state(review, "published")
    practitioner = api_as("practitioner")
    assert practitioner.get(f"/reviews/{review.id}").status_code == 200
    assert practitioner.get(f"/reviews/{review.id}/agency-requests").status_code == 404
    assert practitioner.get(f"/agency-requests/{rid}").status_code == 404
    assert move(practitioner, rid, "submit").status_code == 404


def test_a_withdrawn_review_accepts_no_request_changes(manager, review):
    rid = create(manager, review).json["id"]
    set_state(review, "withdrawn")
    assert create(manager, review, kind="chronology").status_code == 409
    response = move(manager, rid, "submit")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "read_only"
