"""In a real browser: a chair sees the unread count in the header, opens the notifications
page from the navigation, marks one read, then all; at desktop width and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dhr.extensions import db
from dhr.models import Notification
from dhr.models.types import utcnow
from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_reading_notifications(live_server, page, make_user, make_review, check_accessibility,
                               screenshot, width):
    manager = make_user("csp_manager", csps=["Dacorum"], email="dan.price@herts.example")
    review = make_review(csp="Dacorum")
    now = utcnow()
    for minutes, subject in ((30, "IMR overdue from Housing"), (5, "Decision due in 7 days")):
        db.session.add(Notification(
            user_id=manager.id, kind="reminder", subject=subject, review_id=review.id,
            message=f"{review.reference}: {subject.lower()}.",
            created_dt=now - timedelta(minutes=minutes)))
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, manager)  # signing in adds a third: "Your account signed in"

    assert page.locator("#unread-count").inner_text().startswith("3")
    open_from_navigation(page, "Notifications")
    page.wait_for_url(f"{live_server}/notifications")
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert "You have 3 unread notifications." in page.locator("#unread-summary").inner_text()
    titles = page.locator(".govuk-summary-card__title").all_inner_texts()
    assert [t.removeprefix("Unread").strip() for t in titles][1:] == [
        "Decision due in 7 days", "IMR overdue from Housing"]
    check_page(page, check_accessibility, screenshot, "notifications", width)

    card = page.locator(".dhr-notification", has_text="Decision due in 7 days")
    card.get_by_role("button", name="Mark as read").click()
    page.wait_for_url(f"{live_server}/notifications")
    assert "Notification marked as read." in page.locator("main").inner_text()
    card = page.locator(".dhr-notification", has_text="Decision due in 7 days")
    assert "Read" in card.locator(".govuk-tag").inner_text()
    assert page.locator("#unread-count").inner_text().startswith("2")

    page.get_by_role("link", name="Show unread only").click()
    assert page.locator(".dhr-notification").count() == 2
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url(f"{live_server}/notifications?show=unread")
    assert "Marked 2 notifications as read." in page.locator("main").inner_text()
    assert page.locator("#no-notifications").inner_text() == "No unread notifications."
    assert page.locator("#unread-count").count() == 0
    check_page(page, check_accessibility, screenshot, "notifications-all-read", width)

    page.get_by_role("link", name="Show all notifications").click()
    page.locator(".dhr-notification", has_text="IMR overdue").get_by_role(
        "link", name=f"Open review {review.reference}").click()
    page.wait_for_url(f"{live_server}/reviews/{review.id}")
