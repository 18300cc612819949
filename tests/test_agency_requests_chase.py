"""The scheduled job that chases overdue agency requests: each reminder goes out exactly once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Notification
from dhr.workflow import agency_requests as ops

TODAY = date.today()
LONG_AGO = TODAY - timedelta(weeks=8)  # due six weeks later: two weeks overdue now


def notifications() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def overdue_request(review, user, agency="police", kind="imr", requested=LONG_AGO):
    item = ops.create_request(review, user, agency=agency, kind=kind, requested_date=requested)
    db.session.commit()
    return item


def setup(make_review, make_user):
    manager = make_user("csp_manager", csps=["Dacorum"])
    second = make_user("csp_manager", csps=["Dacorum", "Watford"])
    make_user("csp_manager", csps=["Watford"])  # another CSP: never told
    disabled = make_user("csp_manager", csps=["Dacorum"])
    disabled.is_enabled = False
    review = make_review()
    review.state = "information_gathering"
    db.session.commit()
    return review, manager, second


def test_chasing_notifies_the_csp_managers_once(make_review, make_user):
    review, manager, second = setup(make_review, make_user)
    item = overdue_request(review, manager)
    assert ops.chase_overdue_requests() == 1
    sent = notifications()
    assert sorted(n.user_id for n in sent) == sorted([manager.id, second.id])
    assert all(n.kind == "agency_request_overdue" for n in sent)
    assert review.reference in sent[0].message and "Police" in sent[0].message
    assert "14 days ago" in sent[0].message
    db.session.refresh(item)
    assert item.last_chased_date == TODAY
    audit = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "agency_request.chased"))
    assert audit.data["notified"] == 2 and audit.actor_id is None
    # run again (a retry, a second beat): nothing more is sent
    assert ops.chase_overdue_requests() == 0
    assert len(notifications()) == 2


def test_the_celery_task_run_twice_sends_once(make_review, make_user):
    review, manager, _ = setup(make_review, make_user)
    overdue_request(review, manager)
    overdue_request(review, manager, agency="housing", kind="chronology")
    ops.chase_overdue.apply()
    ops.chase_overdue.apply()
    db.session.expire_all()
    assert len(notifications()) == 4  # two requests, two managers each


def test_a_second_worker_that_read_the_same_list_sends_nothing(make_review, make_user):
    """Two beats read the overdue list at the same moment; only the first claim wins."""
    review, manager, _ = setup(make_review, make_user)
    overdue_request(review, manager)
    seen_by_second_worker = ops.requests_due_for_chase(TODAY)
    assert len(seen_by_second_worker) == 1
    assert ops.chase_overdue_requests() == 1
    for request_id, seen in seen_by_second_worker:
        assert ops.claim_chase(request_id, seen, TODAY) is False
    db.session.rollback()
    assert len(notifications()) == 2


def test_chased_again_a_week_later_if_still_nothing(make_review, make_user):
    review, manager, _ = setup(make_review, make_user)
    overdue_request(review, manager)
    assert ops.chase_overdue_requests(TODAY) == 1
    assert ops.chase_overdue_requests(TODAY + timedelta(days=6)) == 0
    assert ops.chase_overdue_requests(TODAY + timedelta(days=7)) == 1
    assert len(notifications()) == 4


def test_only_overdue_requests_on_live_unpaused_reviews_are_chased(make_review, make_user):
    review, manager, _ = setup(make_review, make_user)
    overdue_request(review, manager, requested=TODAY)  # not due yet
    submitted = overdue_request(review, manager, agency="housing")
    ops.send_request_event(submitted, manager, "submit", {})
    waived = overdue_request(review, manager, agency="ambulance")
    ops.send_request_event(waived, manager, "waive", {"reason": "no contact"})
    paused = make_review()
    paused.state, paused.is_paused, paused.pause_reason = "information_gathering", True, "inquest"
    paused.paused_since_date = TODAY - timedelta(days=3)
    overdue_request(paused, manager)
    withdrawn = make_review()
    overdue_request(withdrawn, manager)
    withdrawn.state = "withdrawn"
    db.session.commit()
    assert ops.chase_overdue_requests() == 0
    assert notifications() == []
    returned = overdue_request(review, manager, agency="maternity")
    ops.send_request_event(returned, manager, "submit", {})
    ops.send_request_event(returned, manager, "return", {"comments": "Incomplete"})
    db.session.commit()
    assert ops.chase_overdue_requests() == 1  # returned and past due: chased


def test_the_chase_is_on_the_beat_schedule(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    names = {entry["task"] for entry in schedule.values()}
    assert "dhr.workflow.agency_requests.chase_overdue" in names
    celery = app.extensions["celery"]
    assert "dhr.workflow.agency_requests.chase_overdue" in celery.tasks


def test_two_workers_chasing_at_the_same_moment_send_once(app, make_review, make_user,
                                                          monkeypatch):
    """Two real threads (two database connections) read the same overdue list, then race to
    claim it: the conditional UPDATE lets exactly one of them send."""
    review, manager, _ = setup(make_review, make_user)
    overdue_request(review, manager)
    db.session.close()
    both_have_read = threading.Barrier(2, timeout=20)
    read_list = ops.requests_due_for_chase

    def read_then_wait(today):
        found = read_list(today)
        both_have_read.wait()
        return found

    monkeypatch.setattr(ops, "requests_due_for_chase", read_then_wait)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                results.append(ops.chase_overdue_requests())
                db.session.remove()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(notifications()) == 2  # one reminder, to each of the two managers
