"""Helpers for the browser tests: sign in through the form, open a page from the service
navigation, and the checks every page gets (no sideways scrolling at phone width, captions
not squeezed, axe-core clean, a screenshot)."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def fits_the_width(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(page, live_server: str, user, landing: str = "/") -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}{landing}")


def open_from_navigation(page, name: str, within: str | None = None) -> None:
    """Click `name` in the service menu, or on the menu's hub page `within` ("Learning",
    "Administration") for the pages grouped there."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # the collapsed service navigation on a narrow screen
        menu.click()
    navigation = page.locator(".dhr-service-bar")  # the menu and the account links
    # A name's start, since "Notifications" may be followed by its unread count.
    if within is None:
        navigation.get_by_role("link", name=re.compile(f"^{re.escape(name)}")).click()
        return
    navigation.get_by_role("link", name=within, exact=True).click()
    page.locator("#hub-links").get_by_role("link", name=name, exact=True).click()


def captions_are_one_line_wide(page) -> bool:
    """A stacked table's caption spans the content width (not shrunk to its longest word)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'caption:not(.govuk-visually-hidden)')].every(
        c => c.getBoundingClientRect().width >= c.closest('main').clientWidth * 0.9)""")


def check_page(page, check_accessibility, screenshot, name: str, width: int) -> None:
    if width < 400:
        assert fits_the_width(page), f"{page.url} scrolls sideways at {width} px"
        assert captions_are_one_line_wide(page), f"a caption is squeezed on {page.url}"
    check_accessibility(page)
    screenshot(page, f"{name}-{width}")
