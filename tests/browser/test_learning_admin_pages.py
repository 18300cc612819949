"""In a real browser, at desktop and phone width, every page axe-core clean: a sub-group member
goes from home to the themes page, to a count, to the tracker showing exactly those
recommendations; an admin retires and merges a theme; a coordinator's import with a bad row
shows the line-numbered errors and imports nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import Review, VocabularyTerm
from tests.support.browser import check_page, open_from_navigation, sign_in
from tests.support.tracker import build_scene

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
BAD_REGISTER = (
    "reference,csp,year,review_type,deceased_16_plus,children_under_16,death_type,state\n"
    "DHR-HIST-01,Dacorum,2014,full,1,2,intimate_partner_homicide,published\n"
    "DHR-HIST-02,Atlantis,2015,full,1,0,other,closed\n")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_from_home_to_themes_to_a_count_to_the_tracker(live_server, page, make_user,
                                                       make_review, check_accessibility,
                                                       screenshot, width):
    build_scene(make_review, make_user)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, make_user("subgroup_member"))
    open_from_navigation(page, "Learning themes", within="Learning")
    page.wait_for_url(f"{live_server}/themes")
    assert page.get_by_role("heading", level=1).inner_text() == "Learning themes"
    check_page(page, check_accessibility, screenshot, "themes", width)
    page.locator("#themes-by-year").get_by_role(
        "link", name="1 recommendations: Routine enquiry, 2022").click()
    page.wait_for_url("**/recommendations?theme=routine_enquiry&year=2022")
    assert page.locator("#recommendations caption").inner_text() == "1 recommendation"
    check_page(page, check_accessibility, screenshot, "themes-to-tracker", width)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_admin_retires_and_merges_a_theme(live_server, page, make_user, make_review,
                                             check_accessibility, screenshot, width):
    build_scene(make_review, make_user)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, make_user("admin"))
    open_from_navigation(page, "Vocabularies", within="Administration")
    page.get_by_role("link", name="Learning themes").click()
    page.wait_for_url(f"{live_server}/vocabularies/theme")
    check_page(page, check_accessibility, screenshot, "vocabulary", width)
    page.get_by_role("link", name="Change Routine enquiry").click()
    check_page(page, check_accessibility, screenshot, "vocabulary-term", width)
    page.get_by_role("button", name="Retire this term").click()
    page.wait_for_url(f"{live_server}/vocabularies/theme")
    row = page.locator("#terms tbody tr", has_text="Routine enquiry")
    assert "Retired" in row.inner_text()
    page.get_by_role("link", name="Change Routine enquiry").click()
    page.get_by_role("button", name="Merge").click()  # nothing chosen
    assert page.title().startswith("Error: ")
    page.locator(".govuk-error-summary a").click()
    assert page.evaluate("() => document.activeElement.id") == "into"
    check_page(page, check_accessibility, screenshot, "vocabulary-merge-error", width)
    page.get_by_label("Merge into").select_option(label="Information sharing")
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(f"{live_server}/vocabularies/theme")
    assert "Merged Routine enquiry into Information sharing" in page.locator(
        ".govuk-notification-banner").inner_text()
    assert db.session.scalar(select(VocabularyTerm).where(
        VocabularyTerm.code == "routine_enquiry")) is None
    check_page(page, check_accessibility, screenshot, "vocabulary-merged", width)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_import_with_a_bad_row_shows_the_line(live_server, page, make_user,
                                                  check_accessibility, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, make_user("coordinator"))
    open_from_navigation(page, "Imports", within="Administration")
    page.get_by_role("link", name="Import a register of reviews").click()
    check_page(page, check_accessibility, screenshot, "import", width)
    page.get_by_label("Upload the register (CSV)").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": BAD_REGISTER.encode()})
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Line 3, csp: Enter the name of a CSP" in summary
    assert page.locator("#problems tbody tr").count() == 1
    check_page(page, check_accessibility, screenshot, "import-errors", width)
    assert db.session.scalar(select(func.count(Review.id))) == 0
