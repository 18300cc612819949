"""In a real browser: an administrator finds who opened an unpublished review, from the
service navigation, with a wrong date first, at desktop and phone width."""

from __future__ import annotations

import pytest

from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_an_administrator_finds_who_opened_a_review(live_server, page, make_user, make_review,
                                                    check_accessibility, screenshot, width):
    manager = make_user("csp_manager", email="manager@dacorum.example")
    admin = make_user("admin", email="admin@herts.example")
    review = make_review()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, manager)
    page.locator(f"main a[href='/reviews/{review.id}']").first.click()
    page.wait_for_url(f"{live_server}/reviews/{review.id}")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, admin)
    open_from_navigation(page, "Audit history", within="Administration")
    page.wait_for_url(f"{live_server}/audit")
    page.get_by_label("Who").fill("manager@dacorum")
    page.get_by_label("From").fill("31/02/2026")
    page.get_by_role("button", name="Show entries").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "'From' must be a real date, for example 27/11/2026" in summary.inner_text()
    check_page(page, check_accessibility, screenshot, "audit-error", width)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "since"

    page.get_by_label("From").fill("")
    page.get_by_label("What happened").select_option("review.viewed")
    page.get_by_role("button", name="Show entries").click()
    assert page.locator("#audit-count").inner_text().startswith("Showing 1 to 1 of 1 entries.")
    card = page.locator(".govuk-summary-card").first
    assert "manager@dacorum.example" in card.inner_text()
    assert review.reference in card.inner_text()
    check_page(page, check_accessibility, screenshot, "audit", width)
