"""In a real browser: the recommendation tracker, the annual table and the dashboard's pages,
used as a sub-group member (at desktop and at phone width), a practitioner and a CSP manager.
Every page passes axe-core; at 390 px nothing scrolls sideways."""

from __future__ import annotations

from datetime import date

import pytest

from dhr.extensions import db
from learning.models import Recommendation
from tests.support.browser import check_page, open_from_navigation, sign_in
from tests.support.tracker import build_scene

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


def listed(page) -> list[str]:
    """The tracker's rows as "reference number" strings, in order."""
    rows = page.locator("#recommendations tbody tr")
    return [" ".join(rows.nth(i).locator("td").nth(n).inner_text().strip() for n in (0, 1))
            for i in range(rows.count())]


def add_open_recommendations(review, count: int) -> None:
    """`count` open housing recommendations with no due date (last in the tracker's order)."""
    db.session.add_all(Recommendation(review_id=review.id, number=f"9.{n}", level="local",
                                      agency="housing", text=f"Extra recommendation {n}")
                       for n in range(1, count + 1))
    db.session.commit()


def hold_more_reviews(scene, make_review) -> None:
    """The annual table counts reviews held: Dacorum's is drafting now, a proportionate 2023
    review is gathering information, and a notified one (not held) is left out."""
    scene.dacorum.state = "drafting"
    make_review(csp="Watford", review_type="proportionate", date_of_death=date(2023, 8, 1),
                notification_date=date(2023, 8, 2), children_under_16=0).state = \
        "information_gathering"
    make_review(csp="Watford", date_of_death=date(2023, 9, 1), notification_date=date(2023, 9, 2))
    db.session.commit()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_subgroup_member_tracks_recommendations(live_server, page, make_user, make_review,
                                                  check_accessibility, screenshot, width):
    scene = build_scene(make_review, make_user)
    add_open_recommendations(scene.dacorum, 50)
    hold_more_reviews(scene, make_review)
    dacorum, watford = scene.dacorum.reference, scene.watford.reference
    user = make_user("subgroup_member")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, user)

    open_from_navigation(page, "Recommendation tracker")
    page.wait_for_url(f"{live_server}/recommendations")
    assert page.get_by_role("heading", level=1).inner_text() == "Recommendation tracker"
    assert page.locator("#recommendations caption").inner_text() == "56 recommendations"
    assert listed(page)[:3] == [f"{watford} 3.1", f"{dacorum} 1.1", f"{dacorum} 1.2"]
    check_page(page, check_accessibility, screenshot, "tracker", width)

    # GOV.UK pagination: 50 on the first page, the other 6 behind "Next".
    assert len(listed(page)) == 50
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/recommendations?page=2")
    assert len(listed(page)) == 6
    assert page.locator(".govuk-pagination__item--current").inner_text().strip() == "2"
    check_page(page, check_accessibility, screenshot, "tracker-page-2", width)

    # Filter by an agency, then by overdue as well.
    page.get_by_label("Agency").select_option(label="Police")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**agency=police**")
    assert listed(page) == [f"{watford} 3.1", f"{dacorum} 1.1", f"{dacorum} 1.3"]
    by_agency = page.locator("table", has=page.locator("caption", has_text="By agency"))
    police = by_agency.locator("tbody tr", has_text="Police")
    assert [c.strip() for c in police.locator("td").all_inner_texts()] == [
        "3", "2", "2", "1", "0", "33%"]
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**overdue=true**")
    assert listed(page) == [f"{watford} 3.1", f"{dacorum} 1.1"]
    lateness = page.locator("#recommendations tbody").inner_text()
    assert "Overdue by 100 days" in lateness and "Overdue by 30 days" in lateness
    assert page.get_by_label("Agency").input_value() == "police"  # the filter is kept
    check_page(page, check_accessibility, screenshot, "tracker-police-overdue", width)

    # Every wrong value once: an impossible date, then letters in the year box.
    for day, month, year in (("31", "2", "2025"), ("1", "3", "twenty")):
        page.get_by_label("Day").fill(day)
        page.get_by_label("Month").fill(month)
        page.get_by_label("Year", exact=True).fill(year)
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**due_before-day=**")
        assert page.title().startswith("Error: ")
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible()
        links = summary.locator("a")
        assert links.count() == 1
        assert links.first.inner_text() == "Due before must be a real date, for example 31 3 2025"
        target = links.first.get_attribute("href").lstrip("#")
        assert page.locator(f"#{target}").get_attribute("name") == "due_before-day"
        assert page.locator("#recommendations").count() == 0  # nothing listed
        assert page.get_by_label("Year", exact=True).input_value() == year  # kept to correct
        links.first.click()
        assert page.evaluate("() => document.activeElement.id") == "due_before-day"
        check_page(page, check_accessibility, screenshot, f"tracker-error-{year}", width)

    # Reopen the completed recommendation 1.3 from its page.
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(f"{live_server}/recommendations")
    page.get_by_label("Agency").select_option(label="Police")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**agency=police**")
    page.locator("#recommendations tbody tr", has_text="Completed").get_by_role("link").click()
    page.wait_for_url(f"{live_server}/recommendations/{scene.recs['A3'].id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Recommendation 1.3"
    page.get_by_role("button", name="Reopen the recommendation").click()
    assert page.title().startswith("Error: ")
    error = page.locator(".govuk-error-summary a")
    assert error.inner_text() == "Enter why the recommendation is reopened"
    error.click()
    assert page.evaluate("() => document.activeElement.name") == "reason"
    check_page(page, check_accessibility, screenshot, "recommendation-reopen-error", width)
    page.get_by_label("Why is it reopened?").fill("The training did not reach the night shift")
    page.get_by_role("button", name="Reopen the recommendation").click()
    page.wait_for_url(f"{live_server}/recommendations/{scene.recs['A3'].id}")
    assert "Recommendation 1.3 reopened." in page.locator(".govuk-notification-banner").inner_text()
    status = page.locator(".govuk-summary-list__row", has_text="Status")
    assert status.locator(".govuk-tag").all_inner_texts() == ["Open", "Overdue"]  # due -60 d
    history = page.locator("#history + ol").inner_text()
    assert "Reopened" in history
    assert "Reason: The training did not reach the night shift" in history
    completed = scene.recs["A3"].completed_date
    assert f"It had been completed on {completed.day} {completed:%B %Y}" in history
    check_page(page, check_accessibility, screenshot, "recommendation-reopened", width)

    # The annual table: the totals row adds up the rows.
    open_from_navigation(page, "Recommendation tracker")
    page.get_by_role("link", name="Reviews by year (the annual table)").click()
    page.wait_for_url(f"{live_server}/stats/annual")
    assert page.get_by_role("heading", level=1).inner_text() == "Reviews by year"
    rows = page.locator("#annual tbody tr")
    body = [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()[:4]]
            for i in range(rows.count())]
    assert rows.last.locator("th").inner_text() == "Total"
    assert [r.locator("th").inner_text() for r in rows.all()[:-1]] == ["2022", "2023"]
    assert body[1][:2] == ["2", "1"]  # 2023: two reviews held, one proportionate
    for column in range(4):
        assert int(body[-1][column]) == sum(int(r[column]) for r in body[:-1])
    assert body[-1][:2] == ["3", "1"]
    check_page(page, check_accessibility, screenshot, "annual", width)


