"""In a real browser, at desktop and phone width: each role signs in, finds the day's work on
the home page and clicks through to act on one item; a chair asks every panel agency for its
IMR in one step, naming a contact. Every page passes axe-core; at 390 px nothing scrolls
sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.models.pool import TrainingRecord
from dhr.workflow.agency_requests import create_request
from tests.support.browser import check_page, sign_in
from tests.support.workflow import TODAY, chair_member, pool_member, put_in_state

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


@dataclass
class Day:
    manager: User
    chair: User
    subgroup: User
    coordinator: User
    practitioner: User
    undecided: Review
    gathering: Review
    at_qa: Review
    lapsed_chair: PoolMember


@pytest.fixture
def day(make_user, make_review) -> Day:
    admin = make_user("admin")
    chair = make_user("chair")
    undecided = make_review(victim_pseudonym="Adult B", notification_date=TODAY - timedelta(40),
                            date_of_death=TODAY - timedelta(45))
    gathering = put_in_state(make_review(victim_pseudonym="Adult C"), "information_gathering",
                             admin, chair=chair_member(chair), review_items=False)
    gathering.panel_agencies = ["police", "housing", "idva_service"]
    create_request(gathering, admin, agency="police", kind="chronology",
                   requested_date=TODAY - timedelta(60), due_date=TODAY - timedelta(9),
                   contact_name="DS Amy Clarke", contact_email="amy.clarke@police.example")
    put_in_state(make_review(victim_pseudonym="Adult D"), "home_office_qa", admin,
                 review_items=False)
    at_qa = put_in_state(make_review(victim_pseudonym="Adult G"), "local_qa", admin,
                         review_items=False)
    lapsed = pool_member("Helen Carter")
    lapsed.training = [TrainingRecord(kind="home_office_chair_training",
                                      completed_date=TODAY - timedelta(900),
                                      expires_date=TODAY - timedelta(3))]
    put_in_state(make_review(victim_pseudonym="Adult J"), "drafting", admin, chair=lapsed,
                 review_items=False)
    db.session.commit()
    return Day(make_user("csp_manager", csps=["Dacorum"]), chair, make_user("subgroup_member"),
               make_user("coordinator"), make_user("practitioner"), undecided, gathering,
               at_qa, lapsed)


@pytest.fixture
def new_tab(browser) -> Iterator[Any]:
    contexts = []

    def open_tab(width: int) -> Any:
        context = browser.new_context(bypass_csp=True, locale="en-GB",
                                      viewport={"width": width, "height": 900})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def caption(tab: Any, element_id: str) -> str:
    return tab.locator(f"#{element_id} caption").first.inner_text()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_each_role_finds_the_days_work_and_acts_on_it(live_server, day, new_tab,
                                                      check_accessibility, screenshot, width):
    def home_of(user: User, name: str) -> Any:
        tab = new_tab(width)
        sign_in(tab, live_server, user)
        check_page(tab, check_accessibility, screenshot, f"home-{name}", width)
        return tab

    # The CSP manager: a decision overdue, a chronology overdue from the police, a letter.
    tab = home_of(day.manager, "csp-manager")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Your tasks")
    assert caption(tab, "decisions").startswith("Decisions due (1)")
    requests = tab.locator("#overdue-requests")
    expect(requests).to_contain_text("DS Amy Clarke")
    expect(requests).to_contain_text("Overdue by 9 days")
    assert caption(tab, "letters").startswith("Home Office letters awaited (1)")
    expect(tab.locator("#waiting")).to_contain_text("IMRs and chronologies from agencies")
    tab.locator("#decisions").get_by_role("link", name=day.undecided.reference).click()
    tab.wait_for_url(f"{live_server}/reviews/{day.undecided.id}/events/decide_to_review")
    check_page(tab, check_accessibility, screenshot, "home-manager-acts", width)

    # The chair: the late chronology on their review, recorded as received from there.
    tab = home_of(day.chair, "chair")
    tab.locator("#overdue-requests").get_by_role("link", name=day.gathering.reference).click()
    tab.wait_for_url(re.compile(r"/agency-requests/\d+/submit$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Record as submitted")

    # The sub-group member: the report waiting for local quality assurance.
    tab = home_of(day.subgroup, "subgroup")
    tab.locator("#local-qa").get_by_role("link", name=day.at_qa.reference).click()
    tab.wait_for_url(f"{live_server}/reviews/{day.at_qa.id}#next-steps")
    expect(tab.locator("#next-steps")).to_be_visible()

    # The coordinator: the county by stage, and a chair whose training has lapsed.
    tab = home_of(day.coordinator, "coordinator")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Your county")
    alerts = tab.locator("#pool-alerts + ul")
    expect(alerts).to_contain_text("Helen Carter")
    expect(alerts).to_contain_text("Expired")
    alerts.get_by_role("link", name="Helen Carter").click()
    tab.wait_for_url(f"{live_server}/pool/{day.lapsed_chair.id}")

    # The practitioner lands on the learning search.
    tab = new_tab(width)
    sign_in(tab, live_server, day.practitioner, landing="/search")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_chair_asks_every_panel_agency_for_its_imr_in_one_step(
        live_server, day, new_tab, check_accessibility, screenshot, width):
    tab = new_tab(width)
    sign_in(tab, live_server, day.chair)
    tab.locator("#waiting").get_by_role("link", name=day.gathering.reference).click()
    tab.wait_for_url(f"{live_server}/reviews/{day.gathering.id}")
    tab.get_by_role("button", name="Request from every panel agency").click()
    tab.wait_for_url(f"{live_server}/reviews/{day.gathering.id}/requests/panel")
    for agency in ("Police", "Housing", "IDVA service"):
        expect(tab.get_by_role("checkbox", name=agency, exact=True)).to_be_checked()
    check_page(tab, check_accessibility, screenshot, "panel-requests", width)
    tab.get_by_label("Contact's email address at Police").fill("not an address")
    tab.get_by_role("button", name="Send the requests").click()
    summary = tab.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Police: enter an email address in the correct format")
    assert tab.title().startswith("Error: ")
    check_page(tab, check_accessibility, screenshot, "panel-requests-error", width)
    summary.get_by_role("link").first.click()
    expect(tab.get_by_label("Contact's email address at Police")).to_be_focused()
    tab.get_by_label("Contact's name at Police").fill("DS Amy Clarke")
    tab.get_by_label("Contact's email address at Police").fill("amy.clarke@police.example")
    tab.get_by_role("button", name="Send the requests").click()
    tab.wait_for_url(f"{live_server}/reviews/{day.gathering.id}/requests")
    expect(tab.locator(".govuk-notification-banner")).to_contain_text(
        "Individual management review (IMR) requested from 3 agencies.")
    table = tab.locator("#agency-requests + table")
    expect(table).to_contain_text("amy.clarke@police.example")
    check_page(tab, check_accessibility, screenshot, "requests-after-panel", width)
