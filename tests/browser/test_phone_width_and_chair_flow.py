"""In real Chromium (issue 13, findings 4, 7 and 8): a CSP manager clicks from home to a
review, to the ranked candidates, chooses and confirms the chair; a paused review offers only
resuming; and at 390 px no main page of any role is wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dhr.extensions import db
from dhr.models import PoolMember
from tests.conftest import PASSWORD
from tests.support.browser import check_page, sign_in
from tests.support.pool import TODAY, in_state, member
from tests.support.workflow import pool_member, put_in_state

pytestmark = pytest.mark.browser
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])


def _waiting_review(make_review):
    review = make_review(agencies=["police"], notification_date=TODAY - timedelta(days=20),
                         date_of_death=TODAY - timedelta(days=25), victim_pseudonym="Adult F")
    return in_state(review, "chair_appointment")


@WIDTHS
def test_a_manager_appoints_a_chair_by_clicking(live_server, page, make_user, make_review,
                                                check_accessibility, screenshot, width):
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = _waiting_review(make_review)
    busy = member("Zoe Busy", capacity=3)
    in_state(make_review(), "panel_and_scope", chair=busy)
    member("Yan Free")
    member("Abe Conflicted", conflicts={"police": "Constabulary 2004-2016"})
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, manager)
    check_page(page, check_accessibility, screenshot, "chair-flow-home", width)

    page.get_by_role("link", name=review.reference).click()
    page.wait_for_url(f"{live_server}/reviews/{review.id}")
    check_page(page, check_accessibility, screenshot, "chair-flow-review", width)
    page.locator("#next-steps ~ div").get_by_role(
        "button", name="Appoint the independent chair").click()
    page.wait_for_url(f"{live_server}/reviews/{review.id}/chair-candidates")
    ranked = page.locator("#eligible-candidates .govuk-summary-card__title").all_inner_texts()
    assert [re.sub(r"^Rank ", "", t).strip() for t in ranked] == ["1. Yan Free", "2. Zoe Busy"]
    expect(page.locator("#ineligible-candidates")).to_contain_text("Abe Conflicted")
    expect(page.locator("#ineligible-candidates")).to_contain_text("Conflict of interest")
    check_page(page, check_accessibility, screenshot, "chair-flow-candidates", width)

    page.get_by_role("button", name="Choose Yan Free").click()
    page.wait_for_url(re.compile(r"/events/appoint_chair\?chair_id=\d+$"))
    expect(page.locator("#appointment-summary")).to_contain_text(
        f"Yan Free will be the chair of {review.reference}")
    check_page(page, check_accessibility, screenshot, "chair-flow-confirm", width)
    page.locator("main form").get_by_role("button", name="Appoint the independent chair").click()
    page.wait_for_url(f"{live_server}/reviews/{review.id}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You appointed the independent chair")
    expect(page.locator(".dhr-timeline")).to_contain_text("Chair")
    expect(page.locator(".dhr-timeline")).to_contain_text("Yan Free")
    check_page(page, check_accessibility, screenshot, "chair-flow-appointed", width)


@WIDTHS
def test_a_paused_review_offers_only_resuming(live_server, page, make_user, make_review,
                                              check_accessibility, screenshot, width):
    admin = make_user("admin")
    review = put_in_state(make_review(), "drafting", admin, chair=pool_member())
    review.is_paused, review.pause_reason = True, "criminal_trial"
    review.paused_since_date = TODAY - timedelta(days=3)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, make_user("csp_manager", csps=["Dacorum"]))
    page.goto(f"{live_server}/reviews/{review.id}")
    expect(page.locator(".govuk-inset-text").first).to_contain_text(
        "Nothing else can happen until the review is resumed")
    buttons = page.locator("#next-steps ~ div").get_by_role("button").all_inner_texts()
    assert buttons == ["Resume the review"]
    for offer in ("Change", "Request information from an agency", "Add a recommendation"):
        assert page.get_by_role("link", name=re.compile(rf"^{offer}")).count() == 0, offer
        assert page.get_by_role("button", name=re.compile(rf"^{offer}")).count() == 0, offer
    check_page(page, check_accessibility, screenshot, "paused-review", width)


def _scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_no_main_page_is_wider_than_a_phone(live_server, page, make_user, make_review):
    """Each role's main pages at 390 px: document scrollWidth <= 390 (the widths measured
    are printed)."""
    admin = make_user("admin")
    chair_user = make_user("chair")
    chair = db.session.query(PoolMember).filter_by(user_id=chair_user.id).one()
    review = put_in_state(make_review(), "information_gathering", admin, chair=chair)
    waiting = _waiting_review(make_review)
    published = put_in_state(make_review(), "published", admin, chair=pool_member())
    # The longest reference in Hertfordshire: it must wrap, not widen the dashboard.
    put_in_state(make_review(csp="Welwyn Hatfield"), "drafting", admin, chair=pool_member())
    member("Helen Carter")
    db.session.commit()
    pages = {
        "csp_manager": ["/", f"/reviews/{review.id}", f"/reviews/{review.id}/requests",
                        "/recommendations", f"/reviews/{waiting.id}/chair-candidates"],
        "chair": ["/", f"/reviews/{review.id}", f"/reviews/{review.id}/requests",
                  "/chair-invitations"],
        "subgroup_member": ["/", f"/reviews/{review.id}", "/recommendations"],
        "coordinator": ["/", "/pool", f"/pool/{chair.id}", f"/reviews/{review.id}",
                        f"/reviews/{waiting.id}/chair-candidates", "/recommendations"],
        "practitioner": ["/search", f"/reviews/{published.id}"],
    }
    page.set_viewport_size({"width": 390, "height": 844})
    measured = []
    for role, paths in pages.items():
        user = chair_user if role == "chair" else make_user(
            role, csps=["Dacorum"] if role == "csp_manager" else None)
        page.context.clear_cookies()
        page.goto(f"{live_server}/sign-in")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        for path in paths:
            page.goto(f"{live_server}{path}")
            measured.append((role, path, _scroll_width(page)))
    print("\n".join(f"{role:16} {width:5} px  {path}" for role, path, width in measured))
    too_wide = [(role, path, width) for role, path, width in measured if width > 390]
    assert too_wide == []
