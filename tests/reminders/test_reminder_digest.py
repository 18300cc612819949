"""The sub-group's weekly digest: overdue reviews and recommendations counted as the
dashboard and the tracker count them, and what moved this week; once a week each."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Notification, OutboxMessage
from dhr.reminders.digest import weekly_figures
from dhr.reminders.tasks import run_all
from dhr.workflow.engine import send_event
from learning.models import LEVELS, Recommendation
from tests.conftest import sign_in

TODAY = date.today()


def county_with_late_work(make_review, make_user):
    """Late reviews in two Hertfordshire CSPs and one in Herefordshire (another county),
    late and on-time recommendations, and one review that moved this week."""
    manager = make_user("csp_manager", csps=["Dacorum"])
    late = [make_review(), make_review(csp="Watford")]
    make_review(notification_date=TODAY, date_of_death=TODAY)  # not late
    elsewhere = make_review(csp="Herefordshire")
    for review, due in ((late[0], TODAY - timedelta(days=3)), (late[1], TODAY + timedelta(5)),
                        (elsewhere, TODAY - timedelta(days=9))):
        db.session.add(Recommendation(review_id=review.id, number="1", level=LEVELS[0],
                                      text="Train staff.", agency="police", due_date=due))
    db.session.commit()
    send_event(late[0], manager, "decide_to_review",
               {"decision_date": TODAY.isoformat(), "rationale": "Criteria met",
                "ho_informed_date": TODAY.isoformat()})
    db.session.commit()
    return late


def test_weekly_digest_matches_the_dashboard_and_the_tracker(app, client, api_as, make_review,
                                                             make_user):
    county_with_late_work(make_review, make_user)
    member = make_user("subgroup_member", area="Hertfordshire")
    figures = weekly_figures(member, TODAY)
    sign_in(client, member)
    page = client.get("/reviews?overdue=1").get_data(as_text=True)
    shown = int(re.search(r"(\d+) reviews?", page).group(1))
    tracker = api_as(member).get("/recommendations?overdue=true").json
    assert (figures.overdue_reviews, figures.overdue_recommendations) == (
        shown, tracker["total"])
    assert figures.overdue_reviews == 1 and figures.overdue_recommendations == 1
    assert figures.moved == {"Decide to hold a review": 1}

    report = run_all(TODAY)
    assert report.weekly_digests == 1
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == member.id, Notification.kind == "digest.weekly")).all()
    assert "1 overdue review, 1 overdue recommendation" in note.subject
    assert "Decide to hold a review (1)" in note.message
    [mail] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == member.email)).all()
    assert mail.subject == note.subject and "/?overdue=1" in mail.text_body
    assert run_all(TODAY + timedelta(days=1 if TODAY.weekday() < 6 else 0)).weekly_digests == 0
    assert run_all(TODAY + timedelta(days=7)).weekly_digests == 1
