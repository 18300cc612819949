"""Replacing an appointed chair or report writer (illness, a conflict of interest found later):
the API, every reason it is refused, who may, stale versions, the page's form, the review's
history, and two replacements racing for a chair's last free place."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Notification, PoolMember, Review
from dhr.workflow import allocation
from dhr.workflow.allocation import rank_candidates
from tests.conftest import sign_in
from tests.support.concurrency import (
    ON_POSTGRES,
    TIMEOUT,
    hold_after_reserving,
    manager_tokens,
    run_threads,
    run_while_held,
)
from tests.support.csrf import sign_in_with_token
from tests.support.pool import TODAY, in_state, member
from tests.support.workflow import chair_member, put_in_state

YESTERDAY = TODAY - timedelta(days=1)
REASON_MISSING = ("the reason for the replacement (for example illness, or a conflict of "
                  "interest found later)")


def url(review: Review) -> str:
    return f"/reviews/{review.id}/chair-replacement"


def fresh(review: Review) -> Review:
    db.session.expire_all()
    return db.session.get(Review, review.id)


def notices(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.message).where(Notification.user_id == user.id)))


def replacements(review: Review) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.review_id == review.id, AuditEntry.action.like("%.replaced"))))


@pytest.fixture
def chaired(make_review):
    """chaired(state="drafting", **review fields) -> (review, its chair Ann Smith)."""
    def _make(state: str = "drafting", **fields: Any) -> tuple[Review, PoolMember]:
        ann = member("Ann Smith")
        return in_state(make_review(**fields), state, chair=ann), ann
    return _make


def assert_unchanged(review: Review, chair: PoolMember, version: int) -> None:
    review = fresh(review)
    assert review.chair_id == chair.id and review.lock_version == version
    assert replacements(review) == []


# The happy path ----------------------------------------------------------------------------

def test_replacing_the_chair_end_to_end(api_as, make_user, make_review, client):
    """Appointed through the lifecycle, replaced through the API: the history says who, when,
    from whom, to whom and why; the load moves; the chairs' access moves with it."""
    old_user, new_user = make_user("chair"), make_user("chair")
    ann, bob = chair_member(old_user), chair_member(new_user)
    ann.name, bob.name = "Ann Smith", "Bob Jones"
    db.session.commit()
    review = in_state(make_review(), "chair_appointment")
    coordinator = make_user("coordinator")
    api = api_as(coordinator)
    appointed = api.post(f"/reviews/{review.id}/transitions",
                         {"event": "appoint_chair", "data": {"chair_id": ann.id}})
    assert appointed.status_code == 200, appointed.json
    assert api.get(f"/chairs/{ann.id}").json["current_reviews"] == 1
    assert api.get(f"/chairs/{bob.id}").json["current_reviews"] == 0
    assert api_as(old_user).get(f"/reviews/{review.id}").status_code == 200
    assert api_as(new_user).get(f"/reviews/{review.id}").status_code == 404

    response = api.post(url(review), {
        "chair_id": bob.id, "reason": "Illness: long-term sick leave",
        "lock_version": appointed.json["lock_version"], "date": TODAY.isoformat()})

    assert response.status_code == 200, response.json
    body = response.json
    assert body["chair"] == {"id": bob.id, "name": "Bob Jones"}
    assert body["state"] == "panel_and_scope"
    assert body["lock_version"] == appointed.json["lock_version"] + 1
    entry = body["history"][-1]
    assert entry["action"] == "chair.replaced" and entry["event"] is None
    assert entry["actor"] == coordinator.display_name and entry["at"]
    assert entry["data"] == {
        "role": "chair", "from": {"id": ann.id, "name": "Ann Smith"},
        "to": {"id": bob.id, "name": "Bob Jones"},
        "reason": "Illness: long-term sick leave", "date": TODAY.isoformat()}
    (stored,) = replacements(review)
    assert stored.actor_id == coordinator.id
    assert api.get(f"/chairs/{ann.id}").json["current_reviews"] == 0
    assert api.get(f"/chairs/{bob.id}").json["current_reviews"] == 1
    assert db.session.get(PoolMember, bob.id).last_appointed_date == TODAY
    assert api_as(new_user).get(f"/reviews/{review.id}").status_code == 200
    assert api_as(old_user).get(f"/reviews/{review.id}").status_code == 404
    told = f"{review.reference}: Bob Jones replaces Ann Smith as chair by {coordinator.name}."
    for person in (old_user, new_user):
        assert told in notices(person)  # both chairs hear of it; the coordinator acted
    assert told not in notices(coordinator)

    sign_in(client, coordinator)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    timeline = page.split('id="history"')[1]
    assert "Chair replaced" in timeline
    assert "Ann Smith → Bob Jones" in timeline
    assert "Illness: long-term sick leave" in timeline
    assert f"{TODAY.day} {TODAY.strftime('%B %Y')}" in timeline


