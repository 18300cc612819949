"""In a real browser, with two-factor sign-in required: a CSP manager signs in, is taken to
enrol, adds the key (typed from the page, as a person without a camera would) to an
authenticator (pyotp here), keeps the recovery codes, signs out, signs in with a code; a
used code is refused, a recovery code works once. Every page passes axe-core; at 390 px
nothing scrolls sideways."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.support.browser import check_page, sign_in

pytestmark = pytest.mark.browser
WRONG_CODE = "Enter a correct code from your authenticator app, or an unused recovery code."


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enter_code(page, code: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()


def sign_out(page, live_server: str) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(f"{live_server}/sign-in**")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_enrol_then_sign_in_with_a_code_and_a_recovery_code(
        app, live_server, page, make_user, check_accessibility, screenshot, width):
    app.config["REQUIRE_2FA"] = True
    # Enrolling hashes ten recovery codes with argon2, and a recovery code is checked against
    # each unused hash: seconds of work on a busy shared machine, not the default 15.
    page.set_default_timeout(120_000)
    page.set_viewport_size({"width": width, "height": 844})
    user = make_user("csp_manager", csps=["Dacorum"], email="dan.price@herts.example")

    sign_in(page, live_server, user, landing="/account/two-factor/set-up")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    assert page.locator(".dhr-qr-code svg[role=img]").is_visible()
    check_page(page, check_accessibility, screenshot, "two-factor-set-up", width)
    # Nothing else answers until enrolment is done.
    page.goto(f"{live_server}/reviews/new")
    page.wait_for_url(f"{live_server}/account/two-factor/set-up")

    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill("000000" if code_at(secret) != "000000"
                                                  else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert "Enter the 6-digit code your authenticator app shows now." in page.locator(
        ".govuk-error-summary").inner_text()
    check_page(page, check_accessibility, screenshot, "two-factor-set-up-error", width)

    enrolment_code = code_at(secret)
    page.get_by_label("Code from your app").fill(enrolment_code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Two-factor sign-in is on"
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check_page(page, check_accessibility, screenshot, "two-factor-recovery-codes", width)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your tasks"
    sign_out(page, live_server)

    # Signing in again asks for a code; the one used to enrol is refused.
    sign_in(page, live_server, user, landing="/sign-in/two-factor")
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your security code"
    check_page(page, check_accessibility, screenshot, "two-factor-code", width)
    enter_code(page, enrolment_code)
    assert WRONG_CODE in page.locator(".govuk-error-summary").inner_text()
    check_page(page, check_accessibility, screenshot, "two-factor-code-error", width)
    enter_code(page, code_at(secret, 1))
    page.wait_for_url(f"{live_server}/")
    sign_out(page, live_server)

    # A recovery code works once.
    sign_in(page, live_server, user, landing="/sign-in/two-factor")
    enter_code(page, codes[0])
    page.wait_for_url(f"{live_server}/")
    sign_out(page, live_server)
    sign_in(page, live_server, user, landing="/sign-in/two-factor")
    enter_code(page, codes[0])
    assert WRONG_CODE in page.locator(".govuk-error-summary").inner_text()
    assert page.url == f"{live_server}/sign-in/two-factor"
