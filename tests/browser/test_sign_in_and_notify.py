"""In a real browser: a CSP manager signs in, sees the dashboard with the sign-in notice,
records a police notification through the form (getting an error first) and lands on the
review's page. Every page is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Review
from tests.conftest import PASSWORD


def fill_date(page, label: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=label, exact=True)
    for part, value in (("Day", day), ("Month", month), ("Year", year)):
        group.get_by_label(part, exact=True).fill(value)


pytestmark = pytest.mark.browser


def test_sign_in_record_a_notification_and_see_the_review(
        live_server, page, make_user, check_accessibility, screenshot):
    user = make_user("csp_manager", csps=["Dacorum"], email="dan.price@herts.example")

    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/sign-in")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    check_accessibility(page)

    # A wrong password first: the error summary, and still on the sign-in page.
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password." in summary.inner_text()
    check_accessibility(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your tasks"
    assert "Your account signed in at" in page.locator("main").inner_text()
    check_accessibility(page)
    screenshot(page, "home")

    page.get_by_role("button", name="Record a notification").click()
    page.wait_for_url(f"{live_server}/reviews/new")
    check_accessibility(page)

    form = {
        "Victim pseudonym": "Adult A",
        "Number of deceased aged 16 or over": "1",
        "Children under 16 in the household": "2",
        "Restricted identifying terms": "Jane Realname\n12 Orchard Close",
    }
    page.get_by_label("Community Safety Partnership").select_option(label="Dacorum")
    for label, value in form.items():
        page.get_by_label(label, exact=True).fill(value)
    fill_date(page, "Date of death", "31", "1", "2024")
    page.get_by_label("Type of death").select_option(label="Intimate partner homicide")
    page.get_by_label("Police", exact=True).check()
    # Notified before the death: refused, with the problem in the error summary.
    fill_date(page, "Date the police notified the CSP", "1", "1", "2024")
    page.get_by_role("button", name="Record notification").click()
    summary = page.locator(".govuk-error-summary")
    assert ("Date the police notified the CSP must not be before the date of death"
            in summary.inner_text())
    assert page.get_by_label("Victim pseudonym").input_value() == "Adult A"  # kept
    check_accessibility(page)
    db.session.rollback()
    assert db.session.scalars(select(Review)).all() == []

    fill_date(page, "Date the police notified the CSP", "2", "2", "2024")
    page.get_by_role("button", name="Record notification").click()
    page.wait_for_url(re.compile(rf"{re.escape(live_server)}/reviews/\d+$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "DHR-DACORUM-2024-01: Adult A"
    assert "Notification recorded as DHR-DACORUM-2024-01." in page.inner_text("body")
    check_accessibility(page)

    db.session.rollback()
    review = db.session.scalars(select(Review)).one()
    assert (review.reference, review.state) == ("DHR-DACORUM-2024-01", "notified")
    assert review.identifying_terms == ["Jane Realname", "12 Orchard Close"]
    assert review.agencies == ["police"]


def test_gov_uk_styles_and_scripts_load_under_the_strict_csp(live_server, strict_page,
                                                             make_user):
    """With the Content-Security-Policy enforced, GOV.UK Frontend's stylesheet applies, its
    JavaScript runs (it marks the body), and nothing is blocked."""
    page = strict_page.page
    user = make_user("coordinator")
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="Reviews", exact=True).click()  # the list with its filters
    page.wait_for_url(f"{live_server}/reviews")

    heading = page.get_by_role("heading", level=1)
    assert "arial" in heading.evaluate("(el) => getComputedStyle(el).fontFamily").lower()
    assert heading.evaluate("(el) => getComputedStyle(el).fontWeight") == "700"
    button = page.get_by_role("button", name="Filter")
    colour = button.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert colour not in {"rgba(0, 0, 0, 0)", "rgb(239, 239, 239)"}, colour  # GOV.UK, not bare
    page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")

    # The precompiled GOV.UK stylesheet also asks for the GDS Transport font, which is only
    # for services on GOV.UK domains and is not served: text falls back to Arial. Anything
    # else failing (a blocked script or style, a missing asset) is a fault.
    assert [r for r in strict_page.failed_requests if "/assets/fonts/" not in r] == []
    assert [e for e in strict_page.console_errors
            if not e.startswith("Failed to load resource")] == []
