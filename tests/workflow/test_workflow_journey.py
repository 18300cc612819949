"""A review from police notification to closure through the JSON API alone, the way an
integration would drive it: one resubmission, one pause, documents, agency requests and
recommendations through their own endpoints, each step by the role that does it."""

from __future__ import annotations

from datetime import timedelta

from dhr.extensions import db
from dhr.models import Notification
from tests.support.workflow import TODAY

NOTIFICATION = {
    "csp": "Dacorum", "victim_pseudonym": "Adult A", "date_of_death": "2024-01-31",
    "notification_date": "2024-02-02", "death_type": "intimate_partner_homicide",
    "review_type": "full", "deceased_16_plus": 1, "children_under_16": 2,
    "agencies": ["police", "housing", "gp_primary_care"],
    "identifying_terms": ["Jane Realname", "12 Orchard Close"],
}
REPORT = ("Adult A had contact with the police, her GP and Housing in the two years before "
          "her death. Agencies did not share what they knew.")


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def test_from_notification_to_closure(api_as, make_user):
    manager = api_as("csp_manager", csps=["Dacorum"])
    coordinator = api_as("coordinator")
    subgroup = api_as("subgroup_member")
    chair_user = make_user("chair", email="pat.chair@pool.example")
    chair = api_as(chair_user)

    def event(api, name, data=None, status=200, **extra):
        body = {"event": name, "data": data or {}, **extra}
        return ok(api.post(f"/reviews/{rid}/transitions", body), status)

    def put(api, kind, text):
        response = api.put(f"/reviews/{rid}/documents/{kind}",
                           {"format": "markdown", "body": text})
        assert response.status_code in {200, 201}, response.json

    # Notification and decision (CSP manager).
    review = ok(manager.post("/reviews", NOTIFICATION), 201)
    rid = review["id"]
    assert [e["event"] for e in ok(manager.get(f"/reviews/{rid}/transitions"))["events"]] == [
        "decide_to_review", "decide_not_to_review"]
    review = event(manager, "decide_to_review", {
        "decision_date": "2024-02-26", "ho_informed_date": "2024-02-27",
        "rationale": "Intimate partner homicide; the criteria of s.9 are met."})
    assert (review["state"], review["statutory_due"]) == ("chair_appointment", "2024-08-26")

    # The coordinator trains the chair's pool record; the manager appoints them.
    [member] = [m for m in ok(coordinator.get("/chairs"))["items"]
                if m["email"] == "pat.chair@pool.example"]
    ok(coordinator.patch(f"/chairs/{member['id']}",
                         {"trained_date": (TODAY - timedelta(days=200)).isoformat(),
                          "roles": ["chair", "report_writer"], "capacity": 3}))
    review = event(manager, "appoint_chair", {"chair_id": member["id"]})
    assert review["chair"]["name"] == chair_user.name
    assert ok(chair.get(f"/reviews/{rid}"))["state"] == "panel_and_scope"

    # The chair writes the terms of reference and agrees them.
    refused = chair.post(f"/reviews/{rid}/transitions",
                         {"event": "agree_terms_of_reference",
                          "data": {"panel_agencies": ["police"], "family_contact": "made"}})
    assert refused.status_code == 422
    assert refused.json["error"]["details"]["missing"] == [
        "terms of reference document not uploaded"]
    put(chair, "terms_of_reference", "# Terms of reference\n\nThe panel will examine ...")
    event(chair, "agree_terms_of_reference", {
        "panel_agencies": ["police", "housing", "gp_primary_care"], "family_contact": "made",
        "family_contact_note": "Sister offered AAFDA advocacy; accepted."})

    # Information gathering: three IMRs, one returned and resubmitted, one waived.
    ids = {}
    for agency in ("police", "housing", "gp_primary_care"):
        ids[agency] = ok(chair.post(f"/reviews/{rid}/agency-requests",
                                    {"agency": agency, "kind": "imr"}), 201)["id"]

    def move(agency, name, data=None):
        return ok(chair.post(f"/agency-requests/{ids[agency]}/transitions",
                             {"event": name, "data": data or {}}))

    move("police", "submit")
    move("police", "return", {"comments": "Please add the 2022 call-outs."})
    waiting = chair.post(f"/reviews/{rid}/transitions",
                         {"event": "complete_information_gathering", "data": {}})
    assert "IMR from Police not yet accepted (returned to the agency for changes)" in \
        waiting.json["error"]["details"]["missing"]
    move("police", "submit")
    move("police", "accept")
    move("housing", "submit")
    move("housing", "accept")
    move("gp_primary_care", "waive", {"reason": "The GP practice had no contact."})
    assert event(chair, "complete_information_gathering")["state"] == "drafting"

    # Drafting, and a pause for the criminal trial while the chair drafts.
    review = event(manager, "pause", {"reason": "criminal_trial", "date": "2024-05-01",
                                      "expected_end": "2024-06-30"})
    assert review["paused"] is True
    blocked = chair.post(f"/reviews/{rid}/transitions",
                         {"event": "submit_for_local_qa", "data": {}})
    assert (blocked.status_code, blocked.json["error"]["code"]) == (409, "illegal_transition")
    review = event(manager, "resume", {"date": "2024-06-20"})
    assert (review["paused_days"], review["adjusted_due"]) == (50, "2024-10-15")
    for kind in ("overview_report", "executive_summary", "action_plan"):
        put(chair, kind, f"# {kind}\n\n{REPORT}")
    recs = [ok(chair.post(f"/reviews/{rid}/recommendations", {
        "number": number, "text": text, "level": "local", "agency": agency,
        "themes": ["information sharing"]}), 201)["id"]
        for number, text, agency in (
            ("1.1", "Housing should share concerns with the MARAC.", "housing"),
            ("1.2", "The police should record every call-out on the DASH.", "police"))]
    event(chair, "submit_for_local_qa", {"family_consulted_on_draft": True})

    # Local QA returns the report once, then approves it.
    event(subgroup, "return_from_local_qa", {"comments": "Say more about housing."})
    put(chair, "overview_report", f"# Overview report\n\n{REPORT} Housing knew.")
    event(chair, "submit_for_local_qa", {"family_consulted_on_draft": True})
    assert event(subgroup, "approve_local_qa")["state"] == "ready_for_submission"

    # Submission; the Home Office asks for a resubmission.
    review = event(manager, "submit_to_home_office", {"csp_signoff_date": "2024-09-30",
                                                      "date": "2024-10-01"})
    assert review["completion_overdue"] is False  # submitted before 15 October
    review = event(manager, "record_ho_outcome", {
        "outcome": "resubmit", "letter_date": "2025-01-15",
        "points": ["The analysis of the GP's contact is missing."]})
    assert (review["state"], review["resubmissions"]) == ("drafting", 1)
    put(chair, "overview_report", f"# Overview report\n\n{REPORT} The GP analysis follows.")
    event(chair, "submit_for_local_qa", {"family_consulted_on_draft": True})
    event(subgroup, "approve_local_qa")
    event(manager, "submit_to_home_office", {"csp_signoff_date": "2025-02-10"})
    review = event(manager, "record_ho_outcome", {
        "outcome": "approved_subject_to_amendments", "letter_date": "2025-04-01",
        "points": ["Remove the street name.", "Use the pseudonym throughout."]})
    assert review["state"] == "ho_amendments"

    # Amendments: each marked done, and a new version of the executive summary.
    for item in ok(chair.get(f"/reviews/{rid}/amendments"))["items"]:
        ok(chair.post(f"/reviews/{rid}/amendments/{item['id']}/done", {"note": "Done."}))
    put(chair, "executive_summary", f"# Executive summary\n\n{REPORT} Jane Realname ...")
    assert event(chair, "complete_amendments")["state"] == "publication_pending"

    # Publication: the anonymisation check finds the real name first.
    publish = {"url": "https://www.dacorum.gov.uk/dhr/adult-a",
               "dac_copy_sent_date": "2025-05-01", "date": "2025-05-02"}
    failed = manager.post(f"/reviews/{rid}/transitions", {"event": "publish", "data": publish})
    assert failed.json["error"]["details"]["missing"] == [
        'anonymisation check: "Jane Realname" appears in the executive summary (version 2)']
    put(manager, "executive_summary", f"# Executive summary\n\n{REPORT}")
    review = event(manager, "publish", publish)
    assert (review["state"], review["published_url"]) == ("published",
                                                          "https://www.dacorum.gov.uk/dhr/adult-a")

    # Closing: only once the action plan is done, and by the sub-group.
    refused = subgroup.post(f"/reviews/{rid}/transitions", {"event": "close_review"})
    assert refused.json["error"]["details"]["missing"] == [
        "recommendation 1.1 is still open", "recommendation 1.2 is still open"]
    for rec in recs:
        ok(manager.post(f"/recommendations/{rec}/complete",
                        {"date": "2025-09-01", "evidence": "Procedure changed and audited."}))
    assert manager.post(f"/reviews/{rid}/transitions",
                        {"event": "close_review"}).status_code == 403
    review = event(subgroup, "close_review", {"date": "2025-10-01"})
    assert review["state"] == "closed"

    events = [h["event"] for h in review["history"] if h["event"]]
    assert events == [
        "decide_to_review", "appoint_chair", "agree_terms_of_reference",
        "complete_information_gathering", "pause", "resume", "submit_for_local_qa",
        "return_from_local_qa", "submit_for_local_qa", "approve_local_qa",
        "submit_to_home_office", "record_ho_outcome", "submit_for_local_qa",
        "approve_local_qa", "submit_to_home_office", "record_ho_outcome",
        "complete_amendments", "publish", "close_review"]
    assert review["lock_version"] == 1 + len(events)
    assert ok(manager.get(f"/reviews/{rid}/transitions"))["events"] == []
    # The practitioner can now read it; the people involved were told as it moved on.
    practitioner = api_as("practitioner")
    assert ok(practitioner.get(f"/reviews/{rid}"))["state"] == "closed"
    told = db.session.query(Notification).filter_by(user_id=chair_user.id).count()
    assert told > 0
