"""In a real browser: an administrator adds a user (getting every field wrong once on the
way), is shown the password once, and disables the account after confirming."""

from __future__ import annotations

import pytest

from dhr.extensions import db
from dhr.models import User
from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


def error_summary(page) -> list[str]:
    return page.locator(".govuk-error-summary__list li").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_an_admin_adds_and_disables_a_user(live_server, page, make_user, check_accessibility,
                                           screenshot, width):
    admin = make_user("admin", email="admin@herts.example")
    make_user("csp_manager", email="taken@herts.example")
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, admin)

    open_from_navigation(page, "Users", within="Administration")
    page.wait_for_url(f"{live_server}/users")
    check_page(page, check_accessibility, screenshot, "users", width)
    page.get_by_role("button", name="Add a user").click()
    page.wait_for_url(f"{live_server}/users/new")

    # First round: no name, an address that is not one, no role.
    page.get_by_label("Email address").fill("priya.shah")
    page.get_by_role("button", name="Add user").click()
    assert page.title().startswith("Error: Add a user")
    assert error_summary(page) == [
        "Enter the person's full name",
        "Enter an email address in the correct format, like name@example.com",
        "Select a role"]
    check_page(page, check_accessibility, screenshot, "user-new-errors", width)
    page.locator(".govuk-error-summary").get_by_role("link", name="Select a role").click()
    assert page.evaluate("() => document.activeElement.id") == "role-0"

    # Second round: a CSP manager with no CSP, and an address already in use.
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").fill("taken@herts.example")
    page.get_by_label("CSP manager").check()
    page.get_by_role("button", name="Add user").click()
    assert error_summary(page) == [
        "An account with this email address already exists",
        "Select at least one CSP for a CSP manager"]
    assert page.get_by_label("Full name").input_value() == "Priya Shah"  # nothing lost

    page.get_by_label("Email address").fill("priya.shah@dacorum.example")
    page.get_by_label("Dacorum").check()
    page.get_by_role("button", name="Add user").click()
    assert page.get_by_role("heading", level=1).inner_text() == "User added"
    assert len(page.locator("#new-password").inner_text()) >= 16
    check_page(page, check_accessibility, screenshot, "user-added", width)

    page.get_by_role("link", name="Go to Priya Shah").click()
    assert page.locator("#user-role").inner_text() == "CSP manager"
    assert page.locator("#user-scope").inner_text() == "Dacorum"
    page.get_by_role("button", name="Disable account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Disable Priya Shah?"
    check_page(page, check_accessibility, screenshot, "user-disable", width)
    page.get_by_role("button", name="Yes, disable this account").click()
    assert "has been disabled" in page.locator("main").inner_text()
    assert page.locator("#user-status").inner_text() == "Disabled"
    db.session.expire_all()
    assert not db.session.query(User).filter_by(email="priya.shah@dacorum.example").one() \
        .is_enabled
