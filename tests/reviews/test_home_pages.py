"""Home pages by role (`/`): each person's day's work, every item linking to where it is
done; the list of every review stays at /reviews."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from dhr.extensions import db
from dhr.models import PoolMember
from dhr.models.pool import TrainingRecord
from dhr.workflow.agency_requests import create_request, requests_for
from tests.conftest import sign_in
from tests.support.workflow import chair_member, pool_member, put_in_state, recommendation

TODAY = date.today()


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def overdue_imr(review, actor, agency="police", **contact):
    return create_request(review, actor, agency=agency, kind="imr",
                          requested_date=TODAY - timedelta(days=60),
                          due_date=TODAY - timedelta(days=12), **contact)


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(page: str, element_id: str) -> str:
    """The HTML of one list on the home page (a table or a list, by its id)."""
    match = re.search(rf'<(table|ul|h2)[^>]*id="{element_id}".*?</(table|ul)>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


def test_csp_manager_sees_decisions_overdue_imrs_letters_and_what_each_review_waits_for(
        client, make_user, make_review, admin):
    manager = make_user("csp_manager", csps=["Dacorum"])
    late_decision = make_review(victim_pseudonym="Adult B",
                                notification_date=TODAY - timedelta(days=40),
                                date_of_death=TODAY - timedelta(days=45))
    gathering = put_in_state(make_review(victim_pseudonym="Adult C"), "information_gathering",
                             admin, review_items=False)
    overdue_imr(gathering, admin, contact_name="Sam Patel", contact_email="sam.patel@nhs.example")
    at_home_office = put_in_state(make_review(victim_pseudonym="Adult D"), "home_office_qa",
                                  admin, review_items=False)
    elsewhere = make_review(csp="Watford", victim_pseudonym="Adult W")
    sign_in(client, manager)
    page = home(client)

    assert "<h1 class=\"govuk-heading-l\">Your tasks</h1>" in page
    decisions = section(page, "decisions")
    assert late_decision.reference in decisions and "Overdue by" in decisions
    assert f'href="/reviews/{late_decision.id}/events/decide_to_review"' in decisions

    requests = section(page, "overdue-requests")
    assert gathering.reference in requests and "Police" in requests
    assert "Sam Patel" in requests and 'href="mailto:sam.patel@nhs.example"' in requests
    assert "Overdue by 12 days" in requests
    [item] = requests_for(gathering)
    assert f'href="/agency-requests/{item.id}/submit"' in requests

    letters = section(page, "letters")
    assert at_home_office.reference in letters
    assert f'href="/reviews/{at_home_office.id}/events/record_ho_outcome"' in letters

    submitted = at_home_office.submitted_date
    assert f"{submitted.day} {submitted.strftime('%B %Y')}" in letters  # waiting since

    waiting = section(page, "waiting")
    assert "What each review is waiting for (3)" in waiting
    notified = late_decision.notification_date
    assert f"{notified.day} {notified.strftime('%B %Y')}" in waiting  # since notification
    assert "IMRs and chronologies from agencies" in waiting
    assert "The Home Office Quality Assurance Panel&#39;s letter" in waiting
    assert elsewhere.reference not in page  # another CSP's review is never listed
    assert 'href="/reviews"' in page  # the list of every review is one click away


def test_since_is_when_the_review_entered_its_stage_not_its_last_pause(
        client, make_user, make_review, admin):
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = put_in_state(make_review(), "drafting", admin, review_items=False, paused=True)
    sign_in(client, manager)
    waiting = section(home(client), "waiting")
    assert "The review to be resumed" in waiting and "Paused" in waiting
    paused_since = review.paused_since_date
    assert f"{paused_since.day} {paused_since.strftime('%B %Y')}" in waiting


def test_chair_sees_only_the_reviews_they_chair(client, make_user, make_review, admin):
    chair_user = make_user("chair")
    member = chair_member(chair_user)
    mine = put_in_state(make_review(victim_pseudonym="Adult E"), "information_gathering", admin,
                        chair=member, review_items=False)
    overdue_imr(mine, admin, agency="housing")
    other = put_in_state(make_review(victim_pseudonym="Adult F"), "drafting", admin,
                         chair=pool_member("Someone Else"), review_items=False)
    sign_in(client, chair_user)
    page = home(client)
    assert mine.reference in section(page, "overdue-requests")
    assert "Housing" in section(page, "overdue-requests")
    assert mine.reference in section(page, "waiting")
    assert other.reference not in page
    assert 'id="decisions"' not in page  # chairs do not decide whether to hold a review


def test_subgroup_sees_local_qa_waiting_and_overdue_recommendations(
        client, make_user, make_review, admin):
    member = make_user("subgroup_member")
    at_qa = put_in_state(make_review(victim_pseudonym="Adult G"), "local_qa", admin,
                         review_items=False)
    drafting = put_in_state(make_review(victim_pseudonym="Adult H"), "drafting", admin,
                            review_items=False)
    late = recommendation(drafting, admin, "2.1")
    late.due_date = TODAY - timedelta(days=30)
    db.session.commit()
    sign_in(client, member)
    page = home(client)
    qa = section(page, "local-qa")
    assert at_qa.reference in qa and f'href="/reviews/{at_qa.id}#next-steps"' in qa
    recommendations = section(page, "overdue-recommendations")
    assert f'href="/recommendations/{late.id}"' in recommendations
    assert "Overdue by 30 days" in recommendations
    assert 'href="/recommendations?overdue=true"' in page
    assert 'id="stage-counts"' in page


def test_coordinator_sees_the_county_and_chairs_whose_training_runs_out(
        client, make_user, make_review, admin):
    coordinator = make_user("coordinator")
    expired = PoolMember(name="Helen Carter", email="helen@pool.example", roles=["chair"])
    expired.training.append(TrainingRecord(kind="home_office_chair_training",
                                           completed_date=TODAY - timedelta(days=400),
                                           expires_date=TODAY - timedelta(days=5)))
    soon = pool_member("Ruth Soon")
    soon.training[0].expires_date = TODAY + timedelta(days=20)
    fine = pool_member("Fatima Fine")
    db.session.add(expired)
    held = put_in_state(make_review(victim_pseudonym="Adult J"), "drafting", admin,
                        chair=expired, review_items=False)
    put_in_state(make_review(victim_pseudonym="Adult K"), "panel_and_scope", admin, chair=soon,
                 review_items=False)
    put_in_state(make_review(victim_pseudonym="Adult L"), "drafting", admin, chair=fine,
                 review_items=False)
    needs_chair = put_in_state(make_review(victim_pseudonym="Adult M"), "chair_appointment",
                               admin, review_items=False)
    sign_in(client, coordinator)
    page = home(client)
    assert "Your county" in page
    alerts = section(page, "pool-alerts")
    assert "Helen Carter" in alerts and "Expired" in alerts and held.reference in alerts
    assert "Ruth Soon" in alerts and "Expires soon" in alerts
    assert "Fatima Fine" not in alerts
    assert alerts.index("Helen Carter") < alerts.index("Ruth Soon")  # expired first
    assert f'href="/reviews/{needs_chair.id}/chair-candidates"' in section(page, "chairs-needed")
    stages = section(page, "stage-counts")
    assert 'href="/reviews?state=drafting"' in stages


def test_admin_has_an_overview(client, admin, make_review):
    make_review()
    sign_in(client, admin)
    page = home(client)
    assert "Overview" in page and 'id="stage-counts"' in page and 'id="pool-alerts"' in page


def test_practitioner_lands_on_search(client, make_user):
    sign_in(client, make_user("practitioner"))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/search")


def test_the_review_list_moved_to_reviews_and_old_links_follow(client, make_user, make_review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = make_review()
    sign_in(client, manager)
    listing = client.get("/reviews?state=notified").get_data(as_text=True)
    assert review.reference in listing and "Statutory clocks" in listing
    old = client.get("/?state=notified&sort=lateness")
    assert old.status_code == 302
    assert old.headers["Location"] == "/reviews?state=notified&sort=lateness"


def test_waiting_list_is_paginated(client, make_user, make_review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    for number in range(12):
        make_review(victim_pseudonym=f"Adult {number}")
    sign_in(client, manager)
    first = home(client)
    assert "What each review is waiting for (12)" in first and "page 1 of 2" in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Showing 11 to 12" in second


def test_each_list_costs_the_same_queries_however_many_reviews(
        app, client, make_user, make_review, admin):
    """One query per list, never one per review."""
    manager = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, manager)

    def queries() -> int:
        statements: list[str] = []

        def count(*_args):
            statements.append("")

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            home(client)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def add_reviews(number: int) -> None:
        for _ in range(number):
            make_review(notification_date=TODAY - timedelta(days=40),
                        date_of_death=TODAY - timedelta(days=45))
            overdue_imr(put_in_state(make_review(), "information_gathering", admin,
                                     review_items=False), admin)
            put_in_state(make_review(), "home_office_qa", admin, review_items=False)

    add_reviews(1)
    few = queries()
    add_reviews(3)
    assert queries() == few
