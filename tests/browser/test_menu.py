"""In a real browser: an administrator's menu fits one line at desktop width, collapses behind
"Menu" on a phone, and leads through "Administration" and "Learning" to the pages grouped
there, each hub page marked as the current section."""

from __future__ import annotations

import pytest

from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_an_administrator_finds_the_grouped_pages(live_server, page, make_user,
                                                  check_accessibility, screenshot, width):
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, make_user("admin", email="admin@herts.example"))
    screenshot(page, f"menu-{width}")
    if width > 1000:
        tops = page.locator("#navigation > li").evaluate_all(
            "items => new Set(items.map(i => Math.round(i.getBoundingClientRect().top))).size")
        assert tops == 1, "the menu wraps onto a second line"

    open_from_navigation(page, "Administration")
    page.wait_for_url(f"{live_server}/administration")
    assert page.locator("#hub-links h2").all_inner_texts() == [
        "Users", "Imports", "Vocabularies", "Audit history"]
    check_page(page, check_accessibility, screenshot, f"administration-{width}", width)
    page.locator("#hub-links").get_by_role("link", name="Users", exact=True).click()
    page.wait_for_url(f"{live_server}/users")
    assert page.locator("[aria-current=page]").inner_text() == "Administration"

    open_from_navigation(page, "Learning")
    page.wait_for_url(f"{live_server}/learning")
    check_page(page, check_accessibility, screenshot, f"learning-{width}", width)
    page.locator("#hub-links").get_by_role("link", name="Learning themes").click()
    page.wait_for_url(f"{live_server}/themes")
