"""In real Chromium, at desktop and phone width: a visitor who has no account goes from the
sign-in page to the public learning, searches, sees the passage marked and opens the review;
nothing is wider than the screen and axe-core finds nothing to fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from learning.public import reference_slug
from tests.support.browser import check_page
from tests.support.search import build_corpus

pytestmark = pytest.mark.browser
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])


@WIDTHS
def test_a_visitor_finds_and_reads_published_learning(app, live_server, page, make_review,
                                                      make_user, check_accessibility,
                                                      screenshot, width):
    app.config["PUBLIC_LEARNING"] = True
    corpus = build_corpus(make_review, make_user)
    slug = reference_slug(corpus.published.reference)
    page.set_viewport_size({"width": width, "height": 844})

    page.goto(f"{live_server}/sign-in")
    page.get_by_role("link", name="read and search the learning from published reviews").click()
    page.wait_for_url(f"{live_server}/learning/public/")
    expect(page.get_by_role("link", name="Adult A")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(1)
    check_page(page, check_accessibility, screenshot, "public-index", width)

    page.get_by_role("searchbox").fill("stalking after separation")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/learning/public/search?q=stalking*")
    expect(page.locator("mark").first).to_be_visible()
    assert "quillwort" not in page.content()
    check_page(page, check_accessibility, screenshot, "public-search", width)

    page.get_by_role("link", name=f"Recommendation 2.2: {corpus.published.reference}",
                     exact=True).click()
    page.wait_for_url(f"{live_server}/learning/public/reviews/{slug}#recommendation-2-2")
    expect(page.locator("#recommendation-2-2")).to_contain_text("Police to link")
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    check_page(page, check_accessibility, screenshot, "public-review", width)
    assert page.context.cookies() == []  # no session for a visitor
