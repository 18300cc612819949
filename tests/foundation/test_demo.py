"""The demo data (`dhr demo`): current reviews reach their stage through the real lifecycle,
with the documents, agency requests and recommendations each stage needs; the published ones
give practitioners something real to read; loading twice changes nothing."""

from __future__ import annotations

import time
import tomllib
from datetime import date

import pytest
from sqlalchemy import func, select

from dhr.demo.demo import CURRENT, DEMO_PASSWORD, HISTORIC, load_demo
from dhr.extensions import db
from dhr.models import (
    AgencyRequest,
    AuditEntry,
    HoAmendment,
    Invitation,
    Notification,
    Review,
    User,
)
from dhr.workflow.anonymisation import identifying_term_hits
from dhr.workflow.documents import latest
from learning.recommendations import recommendations_for
from tests.conftest import Api, sign_in
from tests.support import PROJECT
from tests.support.foundation import row_counts

CURRENT_STATES = {pseudonym: state for _, _, state, _, pseudonym, _ in CURRENT}


@pytest.fixture
def demo(app) -> dict[str, Review]:
    """The demo loaded once; the current reviews by pseudonym."""
    start = time.perf_counter()
    assert load_demo()
    db.session.commit()
    print(f"\nthe demo loaded in {time.perf_counter() - start:.2f} s")
    reviews = db.session.scalars(select(Review).where(
        Review.victim_pseudonym.in_(CURRENT_STATES))).all()
    return {review.victim_pseudonym: review for review in reviews}


def history(review: Review) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.review_id == review.id,
        AuditEntry.action.like("event.%") | (AuditEntry.action == "review.notified"),
    ).order_by(AuditEntry.id)))


def events(review: Review) -> list[str]:
    return [entry.action.removeprefix("event.") for entry in history(review)[1:]]


# Dates an event's data may hold that are not when something happened then.
NOT_STEPS = {"expected_end", "paused_since"}


def event_dates(entry: AuditEntry) -> list[date]:
    return [date.fromisoformat(value) for key, value in entry.data.items()
            if key not in NOT_STEPS and isinstance(value, str) and len(value) == 10
            and value[4] == "-"]


def test_every_current_review_reached_its_stage_through_the_lifecycle(demo, client):
    assert set(demo) == set(CURRENT_STATES)
    today = date.today()
    for pseudonym, review in demo.items():
        entries = history(review)
        assert entries[0].action == "review.notified", pseudonym
        assert not any(e.action == "review.imported" for e in entries)
        state, last = "notified", review.notification_date
        for entry in entries[1:]:
            assert entry.from_state == state, (pseudonym, entry.action)
            assert entry.actor is not None and entry.actor.role != "admin"
            state = entry.to_state
            dates = event_dates(entry)  # backdated, in order, never in the future
            assert all(last <= when <= today for when in dates), (pseudonym, entry.action)
            last = max(dates, default=last)
        assert state == review.state == CURRENT_STATES[pseudonym], pseudonym
        assert review.lock_version == len(entries)  # nothing moved it but the events

    # Who acted: the CSP's own manager, the appointed chair, the county sub-group.
    ella = history(demo["Ella"])
    actors = {e.action.removeprefix("event."): e.actor for e in ella}
    assert actors["decide_to_review"].role == "coordinator"  # East Herts has no manager
    assert actors["agree_terms_of_reference"].id == demo["Ella"].chair.user_id
    assert actors["return_from_local_qa"].role == "subgroup_member"
    assert history(demo["Adult R"])[1].actor.email == "watford@herts.example"
    # Years-old steps are not announced to the demo users as news.
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    # The pages show it all.
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@herts.example"))
    assert sign_in(client, coordinator, password=DEMO_PASSWORD).status_code == 302
    for review in demo.values():
        if review.csp.area_id != coordinator.area_id:
            continue
        for page in ("", "/documents", "/requests", "/recommendations"):
            response = client.get(f"/reviews/{review.id}{page}")
            assert response.status_code == 200, (review.victim_pseudonym, page)


