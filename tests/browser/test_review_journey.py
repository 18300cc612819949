"""In real Chromium, a review goes from the police notification to publication through the web
pages alone. Three people act, each in their own signed-in browser: the CSP manager, the
independent chair appointed from the pool and a member of the county DHR sub-group. On the
way the review is paused for the criminal trial and resumed, and the Home Office asks for
one resubmission. Finally a practitioner reads the published report, without the
identifying terms. Each kind of page is checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Review
from tests.conftest import PASSWORD
from tests.support.pool import member
from tests.support.workflow import TODAY, chair_member

pytestmark = pytest.mark.browser

# Recent dates: the decision and the six months are not yet overdue.
DIED = TODAY - timedelta(days=25)
NOTIFIED = TODAY - timedelta(days=20)
DECIDED = TODAY - timedelta(days=15)
PAUSED = TODAY - timedelta(days=10)
REPORT = ("Adult A had contact with the police, her GP and Housing in the two years before "
          "her death. Agencies did not share what they knew.")
REAL_NAME = "Jane Realname"
ADDRESS = "12 Orchard Close"


# --- small steps a person takes ---------------------------------------------------------------

def sign_in(page: Page, base: str, user: Any, home: str = "/") -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{home}")


def banner(page: Page) -> Any:
    return page.locator(".govuk-notification-banner")


def status_line(page: Page) -> Any:
    """The tags under the review's heading: its stage, then paused, overdue and so on."""
    return page.locator("main > p.govuk-body").first


def state_tag(page: Page) -> Any:
    """The tag under the review's heading that names its stage."""
    return status_line(page).locator("strong.govuk-tag").first


def stage_status(page: Page, stage: str) -> str:
    """The status the task list gives a stage (Completed, In progress, Paused, ...)."""
    item = page.locator(".govuk-task-list__item").filter(has_text=stage)
    return item.locator(".govuk-task-list__status").inner_text().strip()


def detail(page: Page, key: str) -> Any:
    """The value of a row of the review's summary lists (Details, Clocks)."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{re.escape(key)}$")))
    return row.locator("dd")


def missing_before(page: Page, event: str) -> list[str]:
    """The review page's 'Before you can do this' list for an event."""
    return page.locator(f"#missing-{event} li").all_inner_texts()


def fill_form(page: Page, fields: dict[str, str] | None = None, ticks: tuple[str, ...] = (),
              choose: dict[str, str] | None = None) -> None:
    """Type into fields by label (an ISO date into the day, month and year boxes of the date
    input of that name), tick radios and checkboxes by label, choose in selects."""
    for label, value in (fields or {}).items():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            year, month, day = value.split("-")
            group = page.get_by_role("group", name=label, exact=True)
            for part, typed in (("Day", day), ("Month", month), ("Year", year)):
                group.get_by_label(part, exact=True).fill(str(int(typed)))
        else:
            page.get_by_label(label, exact=True).fill(value)
    for label in ticks:
        page.get_by_label(label, exact=True).check()
    for label, option in (choose or {}).items():
        page.get_by_label(label, exact=True).select_option(label=option)


