"""In-app notifications: each user reads only their own (another's is not found), newest
first a page at a time, marks them read one by one or all at once, sees the unread count in
every page's header and chooses how to hear of them (audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from dhr.extensions import db
from dhr.models import AuditEntry, Notification
from dhr.models.types import utcnow
from tests.conftest import sign_in


def notify(user, subject: str, *, minutes_ago: int = 0, review=None, read: bool = False,
           body: str = "") -> Notification:
    now = utcnow()
    row = Notification(user_id=user.id, kind="reminder.decision_due", subject=subject,
                       message=body or f"{subject}: the details.",
                       review_id=review.id if review else None,
                       created_dt=now - timedelta(minutes=minutes_ago),
                       read_dt=now if read else None)
    db.session.add(row)
    db.session.commit()
    return row


def sign_in_quietly(client, user) -> None:
    """Sign in, and drop the "new sign-in" notice that signing in writes."""
    assert sign_in(client, user).status_code == 302
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.commit()


@pytest.mark.parametrize("role", ["csp_manager", "practitioner"])
def test_the_api_lists_only_the_callers_own_newest_first(api_as, make_user, role):
    api = api_as(role)
    other = make_user("csp_manager")
    notify(api.user, "Older", minutes_ago=10)
    newest = notify(api.user, "Newest", minutes_ago=1)
    notify(api.user, "Read already", minutes_ago=5, read=True)
    notify(other, "Someone else's")

    body = api.get("/notifications").json
    assert [item["subject"] for item in body["items"]] == ["Newest", "Read already", "Older"]
    assert body["unread"] == 2 and body["total"] == 3
    first = body["items"][0]
    assert first == {"id": newest.id, "at": first["at"], "subject": "Newest",
                     "body": "Newest: the details.", "review_id": None, "read": False}
    assert first["at"].endswith("Z")

    unread = api.get("/notifications?unread=true").json
    assert [item["subject"] for item in unread["items"]] == ["Newest", "Older"]
    assert unread["total"] == 2


def test_the_api_pages_through_them(api_as):
    api = api_as("chair")
    for n in range(5):
        notify(api.user, f"Reminder {n}", minutes_ago=n)
    page2 = api.get("/notifications?page=2&per_page=2").json
    assert [item["subject"] for item in page2["items"]] == ["Reminder 2", "Reminder 3"]
    assert page2["total"] == 5 and page2["page"] == 2
    for bad in ("page=0", "page=10000000000000000000", "per_page=500", "unread=perhaps",
                "colour=red"):
        response = api.get(f"/notifications?{bad}")
        assert response.status_code == 400, bad
        assert response.json["error"]["code"] == "validation_error"


def test_marking_one_read_and_another_users_is_not_found(api_as, make_user):
    api = api_as("csp_manager")
    mine = notify(api.user, "Mine")
    theirs = notify(make_user("csp_manager"), "Theirs")

    response = api.post(f"/notifications/{mine.id}/read")
    assert response.status_code == 200 and response.json["read"] is True
    assert api.get("/notifications").json["unread"] == 0
    assert api.post(f"/notifications/{mine.id}/read").status_code == 200  # again: harmless

    for missing in (theirs.id, 999999, 2**40):
        response = api.post(f"/notifications/{missing}/read")
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_dt is None


def test_marking_all_read_touches_only_the_callers(api_as, make_user):
    api = api_as("subgroup_member")
    other = make_user("subgroup_member")
    notify(api.user, "One")
    notify(api.user, "Two")
    theirs = notify(other, "Theirs")
    response = api.post("/notifications/read-all")
    assert response.json == {"marked": 2, "unread": 0}
    assert api.post("/notifications/read-all").json == {"marked": 0, "unread": 0}
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_dt is None


def test_the_openapi_document_describes_them(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"unread", "page", "per_page"} <= {
        p["name"] for p in paths["/api/v1/notifications"]["get"]["parameters"]}
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
    assert "post" in paths["/api/v1/notifications/read-all"]


def test_the_page_shows_them_with_a_link_only_to_reviews_still_open(client, make_user,
                                                                     make_review):
    manager = make_user("csp_manager", csps=["Dacorum"])
    sign_in_quietly(client, manager)
    visible = make_review(csp="Dacorum")
    hidden = make_review(csp="Watford")  # e.g. a CSP they no longer manage
    notify(manager, "Decision due", review=visible, minutes_ago=2)
    notify(manager, "Old news", review=hidden, minutes_ago=3)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.index("Decision due") < html.index("Old news")
    assert f'href="/reviews/{visible.id}"' in html and visible.reference in html
    assert f"/reviews/{hidden.id}" not in html and hidden.reference not in html
    assert 'id="unread-count">2<' in html  # the header's count


def test_the_header_counts_unread_on_every_page(client, make_user):
    user = make_user("coordinator")
    sign_in_quietly(client, user)
    notify(user, "One")
    notify(user, "Seen", read=True)
    for path in ("/", "/account", "/search", "/notifications"):
        assert 'id="unread-count">1<' in client.get(path).get_data(as_text=True), path
    client.post("/notifications/read-all")
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_marking_read_on_the_page(client, make_user):
    user = make_user("chair")
    sign_in_quietly(client, user)
    first = notify(user, "First", minutes_ago=1)
    notify(user, "Second")
    theirs = notify(make_user("chair"), "Theirs")
    response = client.post(f"/notifications/{first.id}/read", data={"show": "unread"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/notifications?show=unread")
    html = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "Second" in html and "First" not in html
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    client.post("/notifications/read-all")
    assert "No unread notifications." in client.get(
        "/notifications?show=unread").get_data(as_text=True)


def test_the_page_is_paged(client, make_user):
    user = make_user("practitioner")
    sign_in_quietly(client, user)
    for n in range(25):
        notify(user, f"Lesson {n:02d}", minutes_ago=n)
    html = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Lesson 20" in html and "Lesson 19" not in html
    assert "Showing 21 to 25 of 25" in html
    assert client.get("/notifications?page=99999999999999999999").status_code == 200


def test_choosing_how_to_hear_of_them_is_audited(client, make_user):
    user = make_user("csp_manager")
    sign_in(client, user)
    assert "By e-mail as each one arrives" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/notifications", data={"preference": "daily_digest"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.notification_preference == "daily_digest"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.notification_preference_changed")).one()
    assert entry.data == {"before": "immediate", "after": "daily_digest"}
    assert entry.actor_id == user.id

    for bad in ({}, {"preference": "carrier_pigeon"}):
        response = client.post("/account/notifications", data=bad)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "govuk-error-summary" in html and "<title>Error: " in html
        assert "Select how you want to hear of notifications" in html
    db.session.expire_all()
    assert user.notification_preference == "daily_digest"