def test_replacing_the_report_writer(api_as, chaired):
    review, ann = chaired()
    writer = member("Wren Writer", roles=("report_writer",))
    review.report_writer = writer
    db.session.commit()
    new_writer = member("Rowan Writer", roles=("report_writer",))
    response = api_as("csp_manager").post(url(review), {
        "chair_id": new_writer.id, "role": "report_writer",
        "reason": "Conflict of interest found later: worked for the housing provider"})
    assert response.status_code == 200, response.json
    assert response.json["report_writer"] == {"id": new_writer.id, "name": "Rowan Writer"}
    assert response.json["chair"]["id"] == ann.id
    (entry,) = replacements(review)
    assert entry.action == "report_writer.replaced"
    assert entry.data["from"] == {"id": writer.id, "name": "Wren Writer"}
    assert entry.data["date"] == TODAY.isoformat()


def test_a_paused_review_can_have_its_chair_replaced(api_as, make_review, make_user):
    """A pause (a criminal trial, an inquest) stops the lifecycle, not the commissioning."""
    ann = member("Ann Smith")
    review = put_in_state(make_review(), "drafting", make_user("admin"), chair=ann, paused=True)
    bob = member("Bob Jones")
    response = api_as("coordinator").post(url(review), {"chair_id": bob.id, "reason": "Ill"})
    assert response.status_code == 200, response.json
    assert response.json["paused"] is True and response.json["state"] == "drafting"


# Refusals ----------------------------------------------------------------------------------

