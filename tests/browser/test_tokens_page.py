"""In a real browser: a user finds their API tokens under "Your account", revokes one after
confirming, and sees it marked revoked (the script using it gets 401 at once)."""

from __future__ import annotations

import pytest

from dhr.auth.tokens import issue_token
from dhr.extensions import db
from tests.support.browser import check_page, open_from_navigation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_revoking_a_token(live_server, page, client, make_user, check_accessibility,
                          screenshot, width):
    user = make_user("coordinator", email="coordinator@herts.example")
    token = issue_token(user, "nightly export", read_only=True)
    issue_token(user, "dashboard feed")
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, user)

    open_from_navigation(page, "Your account")
    page.get_by_role("link", name="View your API tokens").click()
    page.wait_for_url(f"{live_server}/account/tokens")
    row = page.locator("tr", has_text="nightly export")
    assert "Read only" in row.inner_text() and "Active" in row.inner_text()
    check_page(page, check_accessibility, screenshot, "tokens", width)

    row.get_by_role("link", name="Revoke nightly export").click()
    assert "Revoke the token" in page.get_by_role("heading", level=1).inner_text()
    check_page(page, check_accessibility, screenshot, "token-revoke", width)
    page.get_by_role("button", name="Yes, revoke this token").click()
    page.wait_for_url(f"{live_server}/account/tokens")
    assert "has been revoked" in page.locator("main").inner_text()
    assert "Revoked" in page.locator("tr", has_text="nightly export").inner_text()
    assert "Active" in page.locator("tr", has_text="dashboard feed").inner_text()
    response = client.get("/api/v1/csps", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
