"""The reminder engine: rules as data, the scan, and its claims (each reminder exactly once)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dhr import create_app
from dhr.config import ConfigError
from dhr.extensions import db
from dhr.models import AuditEntry, Notification, OutboxMessage, ReminderClaim
from dhr.reminders import scan
from dhr.reminders.rules import DEFAULT_RULES, occurrence, rules_from
from dhr.reminders.tasks import run, run_all
from dhr.workflow import agency_requests as ops

TODAY = date.today()
LONG_AGO = TODAY - timedelta(weeks=8)  # due six weeks later: two weeks overdue now


def notes(user_id: int | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return list(db.session.scalars(query))


def claims() -> int:
    return db.session.scalar(select(func.count()).select_from(ReminderClaim))


def review_gathering(make_review):
    review = make_review()
    review.state = "information_gathering"
    review.decision_date = review.notification_date + timedelta(days=10)
    review.ho_informed_date = review.decision_date
    review.submitted_date = None
    db.session.commit()
    return review


def test_occurrences_before_on_and_after_the_due_date():
    rule = DEFAULT_RULES["agency_request_due"]  # 7 days before, every 7 days after
    due = date(2026, 11, 16)
    assert occurrence(rule, due, due - timedelta(days=8)) is None
    assert occurrence(rule, due, due - timedelta(days=7)) == "coming:2026-11-16"
    assert occurrence(rule, due, due) == "coming:2026-11-16"
    assert occurrence(rule, due, due + timedelta(days=1)) == "missed:2026-11-16:0"
    assert occurrence(rule, due, due + timedelta(days=7)) == "missed:2026-11-16:0"
    assert occurrence(rule, due, due + timedelta(days=8)) == "missed:2026-11-16:1"


def test_rules_are_overridable_per_deployment_and_checked_at_start(tmp_path, monkeypatch):
    rules = rules_from({"decision_due": {"days_before": 14, "tell": ["coordinator"]},
                        "pause_end": {"enabled": False}})
    assert rules["decision_due"].days_before == 14
    assert rules["decision_due"].tell == ("coordinator",)
    assert "pause_end" not in rules
    with pytest.raises(ConfigError, match="no rule called decision_overdue"):
        rules_from({"decision_overdue": {}})
    with pytest.raises(ConfigError, match="tell"):
        rules_from({"decision_due": {"tell": ["everyone"]}})
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DHR_REMINDER_RULES", '{"decision_due": {"days_before": -1}}')
    with pytest.raises(ConfigError, match="days_before"):
        create_app()


def test_a_late_decision_reminds_the_csp_managers_once(make_review, make_user):
    manager = make_user("csp_manager", csps=["Dacorum"])
    other = make_user("csp_manager", csps=["Watford"])
    off = make_user("csp_manager", csps=["Dacorum"])
    off.is_enabled = False
    db.session.commit()
    review = make_review()
    report = run_all(TODAY)
    assert report.sent == 1
    [note] = notes()
    assert note.user_id == manager.id and note.kind == "reminder.decision_due"
    assert note.review_id == review.id
    assert note.subject.startswith(f"{review.reference}: the decision whether to hold a review")
    assert "overdue" in note.subject and review.victim_pseudonym in note.message
    assert notes(other.id) == []
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminder.sent"))
    assert audit.review_id == review.id and audit.actor_id is None
    # again, a retry, the same day or within the repeat interval: nothing more
    assert run_all(TODAY).sent == 0
    assert run_all(TODAY + timedelta(days=3)).sent == 0
    assert len(notes()) == 1
    # a week on and still not decided: reminded again, once
    assert run_all(TODAY + timedelta(days=7)).sent == 1
    assert run_all(TODAY + timedelta(days=7)).sent == 0
    assert len(notes()) == 2


def test_reminders_before_the_due_date(make_review, make_user):
    manager = make_user("csp_manager")
    review = make_review(notification_date=TODAY - timedelta(days=3),
                         date_of_death=TODAY - timedelta(days=5))
    assert run_all(TODAY).sent == 0  # due in about four weeks: too early
    week_before = review.decision_due_date - timedelta(days=7)
    assert run_all(week_before).sent == 1
    assert "is due on" in notes(manager.id)[0].subject


def test_the_celery_task_run_twice_sends_once(make_review, make_user):
    make_user("csp_manager")
    make_review()
    run.apply()
    run.apply()
    db.session.expire_all()
    assert len(notes()) == 1


def test_agency_request_chases_the_managers_and_the_named_contact(make_review, make_user):
    manager = make_user("csp_manager")
    review = review_gathering(make_review)
    item = ops.create_request(review, manager, agency="police", kind="imr",
                              requested_date=LONG_AGO, contact_name="Sam Officer",
                              contact_email="sam.officer@police.example")
    db.session.commit()
    report = run_all(TODAY)
    rules = sorted(p.rule for p in report.delivered)
    assert rules.count("agency_request_due") == 2  # the manager and the contact
    note = next(n for n in notes(manager.id) if n.kind == "reminder.agency_request_due")
    assert "Police" in note.message and "14 days overdue" in note.message
    [to_contact] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == "sam.officer@police.example")).all()
    assert f"{review.reference}/R{item.id}" in to_contact.subject
    assert review.victim_pseudonym not in to_contact.text_body + to_contact.html_body
    db.session.refresh(item)
    assert item.last_chased_date == TODAY
    assert [c.to for c in scan.chases_of(item.id)] == ["sam.officer@police.example"]


def test_only_awaited_requests_on_live_unpaused_reviews_are_chased(make_review, make_user):
    manager = make_user("csp_manager")
    review = review_gathering(make_review)

    def request(target, agency, requested=LONG_AGO):
        made = ops.create_request(target, manager, agency=agency, kind="imr",
                                  requested_date=requested)
        db.session.commit()
        return made

    request(review, "police", requested=TODAY)  # due in six weeks
    ops.send_request_event(request(review, "housing"), manager, "submit", {})
    ops.send_request_event(request(review, "ambulance"), manager, "waive",
                           {"reason": "no contact"})
    paused = review_gathering(make_review)
    request(paused, "police")
    paused.is_paused, paused.pause_reason = True, "inquest"
    paused.paused_since_date = TODAY - timedelta(days=3)
    db.session.commit()
    report = run_all(TODAY)
    assert [p.rule for p in report.delivered if p.rule == "agency_request_due"] == []


def test_two_scans_at_once_send_each_reminder_once(app, make_review, make_user, monkeypatch):
    """Two real threads (two database connections) plan the same reminders, wait for each
    other, then both claim: the unique key lets exactly one deliver each."""
    make_user("csp_manager")
    make_user("csp_manager")
    for _ in range(3):
        make_review()
    db.session.close()
    both_planned = threading.Barrier(2, timeout=30)
    real_plan = scan.plan

    def plan_then_wait(rules, today):
        found = real_plan(rules, today)
        both_planned.wait()
        return found

    monkeypatch.setattr(scan, "plan", plan_then_wait)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                results.append(scan.run_reminders(TODAY).sent)
                db.session.remove()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(results) == 6  # three reviews, two managers: six reminders in all
    assert len(notes()) == 6 and claims() == 6
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 6


def test_the_scan_is_on_the_beat_schedule(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    assert schedule["reminders"]["task"] == "dhr.reminders.tasks.run"
    assert schedule["reminders"]["schedule"] <= 600
    assert "dhr.reminders.tasks.run" in app.extensions["celery"].tasks


def test_the_command_prints_what_it_sent(app, make_review, make_user):
    make_user("csp_manager")
    make_review()
    later = (TODAY + timedelta(days=1)).isoformat()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", later])
    assert result.exit_code == 0, result.output
    assert "sent 1 (0 already sent before, not repeated)" in result.output
    assert "decision_due: 1" in result.output
    again = app.test_cli_runner().invoke(args=["reminders", "run", "--today", later])
    assert "sent 0 (1 already sent before" in again.output
    bad = app.test_cli_runner().invoke(args=["reminders", "run", "--today", "30-11-2026"])
    assert bad.exit_code == 2 and "--today" in bad.output
