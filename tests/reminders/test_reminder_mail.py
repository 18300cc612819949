"""Reminders leave by e-mail: through a real SMTP server (aiosmtpd, read back here), or as
.eml files in the outbox folder; a failed delivery waits and is retried, never lost; and no
identifying term of a review, nor any text of its documents, is in any message."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Notification, OutboxMessage
from dhr.models.types import utcnow
from dhr.reminders.delivery import backoff, send_outbox
from dhr.reminders.tasks import run_all
from dhr.workflow import agency_requests as ops
from dhr.workflow.engine import send_event
from learning.models import LEVELS, Recommendation
from tests.conftest import sign_in
from tests.support.processes import free_port

TODAY = date.today()
TERMS = ["Jane Realname", "12 Orchard Close"]
DOCUMENT_TEXT = "Orchard Close neighbours heard shouting"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return str(message["Subject"]), text, html


def sensitive_review(make_review, make_user):
    """A review with identifying terms, an agency contact, a recommendation whose text repeats
    a term, a chair with an account, in information gathering and late on several counts."""
    manager = make_user("csp_manager")
    review = make_review(identifying_terms=TERMS)
    review.state = "information_gathering"
    review.decision_date = review.notification_date + timedelta(days=10)
    db.session.commit()
    ops.create_request(review, manager, agency="police", kind="imr",
                       requested_date=TODAY - timedelta(weeks=8), contact_name="Sam Officer",
                       contact_email="sam.officer@police.example")
    db.session.add(Recommendation(review_id=review.id, number="1", level=LEVELS[0],
                                  text=f"{DOCUMENT_TEXT} at the home of Jane Realname.",
                                  agency="police", due_date=TODAY - timedelta(days=30)))
    db.session.commit()
    return review, manager


def test_reminders_arrive_by_smtp_with_text_and_html_and_nothing_restricted(
        app, smtp_server, make_review, make_user):
    review, manager = sensitive_review(make_review, make_user)
    report = run_all(TODAY)
    assert report.emails_sent == report.sent >= 4 and report.emails_failed == 0
    arrived = smtp_server.messages
    assert len(arrived) == report.emails_sent
    to_manager = [m for m in arrived if m["To"] == manager.email]
    assert {p.rule for p in report.delivered} == {
        "home_office_informed", "agency_request_due", "submission_due", "recommendation_due"}
    assert len(to_manager) == 4
    for message in arrived:
        subject, text, html = parts(message)
        assert message.get_content_type() == "multipart/alternative"
        for term in [*TERMS, "Realname", "Orchard", DOCUMENT_TEXT]:
            for part in (subject, text, html):
                assert term.lower() not in part.lower(), (term, subject)
    for message in to_manager:
        subject, text, html = parts(message)
        assert review.reference in subject and review.victim_pseudonym in text
        assert f"{app.config['BASE_URL']}/" in text and 'href="http' in html
    [chase] = [m for m in arrived if m["To"] == "sam.officer@police.example"]
    subject, text, _ = parts(chase)
    assert "individual management review (imr)" in subject and "Police" in text
    assert review.victim_pseudonym not in text and "http" not in text
    assert all(row.state == "sent" for row in db.session.scalars(select(OutboxMessage)))


def test_a_failed_delivery_is_retried_with_backoff_and_not_lost(app, make_review, make_user):
    make_user("csp_manager")
    make_review()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    report = run_all(TODAY)
    assert report.sent == 1 and report.emails_sent == 0 and report.emails_failed == 1
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.state == "pending" and row.attempts == 1 and "Error" in row.last_error
    assert send_outbox() == (0, 0)  # not due again yet
    assert send_outbox(utcnow() + backoff(1) + timedelta(seconds=1)) == (0, 1)
    db.session.refresh(row)
    assert row.attempts == 2
    assert backoff(1) < backoff(2) < backoff(3) and backoff(40) == timedelta(hours=6)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
        assert send_outbox(utcnow() + timedelta(hours=1)) == (1, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    db.session.refresh(row)
    assert row.state == "sent" and row.last_error is None
    assert send_outbox(utcnow() + timedelta(days=1)) == (0, 0)  # sent once, never again


def test_without_smtp_the_messages_are_eml_files_in_the_outbox(app, make_review, make_user):
    make_user("csp_manager")
    make_review()
    assert app.config["SMTP_URL"] is None
    assert run_all(TODAY).emails_sent == 1
    folder = Path(app.config["DATA_DIR"]) / "outbox"
    [path] = list(folder.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    subject, text, html = parts(message)
    assert "the decision whether to hold a review" in subject
    assert "Adult A" in text and "<p>" in html
    assert path.stat().st_mode & 0o077 == 0  # private, like everything in the data folder


def test_daily_digest_users_get_one_e_mail_a_day_and_in_app_users_none(app, make_review,
                                                                       make_user):
    digest = make_user("csp_manager")
    digest.notification_preference = "daily_digest"
    quiet = make_user("csp_manager")
    quiet.notification_preference = "in_app"
    db.session.commit()
    make_review()
    make_review()
    report = run_all(TODAY)
    assert report.sent == 4 and report.digests == 1
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert [m.to_address for m in messages] == [digest.email]
    assert "2 notifications" in messages[0].subject
    assert messages[0].text_body.count("the decision whether to hold a review") == 2
    assert run_all(TODAY).digests == 0  # one a day
    later = TODAY + timedelta(days=7)
    report = run_all(later)
    assert report.sent == 4 and report.digests == 1
    latest = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "2 notifications" in latest.subject  # only what came since the last digest


def test_the_manager_sees_each_chase_on_the_page_and_in_the_api(app, client, api_as,
                                                                make_review, make_user):
    review, manager = sensitive_review(make_review, make_user)
    run_all(TODAY)
    run_all(TODAY + timedelta(days=7))  # still nothing: chased again
    sign_in(client, manager)
    page = client.get(f"/reviews/{review.id}/requests").get_data(as_text=True)
    assert page.count("Reminder sent to sam.officer@police.example") == 2
    assert "Sam Officer" in page
    [item] = api_as(manager).get(f"/reviews/{review.id}/agency-requests").json["items"]
    assert [c["to"] for c in item["chases"]] == ["sam.officer@police.example"] * 2
    assert all(c["sent"] for c in item["chases"]) and item["contact_name"] == "Sam Officer"


def test_an_agency_contact_is_given_through_the_api_and_checked(api_as, make_review):
    api = api_as("csp_manager")
    review = make_review()
    review.state = "information_gathering"
    db.session.commit()
    bad = api.post(f"/reviews/{review.id}/agency-requests",
                   json={"agency": "police", "kind": "imr", "contact_email": "not an address"})
    assert bad.status_code == 400 and "contact_email" in bad.json["error"]["details"]
    made = api.post(f"/reviews/{review.id}/agency-requests",
                    json={"agency": "police", "kind": "imr", "contact_name": "Sam Officer",
                          "contact_email": "sam.officer@police.example"})
    assert made.status_code == 201, made.json
    assert made.json["contact_email"] == "sam.officer@police.example"
    assert made.json["chases"] == []


def test_event_notifications_have_a_subject_a_review_and_an_e_mail(make_review, make_user):
    manager = make_user("csp_manager")
    quiet = make_user("csp_manager")
    quiet.notification_preference = "in_app"
    coordinator = make_user("coordinator")
    review = make_review()
    send_event(review, coordinator, "decide_to_review",
               {"decision_date": TODAY.isoformat(), "rationale": "Criteria met",
                "ho_informed_date": TODAY.isoformat()})
    db.session.commit()
    notes = list(db.session.scalars(select(Notification).order_by(Notification.user_id)))
    assert [n.user_id for n in notes] == [manager.id, quiet.id]
    assert all(n.review_id == review.id for n in notes)
    assert notes[0].subject == f"{review.reference}: decide to hold a review"
    mails = list(db.session.scalars(select(OutboxMessage)))
    assert [m.to_address for m in mails] == [manager.email]
