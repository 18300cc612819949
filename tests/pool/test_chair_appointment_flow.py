"""Appointing a chair as one flow (issue 13, finding 4): from the review page to the ranked
candidates, choose, confirm; only eligible people offered, in rank order; invitations that
are no longer needed say so; the history names people, never ids (finding 6)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AuditEntry, Invitation, Review
from dhr.workflow.allocation import invite
from tests.conftest import sign_in
from tests.support.pool import TODAY, in_state, member


def words(response) -> str:
    body = response.get_data(as_text=True)
    main = body[body.index("<main"):body.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, user)
    return user


@pytest.fixture
def waiting(make_review):
    """A Dacorum review waiting for its chair, decided recently (six months still to run)."""
    review = make_review(agencies=["police"], notification_date=TODAY - timedelta(days=20),
                         date_of_death=TODAY - timedelta(days=25))
    return in_state(review, "chair_appointment")


def _busy(name: str, reviews: int, make_review) -> None:
    """A chair already working on `reviews` other reviews."""
    chair = member(name, capacity=3)
    for _ in range(reviews):
        in_state(make_review(), "panel_and_scope", chair=chair)


def test_the_review_page_leads_to_the_ranked_candidates(client, manager, waiting):
    member("Ann Able")
    page = client.get(f"/reviews/{waiting.id}").get_data(as_text=True)
    steps = page[page.index('id="next-steps"'):]
    first = re.search(r'href="([^"]+)" role="button"', steps).group(1)
    assert first == f"/reviews/{waiting.id}/chair-candidates"
    task = re.search(r'class="govuk-link govuk-task-list__link" href="([^"]+)"[^>]*>Appoint an '
                     r'independent chair', page)
    assert task and task.group(1) == f"/reviews/{waiting.id}/chair-candidates"


def test_candidates_ranked_with_reasons_the_others_apart_and_choose_leads_to_confirm(
        client, manager, waiting, make_review):
    _busy("Zoe Busy", 1, make_review)
    member("Yan Free")
    member("Abe Conflicted", conflicts={"police": "Constabulary 2004-2016"})
    page = client.get(f"/reviews/{waiting.id}/chair-candidates").get_data(as_text=True)
    eligible = page[page.index('id="eligible-candidates"'):page.index('id="not-eligible"')]
    others = page[page.index('id="ineligible-candidates"'):]
    # Ranked by load (not alphabetically), and the ineligible only in their own list.
    assert eligible.index("Yan Free") < eligible.index("Zoe Busy")
    assert "Abe Conflicted" not in eligible
    assert "Abe Conflicted" in others and "Conflict of interest: worked for Police" in others
    assert "1 of 3" in eligible  # the reason for the rank: current reviews
    choose = re.search(r'href="([^"]+)" role="button"[^>]*>Choose<span[^>]*> Yan Free',
                       eligible).group(1)
    confirm = client.get(html.unescape(choose))
    assert confirm.status_code == 200
    text = words(confirm)
    assert "Check the appointment, then confirm it. Yan Free will be the chair of" in text
    options = re.findall(r'<option([^>]*)>([^<]*)</option>', confirm.get_data(as_text=True))
    chair_options = [label for _, label in options[:3]]
    assert chair_options == ["Choose", "Yan Free (0 of 2 current reviews)",
                             "Zoe Busy (1 of 3 current reviews)"]
    assert "selected" in options[1][0]  # the person chosen, ready to confirm
    assert "Abe Conflicted" not in confirm.get_data(as_text=True)


def test_a_chair_at_capacity_is_refused_without_yet(client, manager, waiting, make_review):
    full = member("Fay Full", capacity=1)
    in_state(make_review(), "panel_and_scope", chair=full)
    response = client.post(f"/reviews/{waiting.id}/events/appoint_chair", data={
        "chair_id": str(full.id), "appointed_date": TODAY.isoformat(),
        "expected_version": str(waiting.lock_version)})
    assert response.status_code == 422
    text = words(response)
    assert "This appointment cannot be made" in text
    assert "You cannot appoint the independent chair yet" not in text
    assert "Fay Full cannot be appointed as chair: at capacity (1 of 1)" in text
    db.session.expire_all()
    assert db.session.get(Review, waiting.id).chair_id is None


def test_other_invitations_become_not_needed_and_the_history_names_people(
        client, manager, waiting):
    chosen, other = member("Ann Able"), member("Bob Backup")
    invite(waiting, other, manager)
    db.session.commit()
    page = words(client.get(f"/reviews/{waiting.id}"))
    assert "Invitation to be the chair sent to Bob Backup" in page
    response = client.post(f"/reviews/{waiting.id}/events/appoint_chair", data={
        "chair_id": str(chosen.id), "appointed_date": TODAY.isoformat(),
        "expected_version": str(waiting.lock_version)})
    assert response.status_code == 303, words(response)
    invitation = db.session.scalar(select(Invitation))
    db.session.refresh(invitation)
    assert invitation.state == "not_needed"
    page = words(client.get(f"/reviews/{waiting.id}"))
    assert "Chair Ann Able" in page
    assert not re.search(r"Chair \d", page)
    assert "Invitation to Bob Backup no longer needed: someone else was appointed chair" in page
    candidates = client.get(f"/reviews/{waiting.id}/chair-candidates").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.review_id == waiting.id, AuditEntry.action == "event.appoint_chair"))
    assert f'href="/reviews/{waiting.id}#history-{entry.id}"' in candidates
    assert f'id="history-{entry.id}"' in client.get(f"/reviews/{waiting.id}").get_data(
        as_text=True)
    assert "Not needed" in candidates


def test_the_api_lists_an_invitation_no_longer_needed_and_warnings(api_as, make_user,
                                                                     waiting):
    manager = make_user("csp_manager", csps=["Dacorum"])
    chosen, other = member("Ann Able"), member("Bob Backup")
    member("Amy Soon", trained=TODAY - timedelta(days=700), expires=TODAY + timedelta(days=40))
    invite(waiting, other, manager)
    db.session.commit()
    api = api_as(manager)
    ranked = api.get(f"/reviews/{waiting.id}/chair-candidates").json
    soon = next(c for c in ranked if c["chair"]["name"] == "Amy Soon")
    assert soon["eligible"] and "before the review is expected to finish" in soon["warnings"][0]
    response = api.post(f"/reviews/{waiting.id}/transitions", {
        "event": "appoint_chair", "data": {"chair_id": chosen.id}})
    assert response.status_code in {200, 201}, response.json
    ranked = api.get(f"/reviews/{waiting.id}/chair-candidates").json
    assert next(c for c in ranked if c["chair"]["name"] == "Bob Backup")["invitation"] == \
        "not_needed"
