"""In a real browser, on a phone-sized screen: a practitioner signs in, lands on search, finds
a published lesson with the passage marked, narrows by a facet and opens the report; axe-core
checks each page."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.support.search import build_corpus

pytestmark = pytest.mark.browser


def test_a_practitioner_searches_on_a_phone(live_server, page, make_review, make_user,
                                            check_accessibility, screenshot):
    corpus = build_corpus(make_review, make_user)
    user = make_user("practitioner")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/search")
    check_accessibility(page)

    page.get_by_label("Words or a phrase").fill("stalking after separation")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search?q=stalking*")
    assert page.locator("mark").first.is_visible()
    assert "quillwort" not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    check_accessibility(page)
    screenshot(page, "search-390")

    page.get_by_label("Recommendation (", exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**kind=recommendation*")
    assert page.locator(".govuk-tag", has_text="Lesson").count() == 0
    page.get_by_role("link", name=f"Recommendation 2.2: {corpus.published.reference}",
                     exact=True).click()
    page.wait_for_url(f"**/reviews/{corpus.published.id}/published#recommendations")
