"""Agency requests as people make them: IMRs from every panel agency in one step, each with
a named contact; the contact in the forms and the API; what the agency sent attached when the
request is recorded as submitted; the requested date shown as a date."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AgencyRequest, AgencyRequestFile, AuditEntry
from dhr.workflow.agency_requests import create_request, requests_for
from tests.conftest import sign_in
from tests.support.documents import PDF_BYTES
from tests.support.foundation import error_summary

TODAY = date.today()
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def review(make_review):
    created = make_review(agencies=["police", "housing", "gp_primary_care"])
    created.state = "information_gathering"
    created.panel_agencies = ["police", "housing", "idva_service"]
    db.session.commit()
    return created


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, user)
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_imrs_from_every_panel_agency_in_one_step_each_with_a_contact(client, manager, review):
    form = client.get(f"/reviews/{review.id}/requests/panel")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    for code in ("police", "housing", "idva_service"):  # the panel, every one ticked
        assert f'id="agency-{code}" name="agency" type="checkbox" value="{code}" checked' in page
    assert 'value="gp_primary_care"' not in page  # in scope but not on the panel
    response = client.post(f"/reviews/{review.id}/requests/panel", data={
        "kind": "imr", "agency": ["police", "housing", "idva_service"],
        "contact_name-police": "DS Amy Clarke", "contact_email-police": "Amy.Clarke@Police.example",
        "contact_name-housing": "", "contact_email-housing": ""})
    assert response.status_code == 302
    made = {item.agency: item for item in requests_for(review)}
    assert set(made) == {"police", "housing", "idva_service"}
    assert {item.kind for item in made.values()} == {"imr"}
    assert made["police"].contact_name == "DS Amy Clarke"
    assert made["police"].contact_email == "Amy.Clarke@police.example"  # domain normalised
    assert made["housing"].contact_name is None and made["housing"].contact_email is None
    again = client.get(f"/reviews/{review.id}/requests/panel").get_data(as_text=True)
    assert again.count("Already asked for this") == 3


def test_one_bad_contact_and_nothing_is_requested(client, manager, review):
    response = client.post(f"/reviews/{review.id}/requests/panel", data={
        "kind": "chronology", "agency": ["police", "housing"],
        "contact_email-police": "amy at police", "contact_email-housing": "housing@",
        "contact_name-housing": "x" * 201})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert error_summary(page) == [
        "Police: enter an email address in the correct format, like name@example.com",
        "Housing: the contact's name must be 200 characters or fewer",
        "Housing: enter an email address in the correct format, like name@example.com"]
    assert 'href="#contact_email-police"' in page and 'id="contact_email-police"' in page
    assert 'value="amy at police"' in page  # what was typed is kept
    assert count(AgencyRequest) == 0


def test_choosing_no_agency_is_an_error(client, manager, review):
    response = client.post(f"/reviews/{review.id}/requests/panel", data={"kind": "imr"})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == ["Select at least one agency"]


def test_only_those_who_manage_requests_may_ask_the_panel(client, make_user, review):
    sign_in(client, make_user("subgroup_member"))
    assert client.get(f"/reviews/{review.id}/requests/panel").status_code == 403
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    assert client.get(f"/reviews/{review.id}/requests/panel").status_code == 404
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{review.id}/requests/panel").status_code == 404


def test_single_request_form_takes_a_contact_and_the_list_shows_dates(client, manager, review):
    bad = client.post(f"/reviews/{review.id}/requests/new", data={
        "agency": "police", "kind": "imr", "contact_email": "not an address"})
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.get_data(as_text=True)
    assert count(AgencyRequest) == 0
    client.post(f"/reviews/{review.id}/requests/new", data={
        "agency": "police", "kind": "imr", "contact_name": "Amy Clarke",
        "contact_email": "amy@police.example"})
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    today = f"{TODAY.day} {TODAY.strftime('%B %Y')}"
    assert f'data-label="Requested">{today}</td>' in page  # a date, not the kind again
    assert 'data-label="What">Individual management review (IMR)</td>' in page
    assert "Amy Clarke" in page and 'href="mailto:amy@police.example"' in page


def test_change_the_contact_in_the_browser(client, manager, review):
    item = create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    response = client.post(f"/agency-requests/{item.id}/contact",
                           data={"contact_name": "Amy Clarke", "contact_email": "nope"})
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.contact_name is None
    client.post(f"/agency-requests/{item.id}/contact",
                data={"contact_name": "Amy Clarke", "contact_email": "amy@police.example"})
    db.session.refresh(item)
    assert (item.contact_name, item.contact_email) == ("Amy Clarke", "amy@police.example")
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "agency_request.contact_changed"))
    assert entry.data["after"]["contact_email"] == "amy@police.example"


def submit_with(client, item, data: bytes, filename: str):
    return client.post(f"/agency-requests/{item.id}/submit", data={
        "date": "", "expected_version": str(item.lock_version),
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_attach_the_imr_when_recording_it_submitted(app, client, manager, make_user, review):
    item = create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    response = submit_with(client, item, PDF_BYTES, "Police IMR Jane Realname.pdf")
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.state == "submitted"
    [attached] = item.files
    assert attached.content_type == "application/pdf"
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    link = f"/agency-requests/{item.id}/files/{attached.id}"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF_BYTES
    disposition = download.headers["Content-Disposition"]
    assert f"{review.reference}-imr-police-{attached.id}.pdf" in disposition
    assert "Realname" not in disposition  # never the sender's file name
    sign_in(client, make_user("practitioner"))
    assert client.get(link).status_code == 404
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    assert client.get(link).status_code == 404


def test_a_bad_attachment_leaves_the_request_as_it_was(app, client, manager, review):
    item = create_request(review, manager, agency="police", kind="imr")
    db.session.commit()
    response = submit_with(client, item, EXE_BYTES, "imr.pdf")
    assert response.status_code == 400
    assert "is not a PDF" in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.state == "requested"  # not half-written: the submission is undone too
    assert count(AgencyRequestFile) == 0
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_api_takes_and_shows_the_contact(api_as, make_user, review):
    api = api_as("csp_manager", csps=["Dacorum"])
    created = api.post(f"/reviews/{review.id}/agency-requests", json={
        "agency": "police", "kind": "imr", "contact_name": "Amy Clarke",
        "contact_email": "amy@police.example"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["contact_name"] == "Amy Clarke" and body["files"] == []
    bad = api.post(f"/reviews/{review.id}/agency-requests", json={
        "agency": "housing", "kind": "imr", "contact_email": "amy at police"})
    assert bad.status_code == 400
    assert bad.get_json()["error"]["details"] == {
        "contact_email": "enter an email address in the correct format, like name@example.com"}
    changed = api.patch(f"/agency-requests/{body['id']}",
                        json={"contact_email": "a.clarke@police.example"})
    assert changed.status_code == 200
    assert changed.get_json()["contact_email"] == "a.clarke@police.example"
    assert changed.get_json()["contact_name"] == "Amy Clarke"  # left out: kept
    cleared = api.patch(f"/agency-requests/{body['id']}", json={"contact_name": None})
    assert cleared.get_json()["contact_name"] is None
    wrong = api.patch(f"/agency-requests/{body['id']}", json={"state": "accepted"})
    assert wrong.status_code == 400
    other = api_as("csp_manager", csps=["Watford"])
    assert other.patch(f"/agency-requests/{body['id']}",
                       json={"contact_name": "X"}).status_code == 404
    spec = api.get("/openapi.json").get_json()
    assert "patch" in spec["paths"]["/api/v1/agency-requests/{request_id}"]
    assert "contact_email" in spec["components"]["schemas"]["AgencyRequestCreate"]["properties"]


def test_requested_today_and_overdue_later_shows_on_the_request_page(client, manager, review):
    item = create_request(review, manager, agency="housing", kind="chronology",
                          requested_date=TODAY - timedelta(days=50),
                          due_date=TODAY - timedelta(days=8), contact_name="Lee Jones")
    db.session.commit()
    page = client.get(f"/agency-requests/{item.id}/submit").get_data(as_text=True)
    when = TODAY - timedelta(days=50)
    assert f"{when.day} {when.strftime('%B %Y')}" in page and "Lee Jones" in page
