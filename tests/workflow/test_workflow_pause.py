"""Pausing and resuming, and the statutory clocks: month ends, leap years, pauses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dhr.extensions import db
from dhr.models import Review
from dhr.workflow.clocks import add_months, clocks_for
from dhr.workflow.table import PAUSABLE_STATES
from tests.support.workflow import TODAY, pool_member, put_in_state, valid_data


@pytest.fixture
def manager(api_as):
    return api_as("csp_manager", csps=["Dacorum"])


@pytest.fixture
def review_in(make_review, make_user):
    admin = make_user("admin")

    def _make(state: str, **fields) -> Review:
        return put_in_state(make_review(**fields), state, admin, chair=pool_member())

    return _make


def send(api, review, event, data=None):
    body = {"event": event, "data": valid_data(event) if data is None else data}
    return api.post(f"/reviews/{review.id}/transitions", body)


def decided(manager, make_review, decision_date: str, **fields) -> Review:
    review = make_review(**fields)
    data = {**valid_data("decide_to_review"), "decision_date": decision_date,
            "ho_informed_date": decision_date}
    response = send(manager, review, "decide_to_review", data)
    assert response.status_code == 200, response.json
    return review


@pytest.mark.parametrize("state", PAUSABLE_STATES)
def test_while_paused_only_resume_is_accepted(api_as, manager, review_in, state):
    review = review_in(state)
    response = send(manager, review, "pause", {"reason": "inquest", "date": "2024-06-01",
                                               "expected_end": "2030-01-01"})
    assert response.status_code == 200, response.json
    assert (response.json["paused"], response.json["pause_reason"]) == (True, "inquest")
    assert response.json["state"] == state
    coordinator = api_as("coordinator")
    options = coordinator.get(f"/reviews/{review.id}/transitions").json
    assert [o["event"] for o in options["events"]] == ["resume"]
    for event in ("pause", "withdraw", "approve_local_qa", "submit_for_local_qa"):
        refused = send(coordinator, review, event)
        assert refused.status_code == 409, (event, refused.json)
        assert refused.json["error"]["code"] == "illegal_transition"
        assert "paused" in refused.json["error"]["message"]
    resumed = send(manager, review, "resume", {"date": "2024-06-11"})
    assert resumed.status_code == 200, resumed.json
    assert (resumed.json["paused"], resumed.json["state"]) == (False, state)
    assert resumed.json["paused_days"] == 10


@pytest.mark.parametrize("state", ["notified", "no_review_ho_scrutiny", "published"])
def test_pause_is_not_possible_outside_the_pausable_stages(manager, review_in, state):
    review = review_in(state)
    assert send(manager, review, "pause").status_code == 409


def test_resume_when_not_paused_is_refused(manager, review_in):
    review = review_in("drafting")
    response = send(manager, review, "resume")
    assert response.status_code == 409
    assert response.json["error"]["message"] == "the review is not paused"


def test_resume_before_the_pause_began_is_a_field_error(manager, review_in):
    review = review_in("drafting")
    send(manager, review, "pause", {"reason": "criminal_trial", "date": "2024-06-10"})
    response = send(manager, review, "resume", {"date": "2024-06-09"})
    assert response.status_code == 400
    assert "10 June 2024" in response.json["error"]["details"]["date"]
    expected_end = send(manager, review_in("drafting"), "pause",
                        {"reason": "inquest", "date": "2024-06-10",
                         "expected_end": "2024-06-01"})
    assert expected_end.status_code == 400


def test_paused_days_accumulate_and_extend_the_adjusted_due_date(manager, make_review):
    review = decided(manager, make_review, "2024-08-31")
    first = manager.get(f"/reviews/{review.id}").json
    assert first["statutory_due"] == "2025-02-28"  # 31 August + 6 months, no 29 February
    assert first["adjusted_due"] == "2025-02-28"
    # 20 December 2024 to 10 January 2025: 21 days across the year end.
    send(manager, review, "pause", {"reason": "criminal_trial", "date": "2024-12-20"})
    body = send(manager, review, "resume", {"date": "2025-01-10"}).json
    assert (body["paused_days"], body["adjusted_due"]) == (21, "2025-03-21")
    # A second pause, 27 February to 1 March 2025: 2 more days.
    overlapping = send(manager, review, "pause", {"reason": "inquest", "date": "2025-01-09"})
    assert overlapping.status_code == 400  # starts before the end of the previous pause
    send(manager, review, "pause", {"reason": "inquest", "date": "2025-02-27"})
    body = send(manager, review, "resume", {"date": "2025-03-01"}).json
    assert body["paused_days"] == 23
    assert body["statutory_due"] == "2025-02-28"  # both dates are shown
    assert body["adjusted_due"] == "2025-03-23"
    history = [h for h in body["history"] if h["event"] == "resume"]
    assert [h["data"]["paused_days"] for h in history] == [21, 2]


def test_a_pause_over_a_leap_day_counts_it(manager, make_review):
    review = decided(manager, make_review, "2024-02-20")
    send(manager, review, "pause", {"reason": "inquest", "date": "2024-02-28"})
    body = send(manager, review, "resume", {"date": "2024-03-01"}).json
    assert body["paused_days"] == 2
    assert (body["statutory_due"], body["adjusted_due"]) == ("2024-08-20", "2024-08-22")


def test_a_running_pause_counts_up_to_today(manager, make_review):
    review = decided(manager, make_review, "2024-08-31")
    start = TODAY - timedelta(days=40)
    send(manager, review, "pause", {"reason": "iopc_investigation", "date": start.isoformat()})
    body = manager.get(f"/reviews/{review.id}").json
    assert body["paused_days"] == 40
    assert body["adjusted_due"] == (date(2025, 2, 28) + timedelta(days=40)).isoformat()
    db.session.expire_all()
    fresh = db.session.get(Review, review.id)
    assert clocks_for(fresh, today=start + timedelta(days=5)).paused_days == 5


@pytest.mark.parametrize(("start", "months", "due"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2024, 2, 29), 6, date(2024, 8, 29)),
    (date(2024, 12, 31), 6, date(2025, 6, 30)),
    (date(2024, 3, 31), 6, date(2024, 9, 30)),
])
def test_calendar_months_at_month_ends(start, months, due):
    assert add_months(start, months) == due


def test_decision_due_from_a_notification_at_the_end_of_january(manager, make_review):
    review = make_review(date_of_death=date(2023, 1, 30), notification_date=date(2023, 1, 31))
    assert manager.get(f"/reviews/{review.id}").json["decision_due"] == "2023-02-28"


def test_the_completion_clock_starts_at_the_decision(manager, make_review):
    review = decided(manager, make_review, "2024-03-31")
    body = manager.get(f"/reviews/{review.id}").json
    assert body["statutory_due"] == "2024-09-30"
    assert body["completion_overdue"] is True  # today is long after: shown, not hidden