def test_the_stories_behind_the_stages(demo):
    assert events(demo["Adult V"]) == ["decide_not_to_review"]
    assert events(demo["Sam"]) == [] and events(demo["Adult M"]) == []

    # Chairs come from the pool's ranking: capacity and conflicts respected.
    martin = db.session.scalar(select(User).where(User.email == "martin.hughes@chairs.example"))
    chairs = [r.chair for r in demo.values() if r.chair is not None]
    assert chairs and all(c.user_id != martin.id for c in chairs)  # police conflict
    for member in {c.id: c for c in chairs}.values():
        current = [r for r in demo.values() if r.chair_id == member.id
                   and r.state not in {"published", "closed"}]
        assert len(current) <= member.capacity, member.name
    waiting = db.session.scalars(select(Invitation).where(
        Invitation.review_id == demo["Adult P"].id)).all()
    assert sorted(i.state for i in waiting) == ["accepted", "invited"]

    # Information gathering: one IMR overdue and still awaited, one waived with a reason.
    requests = db.session.scalars(select(AgencyRequest).where(
        AgencyRequest.review_id == demo["Adult R"].id)).all()
    by_agency = {r.agency: r for r in requests}
    assert by_agency["housing"].state == "requested"
    assert by_agency["housing"].due_date < date.today()
    assert by_agency["adult_social_care"].state == "waived"
    assert by_agency["adult_social_care"].waive_reason
    assert {by_agency["police"].state, by_agency["gp_primary_care"].state} == {"accepted"}
    overdue = db.session.scalars(select(AgencyRequest).where(
        AgencyRequest.state == "requested", AgencyRequest.due_date < date.today())).all()
    assert [r.review_id for r in overdue] == [demo["Adult R"].id]

    # Local QA returned once, pauses for a trial and an inquest, Home Office outcomes.
    assert events(demo["Ella"]).count("return_from_local_qa") == 1
    assert events(demo["Ella"])[-1] == "submit_to_home_office"
    assert demo["Ella"].paused_days > 0 and demo["Bea"].paused_days > 0
    pauses = [e.data["reason"] for e in history(demo["Ella"]) if e.action == "event.pause"]
    assert pauses == ["criminal_trial"]
    assert demo["Mary"].is_paused and demo["Mary"].pause_reason == "inquest"
    outcomes = [e.data["outcome"] for e in history(demo["Adult D"])
                if e.action == "event.record_ho_outcome"]
    assert outcomes == ["resubmit", "approved"] and demo["Adult D"].resubmissions == 1
    peggy = demo["Peggy"]
    assert peggy.ho_outcome == "approved_subject_to_amendments"
    amendments = db.session.scalars(select(HoAmendment).where(
        HoAmendment.review_id == peggy.id)).all()
    assert amendments and all(a.is_done for a in amendments)
    assert events(peggy)[-1] == "complete_amendments"

    # Each stage has what it needs: terms of reference, reports, 2 to 4 recommendations.
    for pseudonym in ("Adult K", "Ella", "Peggy", "Adult D"):
        review = demo[pseudonym]
        for kind in ("terms_of_reference", "overview_report", "executive_summary",
                     "action_plan"):
            assert latest(review, kind) is not None, (pseudonym, kind)
        recommendations = recommendations_for(review)
        assert 2 <= len(recommendations) <= 4, pseudonym
        for rec in recommendations:
            assert rec.text and rec.agency and rec.due_date and rec.themes
            assert rec.level in {"local", "regional", "national"}
    assert latest(demo["Joy"], "terms_of_reference").version == 2
    assert latest(demo["Bea"], "overview_report") is not None
    assert latest(demo["Bea"], "executive_summary") is None  # still drafting


def test_published_reviews_give_practitioners_real_material(demo, client):
    published = db.session.scalars(select(Review).where(
        Review.state.in_(["published", "closed"]))).all()
    assert len(published) == len(HISTORIC) + 1
    for review in published:
        assert identifying_term_hits(review) == [], review.reference
        assert latest(review, "executive_summary") is not None, review.reference
        assert 1 <= len(recommendations_for(review)) <= 4, review.reference

    adult_d = demo["Adult D"]
    assert adult_d.published_url.startswith("https://") and adult_d.dac_copy_sent_date
    statuses = {r.number: r.status for r in recommendations_for(adult_d)}
    assert statuses == {"1.1": "completed", "1.2": "open", "1.3": "completed", "1.4": "open"}

    practitioner = db.session.scalar(select(User).where(User.role == "practitioner"))
    body = Api(client, practitioner).get(f"/reviews/{adult_d.id}/published").json
    assert "Adult E" in body["executive_summary"]["body"]
    assert [r["number"] for r in body["recommendations"]] == ["1.1", "1.2", "1.3", "1.4"]
    assert sign_in(client, practitioner, password=DEMO_PASSWORD).status_code == 302
    page = client.get(f"/reviews/{adult_d.id}/published").get_data(as_text=True)
    assert "Executive summary" in page and "carer&#39;s assessment" in page

    # Learning across the years: the GP routine enquiry recommendation recurs, often open.
    texts = db.session.scalars(select(Review.id).where(Review.state.in_(["published",
                                                                          "closed"])))
    gp = [r for review_id in texts
          for r in recommendations_for(db.session.get(Review, review_id))
          if "routine" in (r.themes and " ".join(r.themes)) and r.agency == "gp_primary_care"]
    assert len(gp) >= 5
    assert {r.status for r in gp} == {"open", "completed"}
    completed = [r for r in gp if r.status == "completed"]
    assert all(r.completed_date and r.completed_date <= date.today() for r in completed)


def test_loading_twice_is_a_no_op(app):
    assert load_demo()
    db.session.commit()
    loaded = row_counts()
    assert load_demo() is False
    db.session.commit()
    assert row_counts() == loaded


def test_an_installed_package_carries_every_demo_data_file():
    """The demo's words are package data: the patterns in pyproject.toml cover every file
    in dhr/demo/data/, so `dhr demo` works from an installed wheel too."""
    root = PROJECT
    settings = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = settings["tool"]["setuptools"]["package-data"]["dhr.demo"]
    package = root / "dhr" / "demo"
    files = {path for path in (package / "data").rglob("*") if path.is_file()}
    assert files
    assert {path for pattern in patterns for path in package.glob(pattern)} == files