def refused(response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.json
    if status == 422:
        assert response.json["error"]["code"] == "guard_failed"
        return response.json["error"]["details"]["missing"]
    return []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reason_is_required(api_as, chaired, reason):
    review, ann = chaired()
    bob = member("Bob Jones")
    body = {"chair_id": bob.id} if reason is None else {"chair_id": bob.id, "reason": reason}
    assert refused(api_as("coordinator").post(url(review), body)) == [REASON_MISSING]
    assert_unchanged(review, ann, review.lock_version)


def test_the_same_person_cannot_replace_themselves(api_as, chaired):
    review, ann = chaired()
    missing = refused(api_as("coordinator").post(url(review), {"chair_id": ann.id,
                                                              "reason": "Illness"}))
    assert missing == ["Ann Smith is already the chair"]


def test_nobody_to_replace_when_no_report_writer_was_appointed(api_as, chaired):
    review, _ann = chaired()
    writer = member("Wren Writer", roles=("report_writer",))
    missing = refused(api_as("coordinator").post(url(review), {
        "chair_id": writer.id, "role": "report_writer", "reason": "Illness"}))
    assert missing == ["no report writer has been appointed yet, so there is nobody to replace"]


def test_an_ineligible_new_chair_is_refused_with_the_rankings_reasons(api_as, chaired,
                                                                      make_review):
    review, ann = chaired(agencies=["police"])
    busy = member("Pat Police", capacity=1, conflicts={"police": "Constabulary 2004-2016"})
    other = in_state(make_review(csp="Dacorum"), "drafting", chair=busy)
    api = api_as("coordinator")
    ranked = next(c for c in rank_candidates(review, viewer=api.user) if c.member.id == busy.id)
    assert len(ranked.reasons) == 2
    missing = refused(api.post(url(review), {"chair_id": busy.id, "reason": "Illness"}))
    assert missing == [f"Pat Police cannot be appointed as chair: {r}" for r in ranked.reasons]
    assert missing[0] == ("Pat Police cannot be appointed as chair: at capacity (1 of 1): "
                          f"{other.reference}")
    assert "conflict of interest: worked for Police (Constabulary 2004-2016)" in missing[1]
    assert_unchanged(review, ann, review.lock_version)
    assert db.session.get(PoolMember, busy.id).last_appointed_date is None


def test_every_reason_is_listed_at_once(api_as, chaired):
    review, _ann = chaired()
    inactive = member("Ivy Inactive", active=False)
    missing = refused(api_as("coordinator").post(url(review), {"chair_id": inactive.id,
                                                              "reason": " "}))
    assert missing == [REASON_MISSING,
                       "Ivy Inactive cannot be appointed as chair: inactive in the pool"]


@pytest.mark.parametrize("state", ["chair_appointment", "published", "closed", "withdrawn"])
def test_only_while_a_chair_is_appointed_and_the_review_is_live(api_as, chaired, state):
    review, ann = chaired(state)
    response = api_as("coordinator").post(url(review), {"chair_id": member("Bob Jones").id,
                                                       "reason": "Illness"})
    assert response.status_code == 409, response.json
    assert response.json["error"]["code"] == "illegal_transition"
    assert "from the stage 'Panel and terms of reference' to the stage 'Awaiting " \
           "publication'" in response.json["error"]["message"]
    assert_unchanged(review, ann, review.lock_version)


def test_a_stale_lock_version_is_a_conflict(api_as, chaired):
    review, ann = chaired()
    version = review.lock_version
    response = api_as("coordinator").post(url(review), {
        "chair_id": member("Bob Jones").id, "reason": "Illness", "lock_version": version - 1})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["details"] == {"lock_version": version}
    assert_unchanged(review, ann, version)


def test_two_replacements_from_the_same_reading_only_one_wins(api_as, chaired):
    review, _ann = chaired()
    api, version = api_as("coordinator"), review.lock_version
    first = api.post(url(review), {"chair_id": member("Bob Jones").id, "reason": "Illness",
                                   "lock_version": version})
    second = api.post(url(review), {"chair_id": member("Cal Chair").id, "reason": "Illness",
                                    "lock_version": version})
    assert (first.status_code, second.status_code) == (200, 409)
    assert fresh(review).chair.name == "Bob Jones"


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "Illness"}, "chair_id"),
    ({"chair_id": "7", "reason": "Illness"}, "chair_id"),
    ({"chair_id": 99999, "reason": "Illness"}, "chair_id"),
    ({"chair_id": 1, "reason": "Illness", "role": "judge"}, "role"),
    ({"chair_id": 1, "reason": "Illness", "date": "2024-02-30"}, "date"),
    ({"chair_id": 1, "reason": "Illness", "date": (TODAY + timedelta(days=1)).isoformat()},
     "date"),
    ({"chair_id": 1, "reason": "Illness", "date": "2024-01-01"}, "date"),  # before notified
    ({"chair_id": 1, "reason": 42}, "reason"),
    ({"chair_id": 1, "reason": "Illness", "lock_version": "3"}, "lock_version"),
    ({"chair_id": 1, "reason": "Illness", "colour": "blue"}, "colour"),
])
def test_bad_bodies_are_400_naming_the_field(api_as, chaired, body, field):
    review, ann = chaired()
    if body.get("chair_id") == 1:
        body = {**body, "chair_id": member("Bob Jones").id}
    response = api_as("coordinator").post(url(review), body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["details"], response.json
    assert_unchanged(review, ann, review.lock_version)


def test_the_date_cannot_be_before_the_appointment(api_as, make_review, make_user):
    review = put_in_state(make_review(), "drafting", make_user("admin"),
                          chair=member("Ann Smith"))  # appointed 1 March 2024
    response = api_as("coordinator").post(url(review), {
        "chair_id": member("Bob Jones").id, "reason": "Illness", "date": "2024-02-28"})
    assert response.status_code == 400
    assert response.json["error"]["details"] == {
        "date": "must not be before the chair was appointed (1 March 2024)"}


# Who may -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "kwargs", "status"), [
    ("admin", {}, 200),
    ("coordinator", {}, 200),
    ("csp_manager", {"csps": ["Dacorum"]}, 200),
    ("csp_manager", {"csps": ["Watford"]}, 404),
    ("coordinator", {"area": "Herefordshire"}, 404),
    ("subgroup_member", {}, 403),
    ("chair", {}, 404),  # a chair not appointed to the review does not see it
    ("practitioner", {}, 404),
])
def test_who_may_replace(api_as, chaired, role, kwargs, status):
    review, ann = chaired()
    response = api_as(role, **kwargs).post(url(review), {"chair_id": member("Bob Jones").id,
                                                        "reason": "Illness"})
    assert response.status_code == status, response.json
    if status != 200:
        assert_unchanged(review, ann, review.lock_version)


