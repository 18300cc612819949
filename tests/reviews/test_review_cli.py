"""`dhr review status` and `dhr review event`: the lifecycle engine from a terminal."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Review

DECISION = {"decision_date": "2024-02-20", "rationale": "Meets the s.9 criteria.",
            "ho_informed_date": "2024-02-21"}


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["review", *args])
    db.session.remove()
    return result


def test_status_lists_what_the_user_could_do_and_what_is_missing(app, make_user, make_review):
    review = make_review()
    manager = make_user("csp_manager", csps=["Dacorum"])
    result = run(app, "status", review.reference, "--as", manager.email)
    assert result.exit_code == 0, result.output
    assert f"{review.reference}: Notified" in result.output
    assert "Decision due 2024-03-02" in result.output
    assert "- decide_to_review:" in result.output
    assert "Overdue by" in result.output  # decision was due in March 2024


def test_an_event_moves_the_review_and_is_in_the_history(app, make_user, make_review):
    review = make_review()
    manager = make_user("csp_manager", csps=["Dacorum"])
    review_id, manager_id = review.id, manager.id
    result = run(app, "event", review.reference, "decide_to_review", "--as", manager.email,
                 "--data", json.dumps(DECISION))
    assert result.exit_code == 0, result.output
    assert "Notified -> Appointing a chair" in result.output
    stored = db.session.get(Review, review_id)
    assert (stored.state, stored.decision_date) == ("chair_appointment", date(2024, 2, 20))
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "event.decide_to_review")).one()
    assert (entry.actor_id, entry.from_state, entry.to_state) == (
        manager_id, "notified", "chair_appointment")


def test_refusals_explain_themselves_and_change_nothing(app, make_user, make_review):
    review = make_review()
    manager = make_user("csp_manager", csps=["Dacorum"])
    other = make_user("csp_manager", csps=["Watford"])
    review_id, reference, email, other_email = (review.id, review.reference, manager.email,
                                                other.email)

    missing = run(app, "event", reference, "decide_to_review", "--as", email,
                  "--data", '{"decision_date": "2024-02-20"}')
    assert missing.exit_code != 0
    assert "rationale" in missing.output

    wrong_role = run(app, "event", reference, "approve_local_qa", "--as", email)
    assert wrong_role.exit_code != 0 and "Error" in wrong_role.output

    unseen = run(app, "status", reference, "--as", other_email)
    assert unseen.exit_code != 0
    assert f"no review {reference} that {other_email} may see" in unseen.output

    bad_json = run(app, "event", reference, "decide_to_review", "--as", email,
                   "--data", "{not json")
    assert bad_json.exit_code != 0 and "--data is not valid JSON" in bad_json.output

    assert db.session.get(Review, review_id).state == "notified"
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("event.%"))).all() == []
