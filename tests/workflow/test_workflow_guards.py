"""Each guard refuses when its condition is missing and says what is missing in words; event
data is checked (types, unknown fields, dates); refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dhr.extensions import db
from dhr.models import AuditEntry, HoAmendment, PoolMember, Review
from dhr.models.pool import ConflictOfInterest
from dhr.workflow.agency_requests import create_request, send_request_event
from dhr.workflow.documents import save_markdown
from learning.recommendations import close, complete
from tests.support.workflow import (
    TODAY,
    accepted_request,
    pool_member,
    put_in_state,
    recommendation,
    valid_data,
    write_documents,
)


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def manager(api_as):
    return api_as("csp_manager", csps=["Dacorum"])


@pytest.fixture
def review_in(make_review, admin):
    """review_in(state, review_items=True, **fields) -> a Dacorum review set up in `state`."""

    def _make(state: str, review_items: bool = True, **fields) -> Review:
        review = make_review(**fields)
        return put_in_state(review, state, admin, chair=pool_member(), review_items=review_items)

    return _make


def send(api, review, event, data=None, **extra):
    body = {"event": event, "data": valid_data(event) if data is None else data, **extra}
    return api.post(f"/reviews/{review.id}/transitions", body)


def missing_of(response) -> list[str]:
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "guard_failed"
    return response.json["error"]["details"]["missing"]


def unchanged(review: Review, state: str) -> bool:
    db.session.expire_all()
    fresh = db.session.get(Review, review.id)
    events = db.session.query(AuditEntry).filter(AuditEntry.review_id == review.id,
                                                 AuditEntry.action.like("event.%")).count()
    return fresh.state == state and events == 0


def without(event: str, *names: str) -> dict:
    return {k: v for k, v in valid_data(event).items() if k not in names}


# --- the decision and the no-review branch ----------------------------------------------------

def test_decision_needs_date_rationale_and_home_office_date(manager, review_in):
    review = review_in("notified")
    assert missing_of(send(manager, review, "decide_to_review", {})) == [
        "date of the decision not given", "rationale for the decision not given",
        "date the Home Office was informed not given"]
    assert missing_of(send(manager, review, "decide_not_to_review",
                           without("decide_not_to_review", "rationale"))) == [
        "rationale for the decision not given"]
    assert unchanged(review, "notified")


def test_blank_rationale_counts_as_missing(manager, review_in):
    review = review_in("notified")
    data = {**valid_data("decide_to_review"), "rationale": "   "}
    assert missing_of(send(manager, review, "decide_to_review", data)) == [
        "rationale for the decision not given"]


def test_the_home_office_letter_and_direction_dates(manager, review_in):
    review = review_in("no_review_ho_scrutiny")
    assert missing_of(send(manager, review, "ho_accepts_no_review", {})) == [
        "date of the Home Office letter not given"]
    assert missing_of(send(manager, review, "ho_directs_review", {})) == [
        "date the Home Office directed a review not given"]
    response = send(manager, review, "ho_directs_review", {"direction_date": "2024-05-31"})
    assert response.status_code == 200, response.json
    assert response.json["directed"] is True
    assert response.json["state"] == "chair_appointment"
    # The six months run from the direction: 31 May + 6 months = 30 November.
    assert response.json["statutory_due"] == "2024-11-30"


# --- the chair ----------------------------------------------------------------------------------

def test_appointing_needs_a_chair_from_the_pool(manager, review_in):
    review = review_in("chair_appointment")
    assert missing_of(send(manager, review, "appoint_chair", {})) == ["chair not chosen"]
    assert missing_of(send(manager, review, "appoint_chair", {"chair_id": 99999})) == [
        "the chosen chair is not in the pool"]


def test_an_untrained_inactive_chair_is_refused_with_the_pool_reasons(manager, review_in):
    review = review_in("chair_appointment")
    member = pool_member(name="Sam Untrained")
    member.training.clear()
    member.is_active = False
    db.session.commit()
    missing = missing_of(send(manager, review, "appoint_chair", {"chair_id": member.id}))
    assert all(m.startswith("Sam Untrained cannot be appointed as chair: ") for m in missing)
    assert any("training" in m for m in missing)
    assert any("inactive" in m for m in missing)
    assert unchanged(review, "chair_appointment")


def test_a_chair_with_a_conflict_of_interest_is_refused(manager, review_in):
    review = review_in("chair_appointment")  # police and housing are in scope
    member = pool_member(name="Ex Police")
    member.conflicts.append(ConflictOfInterest(agency="police", note="Detective until 2019"))
    db.session.commit()
    [reason] = missing_of(send(manager, review, "appoint_chair", {"chair_id": member.id}))
    assert "conflict of interest" in reason and "Police" in reason


def test_a_chair_at_capacity_is_refused_and_a_report_writer_is_checked_too(
        manager, review_in):
    busy = pool_member(name="Busy Chair", capacity=1)
    first = review_in("chair_appointment")
    assert send(manager, first, "appoint_chair", {"chair_id": busy.id}).status_code == 200
    second = review_in("chair_appointment")
    writer = pool_member(name="Writer", roles=("chair",))  # not a report writer
    missing = missing_of(send(manager, second, "appoint_chair",
                              {"chair_id": busy.id, "report_writer_id": writer.id}))
    assert any(m.startswith("Busy Chair cannot be appointed as chair: at capacity")
               for m in missing)
    assert any(m.startswith("Writer cannot be appointed as report writer") for m in missing)


def test_appointment_records_chair_and_report_writer(manager, review_in):
    review = review_in("chair_appointment")
    chair, writer = pool_member(name="C One"), pool_member(name="W Two")
    db.session.commit()
    response = send(manager, review, "appoint_chair",
                    {"chair_id": chair.id, "report_writer_id": writer.id,
                     "appointed_date": "2024-03-04"})
    assert response.status_code == 200, response.json
    assert response.json["chair"]["name"] == "C One"
    assert response.json["report_writer"]["name"] == "W Two"
    db.session.expire_all()
    assert db.session.get(Review, review.id).chair_appointed_date == date(2024, 3, 4)


# --- panel, information, drafting -------------------------------------------------------------

def test_terms_of_reference_needs_the_document_a_panel_and_family_contact(manager, review_in):
    review = review_in("panel_and_scope", review_items=False)
    assert manager.get(f"/reviews/{review.id}/transitions").json["events"][0] == {
        "event": "agree_terms_of_reference", "label": "Agree the terms of reference",
        "allowed": False, "missing": ["terms of reference document not uploaded"]}
    assert missing_of(send(manager, review, "agree_terms_of_reference", {})) == [
        "terms of reference document not uploaded", "no agency recorded on the review panel",
        "contact with the family not recorded"]
    declined = {"panel_agencies": ["police"], "family_contact": "declined"}
    assert missing_of(send(manager, review, "agree_terms_of_reference", declined)) == [
        "terms of reference document not uploaded",
        "note on why contact with the family declined not given"]


def test_terms_of_reference_agreed_records_panel_and_family_contact(manager, review_in):
    review = review_in("panel_and_scope")
    data = {"panel_agencies": ["Police", "housing", ""], "family_contact": "not_possible",
            "family_contact_note": "No known next of kin."}
    response = send(manager, review, "agree_terms_of_reference", data)
    assert response.status_code == 200, response.json
    db.session.expire_all()
    fresh = db.session.get(Review, review.id)
    assert fresh.panel_agencies == ["police", "housing"]
    assert (fresh.family_contact, fresh.tor_agreed_date) == ("not_possible", TODAY)


def test_unknown_panel_agency_is_a_field_error(manager, review_in):
    review = review_in("panel_and_scope")
    response = send(manager, review, "agree_terms_of_reference",
                    {"panel_agencies": ["Ministry of Magic"], "family_contact": "made"})
    assert response.status_code == 400
    assert "Ministry of Magic" in response.json["error"]["details"]["panel_agencies"]
    assert unchanged(review, "panel_and_scope")


def test_information_gathering_needs_every_request_settled(manager, review_in, admin):
    review = review_in("information_gathering", review_items=False)
    assert missing_of(send(manager, review, "complete_information_gathering")) == [
        "no agency has been asked for an IMR, chronology or short report yet"]
    housing = create_request(review, admin, agency="housing", kind="imr")
    db.session.commit()
    assert missing_of(send(manager, review, "complete_information_gathering")) == [
        "IMR from Housing not yet accepted (still awaited from the agency)",
        "no agency's IMR, chronology or short report has been accepted yet"]
    send_request_event(housing, admin, "waive", {"reason": "No contact with the family."})
    db.session.commit()
    assert missing_of(send(manager, review, "complete_information_gathering")) == [
        "no agency's IMR, chronology or short report has been accepted yet"]
    accepted_request(review, admin, agency="police")
    db.session.commit()
    response = send(manager, review, "complete_information_gathering")
    assert response.status_code == 200, response.json
    assert response.json["state"] == "drafting"


def test_submitting_for_local_qa_needs_the_reports_a_recommendation_and_the_family(
        manager, review_in, admin):
    review = review_in("drafting", review_items=False)
    assert missing_of(send(manager, review, "submit_for_local_qa", {})) == [
        "overview report not written or uploaded",
        "executive summary not written or uploaded",
        "action plan not written or uploaded",
        "action plan has no recommendation yet",
        "whether the family was consulted on the draft report not recorded"]
    write_documents(review, admin, ("overview_report", "executive_summary", "action_plan"))
    recommendation(review, admin, "3.2")
    db.session.commit()
    assert missing_of(send(manager, review, "submit_for_local_qa",
                           {"family_consulted_on_draft": False})) == [
        "note on why the family was not consulted on the draft not given"]
    response = send(manager, review, "submit_for_local_qa",
                    {"family_consulted_on_draft": False,
                     "family_note": "The family asked not to see the draft."})
    assert response.status_code == 200, response.json


def test_returning_from_local_qa_needs_comments(api_as, review_in):
    subgroup = api_as("subgroup_member")
    review = review_in("local_qa")
    assert missing_of(send(subgroup, review, "return_from_local_qa", {})) == [
        "comments on what must change not given"]
    response = send(subgroup, review, "return_from_local_qa")
    assert response.json["state"] == "drafting"


# --- the Home Office ----------------------------------------------------------------------------

def test_submission_needs_the_csp_sign_off_and_records_the_versions(manager, review_in):
    review = review_in("ready_for_submission")
    assert missing_of(send(manager, review, "submit_to_home_office", {})) == [
        "date the CSP chair signed off the report not given"]
    late = send(manager, review, "submit_to_home_office",
                {"date": "2025-01-01", "csp_signoff_date": "2025-01-02"})
    assert late.status_code == 400
    response = send(manager, review, "submit_to_home_office",
                    {"date": "2025-01-03", "csp_signoff_date": "2025-01-02"})
    assert response.status_code == 200, response.json
    event = response.json["history"][-1]
    assert event["data"]["documents"] == {"overview_report": 1, "executive_summary": 1,
                                          "action_plan": 1}
    assert response.json["completion_overdue"] is False  # submission stops the clock


def test_the_home_office_outcome_needs_outcome_letter_and_points(manager, review_in):
    review = review_in("home_office_qa")
    assert missing_of(send(manager, review, "record_ho_outcome", {})) == [
        "outcome of the Home Office panel not chosen",
        "date of the Home Office letter not given",
        "the panel's points from the Home Office letter not given"]
    wrong = send(manager, review, "record_ho_outcome", {**valid_data("record_ho_outcome"),
                                                        "outcome": "rejected"})
    assert wrong.status_code == 400 and "outcome" in wrong.json["error"]["details"]


def test_amendments_must_be_done_and_the_report_revised(manager, review_in, admin):
    review = review_in("home_office_qa")
    data = valid_data("record_ho_outcome", outcome="approved_subject_to_amendments")
    data["points"] = ["Remove the street name from paragraph 2.3.", "Add the GP's view."]
    response = send(manager, review, "record_ho_outcome", data)
    assert response.json["state"] == "ho_amendments"
    listed = manager.get(f"/reviews/{review.id}/amendments").json["items"]
    assert [(a["number"], a["done"]) for a in listed] == [(1, False), (2, False)]
    assert missing_of(send(manager, review, "complete_amendments")) == [
        "amendment 1 is not yet done (Remove the street name from paragraph 2.3.)",
        "amendment 2 is not yet done (Add the GP's view.)",
        "no new version of the overview report or executive summary since the Home Office "
        "letter"]
    for item in listed:
        done = manager.post(f"/reviews/{review.id}/amendments/{item['id']}/done", {})
        assert done.status_code == 200 and done.json["done"] is True
    again = manager.post(f"/reviews/{review.id}/amendments/{listed[0]['id']}/done", {})
    assert again.status_code == 409
    assert missing_of(send(manager, review, "complete_amendments")) == [
        "no new version of the overview report or executive summary since the Home Office "
        "letter"]
    save_markdown(review, "executive_summary", "# Executive summary\n\nRevised.", admin)
    db.session.commit()
    assert send(manager, review, "complete_amendments").json["state"] == "publication_pending"


def test_only_those_who_complete_amendments_may_mark_them(api_as, review_in):
    review = review_in("ho_amendments")
    amendment = db.session.query(HoAmendment).filter_by(review_id=review.id).one()
    amendment.is_done, amendment.done_date = False, None
    db.session.commit()
    path = f"/reviews/{review.id}/amendments/{amendment.id}/done"
    assert api_as("subgroup_member").post(path, {}).status_code == 403
    assert api_as("csp_manager", csps=["Watford"]).post(path, {}).status_code == 404
    assert api_as("csp_manager").post(f"/reviews/{review.id}/amendments/999/done",
                                      {}).status_code == 404
    future = api_as("csp_manager").post(path, {"date": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 400


# --- publication and closing -------------------------------------------------------------------

def test_publication_needs_address_copy_to_the_commissioner_and_a_clean_report(
        manager, review_in, admin):
    review = review_in("publication_pending")
    assert missing_of(send(manager, review, "publish", {})) == [
        "web address of the published report not given",
        "date a copy was sent to the Domestic Abuse Commissioner not given"]
    save_markdown(review, "executive_summary", "Jane Realname lived at 12 ORCHARD CLOSE.", admin)
    db.session.commit()
    missing = missing_of(send(manager, review, "publish"))
    assert missing == [
        'anonymisation check: "Jane Realname" appears in the executive summary (version 2)',
        'anonymisation check: "12 Orchard Close" appears in the executive summary (version 2)']
    options = manager.get(f"/reviews/{review.id}/transitions").json["events"]
    assert {o["event"]: o["allowed"] for o in options}["publish"] is False
    bad_url = send(manager, review, "publish", {**valid_data("publish"), "url": "not a url"})
    assert bad_url.status_code == 400 and "url" in bad_url.json["error"]["details"]


def test_withholding_needs_a_reason_and_is_published_withheld(manager, review_in, api_as):
    review = review_in("publication_pending")
    assert missing_of(send(manager, review, "withhold_publication", {})) == [
        "reason for withholding publication not given",
        "date a copy was sent to the Domestic Abuse Commissioner not given"]
    response = send(manager, review, "withhold_publication")
    assert (response.json["state"], response.json["withheld"]) == ("published", True)
    # Withheld: never shown to practitioners.
    assert api_as("practitioner").get(f"/reviews/{review.id}").status_code == 404


def test_closing_needs_every_recommendation_completed_or_closed(api_as, make_review, admin):
    review = make_review()
    first, second = recommendation(review, admin, "3.2"), recommendation(review, admin, "3.10")
    put_in_state(review, "published", admin, review_items=False)
    subgroup = api_as("subgroup_member")
    assert missing_of(send(subgroup, review, "close_review")) == [
        "recommendation 3.2 is still open", "recommendation 3.10 is still open"]
    complete(first, admin, {"evidence": "Routine enquiry training delivered."})
    close(second, admin, {"reason": "superseded", "note": "Replaced by the county plan."})
    db.session.commit()
    response = send(subgroup, review, "close_review")
    assert response.json["state"] == "closed"


def test_pause_and_withdraw_need_reasons(manager, api_as, review_in):
    review = review_in("drafting")
    assert missing_of(send(manager, review, "pause", {})) == ["reason for the pause not chosen"]
    assert missing_of(send(api_as("coordinator"), review, "withdraw", {})) == [
        "reason for withdrawing the review not given"]


# --- data that is wrong, not missing -----------------------------------------------------------

@pytest.mark.parametrize(("data", "field", "message"), [
    ({"decision_date": "2024-02-30"}, "decision_date", "must be a real date"),
    ({"decision_date": 20240220}, "decision_date", "must be a real date"),
    ({"decision_date": (TODAY + timedelta(days=1)).isoformat()}, "decision_date",
     "must not be in the future"),
    ({"decision_date": "2024-02-01"}, "decision_date",
     "must not be before the police notification"),
    ({"rationale": ["a"]}, "rationale", "valid string"),
    ({"colour": "blue"}, "colour", "is not part of the data of decide_to_review"),
])
def test_malformed_data_is_a_400_naming_the_field(manager, review_in, data, field, message):
    review = review_in("notified")
    response = send(manager, review, "decide_to_review", {**valid_data("decide_to_review"),
                                                          **data})
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert message in response.json["error"]["details"][field]
    assert unchanged(review, "notified")


def test_json_types_are_strict(manager, review_in):
    review = review_in("drafting")
    response = send(manager, review, "submit_for_local_qa", {"family_consulted_on_draft": "yes"})
    assert response.status_code == 400
    assert "family_consulted_on_draft" in response.json["error"]["details"]


@pytest.mark.parametrize("body", [
    {"event": "decide_to_review", "data": "2024-02-20"},
    {"event": "make_tea", "data": {}},
    {"data": {}},
    {"event": "decide_to_review", "data": {}, "expected_version": "1"},
    {"event": "decide_to_review", "data": {}, "colour": "blue"},
])
def test_a_bad_request_body_is_a_400(manager, review_in, body):
    review = review_in("notified")
    response = manager.post(f"/reviews/{review.id}/transitions", body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"


def test_unknown_event_names_the_events(manager, review_in):
    review = review_in("notified")
    response = manager.post(f"/reviews/{review.id}/transitions", {"event": "make_tea"})
    assert "decide_to_review" in response.json["error"]["details"]["event"]


def test_a_review_the_caller_cannot_see_is_404_before_anything_else(api_as, review_in):
    review = review_in("notified")
    other = api_as("csp_manager", csps=["Watford"])
    assert other.post(f"/reviews/{review.id}/transitions", {"event": "make_tea"}).status_code \
        == 404
    assert other.get(f"/reviews/{review.id}/transitions").status_code == 404
    assert other.post("/reviews/99999/transitions", {"event": "pause"}).status_code == 404


def test_a_chair_who_is_only_the_report_writer_may_not_send_chair_events(
        api_as, make_user, review_in):
    user = make_user("chair")
    review = review_in("panel_and_scope")
    review.report_writer = db.session.query(PoolMember).filter_by(user_id=user.id).one()
    db.session.commit()
    api = api_as(user)
    assert api.get(f"/reviews/{review.id}").status_code == 200
    response = send(api, review, "agree_terms_of_reference")
    assert response.status_code == 403
    assert "only the chair appointed to this review" in response.json["error"]["message"]
    assert api.get(f"/reviews/{review.id}/transitions").json["events"] == []