def test_the_appointed_chair_cannot_replace_themselves(api_as, make_user, make_review):
    user = make_user("chair")
    review = in_state(make_review(), "drafting", chair=chair_member(user))
    response = api_as(user).post(url(review), {"chair_id": member("Bob Jones").id,
                                               "reason": "I am ill"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_the_operation_is_documented(api_as):
    document = api_as("admin").get("/openapi.json").json
    operation = document["paths"]["/api/v1/reviews/{review_id}/chair-replacement"]["post"]
    assert operation["summary"].startswith("Replace the review's chair")


# The page ----------------------------------------------------------------------------------

@pytest.fixture
def coordinator(client, make_user):
    user = make_user("coordinator")
    sign_in(client, user)
    return user


def test_the_review_page_links_to_the_replacement_form(client, coordinator, chaired, make_user):
    review, _ann = chaired()
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert f'href="/reviews/{review.id}/chair-candidates#replace">Replace the chair' in html
    client.post("/sign-out")
    sign_in(client, make_user("subgroup_member"))
    assert "Replace the chair" not in client.get(f"/reviews/{review.id}").get_data(as_text=True)


def test_replacing_the_chair_through_the_form(client, coordinator, chaired, make_review):
    review, ann = chaired(agencies=["police"])
    bob = member("Bob Jones")
    member("Pat Police", conflicts={"police": ""})
    page = client.get(f"/reviews/{review.id}/chair-candidates")
    html = page.get_data(as_text=True)
    form = html.split('id="replace"')[1].split("</form>")[0]
    assert "Ann Smith is the chair" in form
    radios = form.split('id="replace-member_id"')[1].split("</fieldset>")[0]
    assert f'value="{bob.id}"' in radios and "Bob Jones (0 of 2 current reviews)" in radios
    assert "Pat Police" not in radios and f'value="{ann.id}"' not in radios
    response = client.post(url(review), data={
        "replace-member_id": str(bob.id), "replace-reason": "Illness",
        "replace-date": YESTERDAY.isoformat(), "replace-role": "chair",
        "replace-lock_version": str(review.lock_version)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reviews/{review.id}#history")
    assert fresh(review).chair_id == bob.id
    followed = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Bob Jones is now the chair" in followed and "replacing Ann Smith" in followed
    assert "Ann Smith → Bob Jones" in followed


def test_the_form_shows_every_problem_in_an_error_summary(client, coordinator, chaired):
    review, ann = chaired()
    member("Bob Jones")
    response = client.post(url(review), data={
        "replace-member_id": "", "replace-reason": "  ", "replace-role": "chair",
        "replace-lock_version": str(review.lock_version)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert "The new chair not chosen" in summary
    assert "The reason for the replacement" in summary
    assert 'id="replace"' in html  # the form is shown again
    bad_date = client.post(url(review), data={
        "replace-member_id": str(ann.id), "replace-reason": "Ill", "replace-role": "chair",
        "replace-date": "2024-13-45"})
    assert bad_date.status_code == 400
    assert 'href="#replace-date-day"' in bad_date.get_data(as_text=True)
    assert_unchanged(review, ann, review.lock_version)


def test_the_form_says_when_someone_else_changed_the_review(client, coordinator, chaired):
    review, ann = chaired()
    bob = member("Bob Jones")
    response = client.post(url(review), data={
        "replace-member_id": str(bob.id), "replace-reason": "Illness",
        "replace-role": "chair", "replace-lock_version": str(review.lock_version - 1)})
    assert response.status_code == 409
    assert "Someone else changed this review" in response.get_data(as_text=True)
    assert_unchanged(review, ann, review.lock_version)


def test_those_who_do_not_commission_cannot_post_the_form(client, make_user, chaired):
    review, ann = chaired()
    sign_in(client, make_user("subgroup_member"))
    response = client.post(url(review), data={"replace-member_id": str(member("Bob").id),
                                              "replace-reason": "Illness"})
    assert response.status_code == 403
    assert_unchanged(review, ann, review.lock_version)


def test_the_form_needs_its_csrf_token(csrf_client, make_user, chaired):
    review, ann = chaired()
    bob = member("Bob Jones")
    sign_in_with_token(csrf_client, make_user("coordinator").email)
    page = csrf_client.get(f"/reviews/{review.id}/chair-candidates").get_data(as_text=True)
    token = re.search(r'name="replace-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token in the replacement form"
    data = {"replace-member_id": str(bob.id), "replace-reason": "Illness",
            "replace-role": "chair"}
    assert csrf_client.post(url(review), data=data).status_code == 400
    assert_unchanged(review, ann, review.lock_version)
    response = csrf_client.post(url(review), data={**data, "replace-csrf_token": token[1]})
    assert response.status_code == 303
    assert fresh(review).chair_id == bob.id


def test_no_form_when_nobody_is_appointed(client, coordinator, make_review):
    review = in_state(make_review(), "chair_appointment")
    member("Bob Jones")
    html = client.get(f"/reviews/{review.id}/chair-candidates").get_data(as_text=True)
    assert 'id="replace"' not in html and "Invite<span" in html


# Two replacements racing for one chair's last free place -----------------------------------

def last_place_race(make_review) -> tuple[int, list[int]]:
    """Bob has capacity 2 and one review already; two other reviews want to replace their
    chairs with him at the same moment."""
    bob = member("Bob Jones", capacity=2)
    in_state(make_review(csp="Dacorum"), "drafting", chair=bob)
    wanting = [in_state(make_review(csp="Dacorum"), "drafting",
                        chair=member(f"Ill Chair {n}")).id for n in range(2)]
    return bob.id, wanting


def replace_over_api(app, token: str, member_id: int, review_id: int, responses: dict,
                     before=lambda: None):
    def run() -> None:
        client = app.test_client()
        before()
        response = client.post(f"/api/v1/reviews/{review_id}/chair-replacement",
                               json={"chair_id": member_id, "reason": "Illness"},
                               headers={"Authorization": f"Bearer {token}"})
        responses[review_id] = (response.status_code, response.get_json())
    return run


def assert_exactly_one_replaced(responses: dict, member_id: int, wanting: list[int]) -> None:
    assert sorted(status for status, _ in responses.values()) == [200, 422], responses
    loser = next(body for status, body in responses.values() if status == 422)
    assert any("Bob Jones cannot be appointed as chair: at capacity (2 of 2)" in item
               for item in loser["error"]["details"]["missing"]), loser
    db.session.expire_all()
    chairs = [db.session.get(Review, review_id).chair_id for review_id in wanting]
    assert chairs.count(member_id) == 1
    assert len(allocation.current_reviews(db.session.get(PoolMember, member_id))) == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="watches PostgreSQL's row lock")
def test_two_replacements_race_for_the_last_place_and_one_wins(app, make_review, make_user,
                                                               monkeypatch):
    """The first request is held just after reserving Bob; the second is seen waiting on
    Bob's row lock; once the first commits, the second is refused: at capacity."""
    member_id, (first, second) = last_place_race(make_review)
    tokens = manager_tokens(make_user)
    reserved, release = hold_after_reserving(monkeypatch, first)
    responses: dict[int, Any] = {}
    threads = [
        threading.Thread(target=replace_over_api(app, tokens[0], member_id, first, responses)),
        threading.Thread(target=replace_over_api(app, tokens[1], member_id, second, responses,
                                                 before=lambda: reserved.wait(TIMEOUT))),
    ]
    run_while_held(threads, release)
    assert responses[first][0] == 200, responses
    assert_exactly_one_replaced(responses, member_id, [first, second])


def test_simultaneous_replacements_let_exactly_one_through(app, make_review, make_user):
    """The same race without holding either request (both databases)."""
    member_id, wanting = last_place_race(make_review)
    tokens = manager_tokens(make_user)
    barrier = threading.Barrier(2)
    responses: dict[int, Any] = {}
    run_threads([
        replace_over_api(app, token, member_id, review_id, responses,
                         before=lambda: barrier.wait(TIMEOUT))
        for token, review_id in zip(tokens, wanting, strict=True)
    ])
    assert_exactly_one_replaced(responses, member_id, wanting)


def test_training_validity_comes_from_the_settings(app):
    assert app.config["TRAINING_VALID_YEARS"] == 3
    assert allocation.training_valid_years() == 3  # the rule itself: test_pool_eligibility