def open_event(page: Page, label: str) -> None:
    """From the review page's 'What you can do next', open the event's form."""
    page.locator("#next-steps ~ div").get_by_role("button", name=label, exact=True).click()
    page.wait_for_url(re.compile(r"/reviews/\d+/events/\w+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def submit_event(page: Page, label: str, stage: str) -> None:
    """Send the open event form; back on the review page, now at `stage`."""
    page.locator("main form").get_by_role("button", name=label, exact=True).click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"))
    expect(banner(page)).to_contain_text(f". The review is now at the stage '{stage}'.")
    expect(state_tag(page)).to_have_text(stage)


def send_event(page: Page, label: str, stage: str, **form: Any) -> None:
    open_event(page, label)
    fill_form(page, **form)
    submit_event(page, label, stage)


def back_to_review(page: Page, reference: str) -> None:
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=reference).click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"))


def write_document(page: Page, reference: str, label: str, markdown: str,
                   version: int) -> None:
    """From the review page: write a document in Markdown, save it, see it, go back."""
    page.get_by_role("link", name=re.compile(
        rf"^(Write or upload|Change) {label.lower()}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)  # a document's "#" is h2
    page.get_by_label("Text (Markdown)").fill(markdown)
    page.get_by_role("button", name="Save as a new version").click()
    expect(banner(page)).to_contain_text(f"{label} saved as version {version}.")
    expect(page.locator(".dhr-document h2").first).to_have_text(markdown.splitlines()[0][2:])
    back_to_review(page, reference)


def move_request(page: Page, action: str, status: str,
                 on_form: Callable[[Page], None] | None = None) -> None:
    """On the requests page: move the police IMR on (Record as submitted, Accept)."""
    page.get_by_role("link", name=re.compile(
        rf"^{action}\W+individual management review \(IMR\) from Police$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(action)
    if on_form is not None:
        on_form(page)
    page.locator("main form").get_by_role("button", name=action).click()
    page.wait_for_url(re.compile(r"/reviews/\d+/requests$"))
    expect(page.locator("main table .govuk-tag").first).to_have_text(status)


def timeline(page: Page) -> list[str]:
    return page.locator(".dhr-timeline__item h3").all_inner_texts()


@pytest.fixture
def new_tab(browser: Any) -> Iterator[Callable[[], Page]]:
    """new_tab() -> a tab in a browser context of its own (own cookies: another person)."""
    contexts = []

    def _open() -> Page:
        context = browser.new_context(bypass_csp=True, locale="en-GB")
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield _open
    for context in contexts:
        context.close()


# --- the journey --------------------------------------------------------------------------------

def test_a_review_from_notification_to_publication_in_the_browser(
        live_server, page, new_tab, make_user, check_accessibility, screenshot):
    base = live_server
    manager = make_user("csp_manager", csps=["Dacorum"], email="dan.price@herts.example")
    chair_user = make_user("chair", email="pat.chair@pool.example")
    chair_member(chair_user)  # trained, active, with room for more reviews
    member("Robin Untrained", trained=None)  # in the pool, but not eligible
    subgroup = make_user("subgroup_member", email="sam.qa@herts.example")
    practitioner = make_user("practitioner", email="pip.reader@herts.example")
    db.session.commit()
    checked: set[str] = set()

    def accessible(tab: Page, kind: str) -> None:
        """axe-core once per kind of page."""
        if kind not in checked:
            checked.add(kind)
            check_accessibility(tab)

    # --- The CSP manager records the police notification. ---------------------------------
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/sign-in"))
    accessible(page, "sign-in page")
    sign_in(page, base, manager)
    accessible(page, "dashboard")
    page.get_by_role("button", name="Record a notification").click()
    page.wait_for_url(f"{base}/reviews/new")
    accessible(page, "notification form")
    page.get_by_label("Community Safety Partnership").select_option(label="Dacorum")
    fill_form(page, {
        "Victim pseudonym": "Adult A",
        "Date of death": DIED.isoformat(),
        "Date the police notified the CSP": NOTIFIED.isoformat(),
        "Number of deceased aged 16 or over": "1",
        "Children under 16 in the household": "2",
        "Restricted identifying terms": f"{REAL_NAME}\n{ADDRESS}",
    }, ticks=("Police", "Housing", "GP/primary care"))
    page.get_by_label("Type of death").select_option(label="Intimate partner homicide")
    page.get_by_role("button", name="Record notification").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/reviews/\d+$"))
    review_url = page.url
    review_id = int(review_url.rsplit("/", 1)[1])
    reference = page.get_by_role("heading", level=1).inner_text().split(":")[0]
    assert reference == f"DHR-DACORUM-{NOTIFIED.year}-01"
    expect(state_tag(page)).to_have_text("Notified")
    assert stage_status(page, "Decide whether to hold a review") == "In progress"
    assert stage_status(page, "Appoint an independent chair") == "Cannot start yet"
    accessible(page, "review page")

    # --- Deciding to review: the form says what is missing first. ------------------------
    open_event(page, "Decide to hold a review")
    accessible(page, "event form")
    fill_form(page, {"Date of the decision": DECIDED.isoformat()})
    page.locator("main form").get_by_role("button", name="Decide to hold a review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Rationale for the decision not given",
        "Date the Home Office was informed not given"]
    accessible(page, "event form with errors")
    fill_form(page, {
        "Rationale for the decision": "Intimate partner homicide: the criteria of s.9 are met.",
        "Date the Home Office was informed of the decision": DECIDED.isoformat(),
    })
    submit_event(page, "Decide to hold a review", "Appointing a chair")
    assert stage_status(page, "Decide whether to hold a review") == "Completed"
    assert stage_status(page, "Appoint an independent chair") == "In progress"
    assert timeline(page)[-1] == "Decide to hold a review: Notified → Appointing a chair"

    # --- Appointing the chair: the ranked candidates, choose, confirm. ---------------------
    page.locator("#next-steps ~ div").get_by_role(
        "button", name="Appoint the independent chair").click()
    page.wait_for_url(f"{review_url}/chair-candidates")
    expect(page.locator("#eligible-candidates .govuk-summary-card")).to_have_count(1)
    expect(page.locator("#eligible-candidates")).to_contain_text(chair_user.name)
    expect(page.locator("#ineligible-candidates")).to_contain_text("Robin Untrained")
    accessible(page, "chair candidates")
    page.get_by_role("button", name=f"Choose {chair_user.name}").click()
    page.wait_for_url(re.compile(r"/events/appoint_chair\?chair_id=\d+$"))
    expect(page.locator("#appointment-summary")).to_contain_text(chair_user.name)
    accessible(page, "appoint chair form")
    submit_event(page, "Appoint the independent chair", "Panel and terms of reference")
    expect(detail(page, "Chair")).to_contain_text(chair_user.name)

    # --- The chair, in their own browser, writes and agrees the terms of reference. -------
    chair = new_tab()
    sign_in(chair, base, chair_user)
    chair.get_by_role("link", name=reference).click()  # the dashboard lists their review
    chair.wait_for_url(review_url)
    expect(state_tag(chair)).to_have_text("Panel and terms of reference")
    assert missing_before(chair, "agree_terms_of_reference") == [
        "Terms of reference document not uploaded"]
    assert "Before you can agree the terms of reference: terms of reference document not " \
        "uploaded." in chair.locator(".govuk-task-list").inner_text()
    write_document(chair, reference, "Terms of reference",
                   "# Terms of reference\n\nThe panel will examine:\n\n"
                   "* contact with the police and Housing\n* what the GP knew", 1)
    assert missing_before(chair, "agree_terms_of_reference") == []
    open_event(chair, "Agree the terms of reference")
    assert chair.locator("#missing-ahead").count() == 0
    fill_form(chair, {"Note on family contact": "Her sister was offered AAFDA advocacy."},
              ticks=("Police", "Housing", "GP/primary care", "Contact made"))
    submit_event(chair, "Agree the terms of reference", "Gathering information (IMRs)")
    assert missing_before(chair, "complete_information_gathering") == [
        "No agency has been asked for an IMR, chronology or short report yet"]

    # --- Agency requests: an IMR from the police, submitted and accepted. ----------------
    # The first thing to do now: ask the agencies (the lead step under "What you can do next").
    chair.locator("#next-steps ~ div").get_by_role(
        "button", name="Request information from an agency").first.click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(
        "Request information from an agency")
    accessible(chair, "request form")
    fill_form(chair, choose={"Agency": "Police"})
    chair.get_by_role("button", name="Record the request").click()
    chair.wait_for_url(f"{review_url}/requests")
    expect(banner(chair)).to_contain_text("Individual management review (IMR) requested from "
                                          "Police")
    accessible(chair, "requests page")
    move_request(chair, "Record as submitted", "Submitted",
                 on_form=lambda tab: accessible(tab, "request event form"))
    move_request(chair, "Accept", "Accepted")
    back_to_review(chair, reference)
    assert missing_before(chair, "complete_information_gathering") == []
    send_event(chair, "Complete information gathering", "Drafting the overview report")

    # --- The manager pauses the review for the criminal trial, then resumes it. -----------
    page.goto(review_url)
    send_event(page, "Pause the review", "Drafting the overview report",
               fields={"Date the review was paused": PAUSED.isoformat(),
                       "Expected end of the pause (optional)":
                           (TODAY + timedelta(days=30)).isoformat()},
               ticks=("Criminal trial",))
    expect(status_line(page)).to_contain_text("Paused: Criminal trial")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Nothing else can happen until the review is resumed, except replacing the chair")
    assert stage_status(page, "Draft the overview report") == "Paused"
    # The chair cannot submit the draft while the review is paused, and is told why.
    chair.goto(review_url)
    assert stage_status(chair, "Draft the overview report") == "Paused"
    assert chair.locator("#next-steps").count() == 0  # nothing the chair can do now
    chair.goto(f"{review_url}/events/submit_for_local_qa")
    expect(chair.locator(".govuk-error-summary")).to_contain_text(
        "The review is paused: resume it first")
    page.goto(review_url)
    send_event(page, "Resume the review", "Drafting the overview report")
    expect(detail(page, "Days paused")).to_have_text("10")
    assert stage_status(page, "Draft the overview report") == "In progress"

    # --- The chair drafts the report, the executive summary and the action plan. ----------
    chair.goto(review_url)
    assert missing_before(chair, "submit_for_local_qa") == [
        "Overview report not written or uploaded",
        "Executive summary not written or uploaded",
        "Action plan not written or uploaded",
        "Action plan has no recommendation yet"]
    write_document(chair, reference, "Overview report", f"# Overview report\n\n{REPORT}", 1)
    accessible(chair, "document page")
    # The chair's first summary names the victim: the anonymisation check will find it.
    write_document(chair, reference, "Executive summary",
                   f"# Executive summary\n\n{REPORT} {REAL_NAME} was 34.", 1)
    write_document(chair, reference, "Action plan",
                   "# Action plan\n\n| Recommendation | Owner |\n|---|---|\n"
                   "| 1.1 | Housing |", 1)
    chair.get_by_role("button", name="Add a recommendation").first.click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Add a recommendation")
    accessible(chair, "recommendation form")
    fill_form(chair, {
        "Number": "1.1",
        "Recommendation": "Housing should share concerns about domestic abuse with the MARAC.",
        "Owner": "Head of Housing",
    }, ticks=("Information sharing",), choose={"Agency responsible": "Housing"})
    chair.get_by_role("button", name="Add the recommendation").click()
    chair.wait_for_url(f"{review_url}/recommendations")
    expect(banner(chair)).to_contain_text("Recommendation 1.1 added.")
    expect(chair.locator("main table tbody tr")).to_contain_text("Housing should share")
    accessible(chair, "recommendations page")
    back_to_review(chair, reference)
    assert missing_before(chair, "submit_for_local_qa") == []

    subgroup_tab = new_tab()

    def local_qa_and_submission(round_: int) -> None:
        """Chair submits the draft, the sub-group approves it, the manager submits it."""
        chair.goto(review_url)
        send_event(chair, "Submit for local quality assurance", "Local quality assurance",
                   ticks=("Yes",))
        subgroup_tab.goto(review_url)
        expect(state_tag(subgroup_tab)).to_have_text("Local quality assurance")
        send_event(subgroup_tab, "Approve after local quality assurance",
                   "Ready for Home Office submission",
                   fields={"Comments (optional)": f"A clear report (round {round_})."})
        page.goto(review_url)
        assert stage_status(page, "Local quality assurance by the DHR sub-group") == "Completed"
        send_event(page, "Submit to the Home Office", "Home Office quality assurance",
                   fields={"Date the CSP chair signed off": TODAY.isoformat()})

    # --- Local QA by the sub-group member, in a browser of their own; submission. ---------
    sign_in(subgroup_tab, base, subgroup)
    local_qa_and_submission(1)

    # --- The Home Office asks for a resubmission: back to drafting. ----------------------
    send_event(page, "Record the Home Office outcome", "Drafting the overview report",
               fields={"Date of the Home Office letter": TODAY.isoformat(),
                       "The panel's points": "The analysis of the GP's contact is missing."},
               ticks=("Resubmit (the panel asks for a revised report)",))
    expect(detail(page, "Resubmissions")).to_have_text("1")
    chair.goto(review_url)
    expect(state_tag(chair)).to_have_text("Drafting the overview report")
    write_document(chair, reference, "Overview report",
                   f"# Overview report\n\n{REPORT} The GP saw her twice and did not ask.", 2)
    local_qa_and_submission(2)
    send_event(page, "Record the Home Office outcome", "Awaiting publication",
               fields={"Date of the Home Office letter": TODAY.isoformat(),
                       "The panel's points": "A thorough report."},
               ticks=("Approved for publication",))

    # --- Publication: the anonymisation check finds the name, the manager removes it. -----
    warnings = page.locator("#documents ~ .govuk-warning-text")
    expect(warnings).to_contain_text("Restricted identifying terms were found")
    assert missing_before(page, "publish") == [
        f'Anonymisation check: "{REAL_NAME}" appears in the executive summary (version 1)']
    open_event(page, "Publish the report")
    expect(page.locator("#missing-ahead")).to_contain_text(REAL_NAME)
    accessible(page, "event form with what is missing")
    page.get_by_role("link", name=f"Back to {reference}").click()
    page.wait_for_url(review_url)
    write_document(page, reference, "Executive summary",
                   f"# Executive summary\n\n{REPORT} Adult A was 34.", 2)
    expect(page.get_by_text("None of the restricted identifying terms appears")).to_be_visible()
    assert missing_before(page, "publish") == []
    send_event(page, "Publish the report", "Published",
               fields={"Web address of the published report":
                       "https://www.dacorum.gov.uk/dhr/adult-a",
                       "Date a copy was sent to the Domestic Abuse Commissioner":
                           TODAY.isoformat()})
    assert stage_status(page, "Publication") == "Completed"
    assert stage_status(page, "Monitor the action plan and close the review") == "In progress"
    screenshot(page, "review-published")

    # --- The timeline shows the whole story, the pause and the resubmission included. ----
    entries = timeline(page)
    assert "Pause the review" in entries and "Resume the review" in entries
    assert ("Record the Home Office outcome: Home Office quality assurance → "
            "Drafting the overview report") in entries
    assert ("Record the Home Office outcome: Home Office quality assurance → "
            "Awaiting publication") in entries
    assert entries.count("Submit to the Home Office: Ready for Home Office submission → "
                         "Home Office quality assurance") == 2
    pause = page.locator(".dhr-timeline__item").filter(has_text="Pause the review")
    expect(pause).to_contain_text("Criminal trial")
    resubmit = page.locator(".dhr-timeline__item").filter(
        has_text="Home Office quality assurance → Drafting the overview report")
    expect(resubmit).to_contain_text("Resubmit (the panel asks for a revised report)")
    expect(resubmit).to_contain_text("The analysis of the GP's contact is missing.")

    db.session.rollback()
    review = db.session.get(Review, review_id)
    assert (review.state, review.resubmissions, review.is_paused) == ("published", 1, False)
    assert review.published_url == "https://www.dacorum.gov.uk/dhr/adult-a"
    events = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.review_id == review_id,
                                        AuditEntry.action.like("event.%"))
        .order_by(AuditEntry.id)).all()
    assert [e.removeprefix("event.") for e in events] == [
        "decide_to_review", "appoint_chair", "agree_terms_of_reference",
        "complete_information_gathering", "pause", "resume",
        "submit_for_local_qa", "approve_local_qa", "submit_to_home_office", "record_ho_outcome",
        "submit_for_local_qa", "approve_local_qa", "submit_to_home_office", "record_ho_outcome",
        "publish"]
    db.session.rollback()  # end the test's read transaction before the server writes again

    # --- A practitioner reads the published report, and no identifying term. -------------
    reader = new_tab()
    sign_in(reader, base, practitioner, home="/search")  # search is a practitioner's home
    reader.get_by_label("Words or a phrase").fill(reference)
    reader.get_by_role("button", name="Search", exact=True).click()
    reader.get_by_role("link", name=f"Adult A: {reference}", exact=True).click()
    reader.wait_for_url(f"{review_url}/published")
    reader.goto(review_url)
    expect(state_tag(reader)).to_have_text("Published")
    assert reader.locator("#stages, #history, #next-steps").count() == 0
    accessible(reader, "review page for a practitioner")
    reader.get_by_role("link", name="Read the executive summary, overview report and "
                                    "recommendations").click()
    reader.wait_for_url(f"{review_url}/published")
    expect(reader.locator("#executive_summary + .dhr-document")).to_contain_text(
        "Adult A was 34.")
    expect(reader.locator("main")).to_contain_text("Housing should share concerns")
    accessible(reader, "published report")
    for tab_text in (reader.locator("body").inner_text(), reader.content()):
        assert REAL_NAME not in tab_text and ADDRESS not in tab_text
    reader.goto(review_url)
    assert REAL_NAME not in reader.content() and ADDRESS not in reader.content()
