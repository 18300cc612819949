"""In a real browser at phone width (390 px): a sub-group member opens "Repeated
recommendations" from the service navigation, follows a member to its recommendation page and
sees the similar ones in other reviews. Both pages pass axe-core and fit without sideways
scrolling."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.support.browser import open_from_navigation
from tests.support.repeats import make_county

pytestmark = pytest.mark.browser


def fits_the_width(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_repeats_at_phone_width(live_server, page, make_user, make_review, check_accessibility,
                                screenshot):
    county = make_county(make_review)
    user = make_user("subgroup_member", email="sub.group@herts.example")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")

    open_from_navigation(page, "Repeated recommendations", within="Learning")
    page.wait_for_url(f"{live_server}/recommendations/repeats")
    assert page.get_by_role("heading", level=1).inner_text() == "Repeated recommendations"
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:2] == ["Written 4 times, completed 1 time",
                            "Written 2 times, completed 0 times"]
    assert fits_the_width(page)
    check_accessibility(page)
    screenshot(page, "repeats-390")

    page.get_by_role("link", name="DHR-WATFORD-2019-01, recommendation 1.1").click()
    page.wait_for_url(f"{live_server}/recommendations/{county['gp_watford'].id}")
    similar = page.locator("#similar + ol")
    assert "DHR-DACORUM-2021-01, recommendation 2.1" in similar.inner_text()
    assert "Completed" in similar.inner_text()
    assert fits_the_width(page)
    check_accessibility(page)
    screenshot(page, "recommendation-similar-390")
