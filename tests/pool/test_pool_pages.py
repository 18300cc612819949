"""The chair pool's pages: the pool with load and expiring training, adding and editing
members, ranked candidates with invitations, and the chair's own invitations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Invitation, PoolMember
from dhr.web.templating import format_date
from dhr.workflow.allocation import rank_candidates
from tests.conftest import sign_in
from tests.support.pool import TODAY, in_state, member

MEMBER_FORM = {
    "name": "Priya Shah", "email": "priya.shah@chairs.example", "phone": "",
    "roles": ["chair", "report_writer"], "is_active": "yes", "capacity": "3",
    "excluded_csps": ["Watford"],
}


@pytest.fixture
def coordinator(client, make_user):
    user = make_user("coordinator")
    sign_in(client, user)
    return user


def test_pool_page_shows_load_and_training_expiring_within_90_days(client, coordinator,
                                                                    make_review):
    soon = TODAY + timedelta(days=30)
    expiring = member("David Okafor", trained=TODAY - timedelta(days=400), expires=soon)
    member("Helen Carter", trained=date(2019, 1, 1))  # long expired: not "expiring"
    in_state(make_review(), "drafting", chair=expiring)
    page = client.get("/pool")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Chair pool" in html
    warning = html.split('id="expiring-training"')[1].split("</ul>")[0]
    assert "David Okafor" in warning and format_date(soon) in warning
    assert "Helen Carter" not in warning
    assert "1 of 2" in html and "DHR-DACORUM-2024-01" in html
    assert "Expired 1 January 2022" in html


@pytest.mark.parametrize("role", ["csp_manager", "subgroup_member", "chair", "practitioner"])
def test_only_coordinators_and_admins_see_the_pool_pages(client, make_user, role):
    chair = member()
    sign_in(client, make_user(role))
    assert client.get("/pool").status_code == 403
    assert client.get(f"/pool/{chair.id}").status_code == 403
    assert client.post("/pool/new", data=MEMBER_FORM).status_code == 403
    assert "Chair pool" not in client.get("/").get_data(as_text=True)


def test_the_nav_links_to_the_pool_for_coordinators(client, coordinator):
    assert 'href="/pool"' in client.get("/").get_data(as_text=True)


def test_add_and_edit_a_member_through_the_forms(client, coordinator):
    response = client.post("/pool/new", data=MEMBER_FORM)
    assert response.status_code == 302
    created = db.session.scalar(select(PoolMember).filter_by(email="priya.shah@chairs.example"))
    assert created.roles == ["chair", "report_writer"] and created.capacity == 3
    assert [c.name for c in created.excluded_csps] == ["Watford"]
    edited = client.post(f"/pool/{created.id}/edit",
                         data={**MEMBER_FORM, "is_active": "no", "capacity": "1",
                               "roles": ["report_writer"], "excluded_csps": []})
    assert edited.status_code == 302
    db.session.refresh(created)
    assert (created.is_active, created.capacity, created.roles) == (False, 1,
                                                                    ["report_writer"])
    assert created.excluded_csps == []
    page = client.get(f"/pool/{created.id}").get_data(as_text=True)
    assert "Priya Shah" in page and "Inactive" in page


def test_member_form_errors_are_shown_and_nothing_is_saved(client, coordinator):
    response = client.post("/pool/new", data={**MEMBER_FORM, "roles": [], "capacity": "99"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose at least one role" in html and "Enter a number from 0 to 20" in html
    member(name="Taken")
    taken = db.session.scalar(select(PoolMember).filter_by(name="Taken")).email
    duplicate = client.post("/pool/new", data={**MEMBER_FORM, "email": taken})
    assert duplicate.status_code == 400
    assert "already in the pool" in duplicate.get_data(as_text=True)
    assert db.session.scalar(select(PoolMember).filter_by(name="Priya Shah")) is None


def test_record_and_remove_training_and_conflicts(client, coordinator):
    chair = member(trained=None)
    added = client.post(f"/pool/{chair.id}/training", data={
        "training-kind": "aafda_certificate", "training-completed_date": "2024-06-01",
        "training-expires_date": "", "training-note": "Certificate seen"})
    assert added.status_code == 302
    future = client.post(f"/pool/{chair.id}/training", data={
        "training-kind": "other",
        "training-completed_date": (TODAY + timedelta(days=3)).isoformat()})
    assert future.status_code == 400
    assert "Date completed must be today or in the past" in future.get_data(as_text=True)
    conflict = client.post(f"/pool/{chair.id}/conflicts", data={
        "conflict-agency": "police", "conflict-note": "Constabulary 2004-2016"})
    assert conflict.status_code == 302
    twice = client.post(f"/pool/{chair.id}/conflicts", data={"conflict-agency": "police"})
    assert twice.status_code == 400
    db.session.refresh(chair)
    assert [(t.kind, t.note) for t in chair.training] == [("aafda_certificate",
                                                           "Certificate seen")]
    assert [(c.agency, c.note) for c in chair.conflicts] == [("police",
                                                              "Constabulary 2004-2016")]
    page = client.get(f"/pool/{chair.id}").get_data(as_text=True)
    assert "1 June 2027" in page  # valid three years
    client.post(f"/pool/{chair.id}/training/{chair.training[0].id}/remove",
                data={"confirm": "yes"})
    client.post(f"/pool/{chair.id}/conflicts/{chair.conflicts[0].id}/remove")
    db.session.refresh(chair)
    assert chair.training == [] and chair.conflicts == []


def test_candidates_page_explains_and_invites(client, coordinator, make_review):
    review = in_state(make_review(agencies=["police"]), "chair_appointment")
    able = member("Ann Able")
    member("Pat Police", conflicts={"police": ""})
    page = client.get(f"/reviews/{review.id}/chair-candidates")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Ann Able") < html.index("Pat Police")
    assert "Conflict of interest: worked for Police, which is in this review&#39;s scope" in html
    assert html.count("Invite<span") == 1  # only the eligible member can be invited
    invited = client.post(f"/reviews/{review.id}/chair-invitations",
                          data={"member_id": able.id, "role": "chair"})
    assert invited.status_code == 302
    assert db.session.scalar(select(Invitation)).member_id == able.id
    assert "Invited" in client.get(f"/reviews/{review.id}/chair-candidates").get_data(
        as_text=True)
    again = client.post(f"/reviews/{review.id}/chair-invitations",
                        data={"member_id": able.id, "role": "chair"})
    assert again.status_code == 409
    assert "already invited" in again.get_data(as_text=True)


def test_the_pool_page_links_reviews_waiting_for_a_chair(client, coordinator, make_review):
    review = in_state(make_review(), "chair_appointment")
    html = client.get("/pool").get_data(as_text=True)
    assert f'href="/reviews/{review.id}/chair-candidates"' in html


def test_candidates_page_refuses_those_who_do_not_commission(client, make_user, make_review):
    review = in_state(make_review(csp="Dacorum"), "chair_appointment")
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    assert client.get(f"/reviews/{review.id}/chair-candidates").status_code == 404
    client.post("/sign-out")
    sign_in(client, make_user("subgroup_member"))
    assert client.get(f"/reviews/{review.id}/chair-candidates").status_code == 403


def test_a_chair_answers_an_invitation_on_their_page(client, make_user, make_review):
    review = in_state(make_review(), "chair_appointment")
    user = make_user("chair")
    invited = db.session.scalar(select(PoolMember).where(PoolMember.user_id == user.id))
    invitation = Invitation(review=review, member=invited)
    db.session.add(invitation)
    db.session.commit()
    sign_in(client, user)
    html = client.get("/chair-invitations").get_data(as_text=True)
    assert review.reference in html and "Police, Housing" in html
    assert 'href="/chair-invitations"' in client.get("/").get_data(as_text=True)
    answered = client.post(f"/chair-invitations/{invitation.id}/respond",
                           data={"response": "accept"})
    assert answered.status_code == 302
    db.session.refresh(invitation)
    assert invitation.state == "accepted"
    again = client.post(f"/chair-invitations/{invitation.id}/respond",
                        data={"response": "decline"})
    assert again.status_code == 409
    db.session.refresh(invitation)
    assert invitation.state == "accepted"


def test_the_candidates_partial_has_no_forms_of_its_own(app, make_review):
    """B includes it inside the appoint-chair form: nested forms would break that form."""
    review = in_state(make_review(), "chair_appointment")
    member("Ann Able")
    with app.test_request_context():
        html = render_template("pool/_candidates.html", review=review,
                               candidates=rank_candidates(review))
    assert "Ann Able" in html and "Eligible" in html
    assert "<form" not in html
