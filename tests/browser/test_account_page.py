"""In a real browser: "Your account" and "Sign out everywhere". A user signed in on two
browsers signs out everywhere on one; the other is sent to sign in on its next click."""

from __future__ import annotations

import pytest

from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_sign_out_everywhere_ends_the_other_browser(live_server, browser, page, make_user,
                                                     check_accessibility, screenshot, width):
    user = make_user("coordinator", email="coordinator@herts.example")
    other = browser.new_context(locale="en-GB").new_page()
    try:
        sign_in(other, live_server, user)
        page.set_viewport_size({"width": width, "height": 844})
        sign_in(page, live_server, user)

        open_from_navigation(page, "Your account")
        page.wait_for_url(f"{live_server}/account")
        assert page.get_by_role("heading", level=1).inner_text() == "Your account"
        assert page.locator("#session-count").inner_text() == "2 sessions"
        check_page(page, check_accessibility, screenshot, "account", width)

        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url(f"{live_server}/sign-in**")
        assert "You have signed out on every device." in page.content()
        check_page(page, check_accessibility, screenshot, "signed-out-everywhere", width)

        # The other browser still shows the dashboard; its next click asks it to sign in.
        other.get_by_role("link", name="Recommendation tracker").click()
        other.wait_for_url(f"{live_server}/sign-in**")
        assert other.get_by_role("button", name="Sign in").is_visible()
        assert other.get_by_role("link", name="Your account").count() == 0
    finally:
        other.context.close()