def test_a_practitioner_sees_published_recommendations_only(
        live_server, page, make_user, make_review, check_accessibility, screenshot):
    scene = build_scene(make_review, make_user)
    user = make_user("practitioner")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, user, landing="/search")

    open_from_navigation(page, "Recommendation tracker")
    page.wait_for_url(f"{live_server}/recommendations")
    watford = scene.watford.reference
    assert listed(page) == [f"{watford} 3.1", f"{watford} 3.2"]
    content = page.content()
    assert scene.dacorum.reference not in content
    assert "Named officer" not in content  # no owner
    assert page.get_by_role("columnheader", name="Due").count() == 0
    assert "Overdue" not in page.locator("#recommendations").inner_text()
    assert page.get_by_label("Overdue only").count() == 0
    assert page.get_by_role("group", name="Due before").count() == 0
    check_page(page, check_accessibility, screenshot, "tracker-practitioner", 390)


def test_the_dashboard_pages_through_a_csps_reviews(live_server, page, make_user, make_review,
                                                    check_accessibility, screenshot):
    for n in range(55):
        make_review(csp="Dacorum", date_of_death=date(2024, 1, 1 + n % 28),
                    notification_date=date(2024, 2, 1 + n % 28))
    make_review(csp="Watford")  # another CSP's review: not listed
    user = make_user("csp_manager", csps=["Dacorum", "Watford"])
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    # The list of every review (home is the day's work).
    page.locator("#navigation").get_by_role("link", name="Reviews", exact=True).click()

    page.get_by_label("CSP").select_option(label="Dacorum")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**csp=**")
    rows = page.locator("table", has=page.locator("caption", has_text="reviews")).locator(
        "tbody tr")
    caption = page.locator("caption", has_text="55 reviews").inner_text()
    assert "Showing 1 to 50, page 1 of 2" in caption
    assert rows.count() == 50
    first_page = set(rows.locator("td:first-child").all_inner_texts())
    check_page(page, check_accessibility, screenshot, "dashboard-page-1", 1280)

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2**")
    assert "csp=" in page.url
    assert page.get_by_label("CSP").locator("option:checked").inner_text() == "Dacorum"
    assert rows.count() == 5
    second_page = set(rows.locator("td:first-child").all_inner_texts())
    assert not first_page & second_page
    assert all("DACORUM" in ref.upper() for ref in first_page | second_page)
    check_page(page, check_accessibility, screenshot, "dashboard-page-2", 1280)
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, check_accessibility, screenshot, "dashboard-page-2", 390)
