"""The review page (task list, what is missing, history) and the event forms for people."""

from __future__ import annotations

import html
import re

import pytest

from dhr.extensions import db
from dhr.models import HoAmendment, PoolMember, Review
from dhr.workflow.engine import send_event
from tests.conftest import sign_in
from tests.support.workflow import TODAY, pool_member, put_in_state, valid_data


def words(response) -> str:
    """The page's main text as a reader sees it."""
    body = response.get_data(as_text=True)
    main = body[body.index("<main"):body.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def review_in(make_review, admin):
    def _make(state: str, review_items: bool = True, chair: PoolMember | None = None,
              **fields) -> Review:
        return put_in_state(make_review(**fields), state, admin,
                            chair=chair or pool_member(), review_items=review_items)

    return _make


@pytest.fixture
def as_role(client, make_user):
    """as_role(role, **kw) -> the user, signed in on the client."""

    def _as(role: str, **kw):
        user = make_user(role, **kw)
        client.post("/sign-out")
        assert sign_in(client, user).status_code in {302, 303}
        return user

    return _as


def fresh(review: Review) -> Review:
    db.session.expire_all()
    return db.session.get(Review, review.id)


def form_url(review: Review, event: str) -> str:
    return f"/reviews/{review.id}/events/{event}"


# --- the review page ------------------------------------------------------------------------

def test_the_task_list_shows_done_in_progress_overdue_and_not_yet(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("panel_and_scope", review_items=False)
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Decide whether to hold a review Completed" in text
    assert "Appoint an independent chair Completed" in text
    # Decided in February 2024: six months are long gone, and the page says so.
    assert ("Convene the panel and agree the terms of reference Before you can agree the "
            "terms of reference: terms of reference document not uploaded. Overdue") in text
    assert "Gather information from agencies (IMRs, chronologies) Cannot start yet" in text
    assert "Before you can do this: Terms of reference document not uploaded" in text
    assert "Home Office scrutiny" not in text  # not on this branch


def test_the_no_review_branch_and_a_withdrawn_review(client, as_role, review_in, make_user):
    as_role("coordinator")
    review = review_in("no_review_ho_scrutiny")
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Decide whether to hold a review Completed" in text
    assert "Home Office scrutiny of the decision not to review" in text
    assert "Appoint an independent chair" not in text
    response = client.post(form_url(review, "withdraw"),
                           data={"reason": "Merged into a joint review.",
                                 "expected_version": str(review.lock_version)})
    assert response.status_code == 303
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Withdrawn on" in text and "Merged into a joint review." in text
    assert "Home Office scrutiny of the decision not to review Withdrawn" in text


def test_the_history_shows_who_did_what_and_the_data(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("notified")
    client.post(form_url(review, "decide_to_review"), data={
        "decision_date": "2024-02-20", "rationale": "The criteria of s.9 are met.",
        "ho_informed_date": "2024-02-21", "expected_version": "1"})
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Decide to hold a review: Notified → Appointing a chair" in text
    assert "by Test csp_manager" in text
    assert "Date of the decision 20 February 2024" in text
    assert "Rationale for the decision The criteria of s.9 are met." in text


def test_a_practitioner_sees_no_task_list_or_history(client, as_role, review_in):
    review = review_in("published")
    as_role("practitioner")
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Stages" not in text and "History" not in text and "What you can do" not in text


# --- the forms, per role ----------------------------------------------------------------------

def test_csp_manager_decides_through_the_form(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("notified")
    page = client.get(form_url(review, "decide_to_review"))
    assert page.status_code == 200
    assert 'name="decision_date-day"' in page.text and "Rationale for the decision" in page.text
    missing = client.post(form_url(review, "decide_to_review"),
                          data={"decision_date": "2024-02-20", "expected_version": "1"})
    assert missing.status_code == 422
    text = words(missing)
    assert "There is a problem" in text
    assert '<a href="#rationale">Rationale for the decision not given</a>' in missing.text
    assert ('<a href="#ho_informed_date-day">Date the Home Office was informed not given</a>'
            in missing.text)
    assert missing.text.count("Rationale for the decision not given") == 2  # summary, field
    assert fresh(review).state == "notified"
    done = client.post(form_url(review, "decide_to_review"), data={
        "decision_date": "2024-02-20", "rationale": "Meets s.9.",
        "ho_informed_date": "2024-02-21", "expected_version": "1"})
    assert done.status_code == 303
    assert fresh(review).state == "chair_appointment"
    assert "The review is now at the stage 'Appointing a chair'" in words(
        client.get(done.headers["Location"]))


def test_the_appoint_chair_form_lists_the_candidates(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("chair_appointment")
    member = pool_member(name="Alex Eligible")
    db.session.commit()
    page = client.get(form_url(review, "appoint_chair"))
    text = words(page)
    assert "Chair" in text and "Report writer (optional)" in text
    assert f'<option value="{member.id}">Alex Eligible (0 of 50 current reviews)</option>' \
        in page.text
    assert f'href="/reviews/{review.id}/chair-candidates"' in page.text  # why others cannot
    response = client.post(form_url(review, "appoint_chair"), data={
        "chair_id": str(member.id), "report_writer_id": "", "appointed_date": "2024-03-01",
        "expected_version": str(review.lock_version)})
    assert response.status_code == 303, words(response)
    assert fresh(review).chair_id == member.id


def test_the_appointed_chair_agrees_the_terms_of_reference(client, make_user, review_in):
    user = make_user("chair")
    member = db.session.query(PoolMember).filter_by(user_id=user.id).one()
    review = review_in("panel_and_scope", chair=member)
    sign_in(client, user)
    page = client.get(form_url(review, "agree_terms_of_reference"))
    assert page.status_code == 200
    assert 'type="checkbox"' in page.text and 'value="police"' in page.text
    response = client.post(form_url(review, "agree_terms_of_reference"), data={
        "panel_agencies": ["police", "housing"], "family_contact": "declined",
        "expected_version": str(review.lock_version)})
    assert response.status_code == 422
    assert "Note on why contact with the family declined not given" in words(response)
    response = client.post(form_url(review, "agree_terms_of_reference"), data={
        "panel_agencies": ["police", "housing"], "family_contact": "declined",
        "family_contact_note": "The family asked for no contact.",
        "expected_version": str(review.lock_version)})
    assert response.status_code == 303
    assert fresh(review).panel_agencies == ["police", "housing"]


def test_the_sub_group_returns_and_approves_through_the_form(client, as_role, review_in):
    as_role("subgroup_member")
    review = review_in("local_qa")
    empty = client.post(form_url(review, "return_from_local_qa"),
                        data={"expected_version": str(review.lock_version)})
    assert empty.status_code == 422
    assert "Comments on what must change not given" in words(empty)
    back = client.post(form_url(review, "return_from_local_qa"), data={
        "comments": "Add the housing chronology.", "expected_version": str(review.lock_version)})
    assert back.status_code == 303 and fresh(review).state == "drafting"
    second = review_in("local_qa")
    ok = client.post(form_url(second, "approve_local_qa"),
                     data={"expected_version": str(second.lock_version)})
    assert ok.status_code == 303 and fresh(second).state == "ready_for_submission"


def test_yes_no_and_lines_one_per_line(client, as_role, review_in):
    as_role("csp_manager")
    drafting = review_in("drafting")
    response = client.post(form_url(drafting, "submit_for_local_qa"), data={
        "family_consulted_on_draft": "yes", "expected_version": str(drafting.lock_version)})
    assert response.status_code == 303
    assert fresh(drafting).is_family_consulted_on_draft is True
    review = review_in("home_office_qa")
    response = client.post(form_url(review, "record_ho_outcome"), data={
        "outcome": "approved_subject_to_amendments", "letter_date": TODAY.isoformat(),
        "points": "Remove the street name.\r\n\r\n  Use the pseudonym throughout.  \r\n",
        "expected_version": str(review.lock_version)})
    assert response.status_code == 303, words(response)
    amendments = db.session.query(HoAmendment).filter_by(review_id=review.id) \
        .order_by(HoAmendment.number).all()
    assert [a.text for a in amendments] == ["Remove the street name.",
                                            "Use the pseudonym throughout."]


def test_amendments_are_marked_done_from_the_review_page(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("ho_amendments")
    amendment = db.session.query(HoAmendment).filter_by(review_id=review.id).one()
    amendment.is_done, amendment.done_date = False, None
    db.session.commit()
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Remove the street name. Mark as done" in text
    assert "Amendment 1 is not yet done (Remove the street name.)" in text
    response = client.post(f"/reviews/{review.id}/amendments/{amendment.id}/done")
    assert response.status_code == 303
    text = words(client.get(response.headers["Location"]))
    assert "Amendment 1 marked as done." in text
    assert "Ready: complete the Home Office amendments." in text


def test_pause_and_resume_through_the_forms(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("information_gathering")
    page = client.get(form_url(review, "pause"))
    assert "Criminal trial" in page.text and "IOPC investigation" in page.text
    response = client.post(form_url(review, "pause"), data={
        "reason": "inquest", "date": "2024-06-01", "expected_version": str(review.lock_version)})
    assert response.status_code == 303
    text = words(client.get(f"/reviews/{review.id}"))
    assert "Paused since 1 June 2024 (Inquest)" in text
    assert "Reason for the pause Inquest" in text  # the history names the choice, not its code
    assert "Gather information from agencies (IMRs, chronologies) Ready: resume the review. " \
           "Paused" in text
    blocked = client.get(form_url(review, "complete_information_gathering"))
    assert blocked.status_code == 409
    assert "The review is paused: resume it first" in words(blocked)
    resumed = client.post(form_url(review, "resume"), data={
        "date": "2024-06-11", "expected_version": str(fresh(review).lock_version)})
    assert resumed.status_code == 303
    assert fresh(review).paused_days == 10


def test_a_date_that_is_not_a_date_or_in_the_future(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("notified")
    bad = client.post(form_url(review, "decide_to_review"), data={
        "decision_date": "2024-02-30", "rationale": "x", "ho_informed_date": "2024-02-21",
        "expected_version": "1"})
    assert bad.status_code == 400
    assert "Date of the decision must be a real date" in words(bad)
    future = client.post(form_url(review, "decide_to_review"), data={
        "decision_date": "2099-01-01", "rationale": "x", "ho_informed_date": "2024-02-21",
        "expected_version": "1"})
    assert future.status_code == 400
    assert "Date of the decision must be today or in the past" in words(future)
    assert fresh(review).state == "notified"


def test_someone_else_moved_the_review_first(client, as_role, review_in, make_user):
    as_role("csp_manager")
    review = review_in("notified")
    stale_version = str(review.lock_version)
    other = make_user("csp_manager")
    send_event(review, other, "decide_not_to_review", valid_data("decide_not_to_review"))
    db.session.commit()
    response = client.post(form_url(review, "decide_to_review"), data={
        "decision_date": "2024-02-20", "rationale": "Meets s.9.",
        "ho_informed_date": "2024-02-21", "expected_version": stale_version})
    assert response.status_code == 409
    text = words(response)
    assert "Someone else changed this review while you were filling in the form" in text
    assert "Decision not to review: Home Office scrutiny" in text
    assert fresh(review).state == "no_review_ho_scrutiny"


def test_an_event_not_possible_now_is_explained(client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("notified")
    page = client.get(form_url(review, "publish"))
    assert page.status_code == 409
    assert "This cannot be done while the review is at the stage 'Notified'" in words(page)
    response = client.post(form_url(review, "publish"), data={
        "url": "https://example.gov.uk/x", "expected_version": "1"})
    assert response.status_code == 409
    assert fresh(review).state == "notified"


@pytest.mark.parametrize(("role", "kw", "state", "event", "status"), [
    ("practitioner", {}, "published", "close_review", 403),
    ("practitioner", {}, "drafting", "submit_for_local_qa", 404),
    ("csp_manager", {"csps": ["Watford"]}, "notified", "decide_to_review", 404),
    ("csp_manager", {}, "local_qa", "approve_local_qa", 403),
    ("csp_manager", {}, "drafting", "withdraw", 403),
    ("subgroup_member", {}, "notified", "decide_to_review", 403),
    ("subgroup_member", {"area": "Herefordshire"}, "local_qa", "approve_local_qa", 404),
    ("chair", {}, "drafting", "submit_for_local_qa", 404),  # not this review's chair
    ("coordinator", {"area": "Herefordshire"}, "notified", "withdraw", 404),
])
def test_roles_that_may_not_send_are_refused(client, as_role, review_in, role, kw, state,
                                             event, status):
    review = review_in(state)
    as_role(role, **kw)
    assert client.get(form_url(review, event)).status_code == status
    assert client.post(form_url(review, event), data={"expected_version": "1"}).status_code \
        == status
    assert fresh(review).state == state


def test_the_appointed_chair_may_not_send_the_managers_events(client, make_user, review_in):
    user = make_user("chair")
    member = db.session.query(PoolMember).filter_by(user_id=user.id).one()
    review = review_in("drafting", chair=member)
    sign_in(client, user)
    assert client.get(form_url(review, "pause")).status_code == 403
    assert client.get(form_url(review, "submit_for_local_qa")).status_code == 200
    assert client.get(form_url(review, "no_such_event")).status_code == 404


def test_the_forms_need_the_csrf_token(app, client, as_role, review_in):
    as_role("csp_manager")
    review = review_in("drafting")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(form_url(review, "pause"), data={
        "reason": "inquest", "expected_version": str(review.lock_version)})
    assert response.status_code == 400
    assert not fresh(review).is_paused
    page = client.get(form_url(review, "pause"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token, "the form carries a CSRF token"
    response = client.post(form_url(review, "pause"), data={
        "reason": "inquest", "csrf_token": token.group(1),
        "expected_version": str(review.lock_version)})
    assert response.status_code == 303
    assert fresh(review).is_paused
