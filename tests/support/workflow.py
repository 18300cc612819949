"""Helpers for the lifecycle tests: a trained chair in the pool, valid data for every event,
and a review put straight into any state with what its next steps need (documents, agency
requests, recommendations, amendments) made through the workflow's and learning's own operations.

Putting a review in a state writes the columns directly: that is test set-up, not a
transition (the transitions themselves are what the tests exercise).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dhr.extensions import db
from dhr.models import HoAmendment, PoolMember, Review, User
from dhr.models.pool import TrainingRecord
from dhr.workflow.agency_requests import create_request, send_request_event
from dhr.workflow.documents import latest, save_markdown
from learning.recommendations import complete, create_recommendation

TODAY = date.today()
CLEAN_TEXT = "Adult A was known to several agencies. Agencies should ask about abuse."

# States (in lifecycle order) by what has happened to a review in them.
DECIDED = ("chair_appointment", "panel_and_scope", "information_gathering", "drafting",
           "local_qa", "ready_for_submission", "home_office_qa", "ho_amendments",
           "publication_pending", "published", "closed", "withdrawn")
CHAIRED = DECIDED[1:]
SUBMITTED = ("home_office_qa", "ho_amendments", "publication_pending", "published", "closed")
DRAFTED = ("drafting", "local_qa", "ready_for_submission", *SUBMITTED)


def train(member: PoolMember, roles: tuple[str, ...] = ("chair", "report_writer"),
          capacity: int = 50) -> PoolMember:
    """Make a pool member eligible: both roles, active, trained last year, room to spare."""
    member.roles = list(roles)
    member.is_active = True
    member.capacity = capacity
    member.training.append(TrainingRecord(kind="home_office_chair_training",
                                          completed_date=TODAY - timedelta(days=365)))
    db.session.flush()
    return member


def pool_member(name: str = "Pat Chair", user: User | None = None, **kw: Any) -> PoolMember:
    """A new trained pool member (linked to a chair user if given)."""
    count = db.session.query(PoolMember).count()
    member = PoolMember(name=name, email=f"pool{count + 1}-{id(name)}@pool.example", user=user)
    db.session.add(member)
    db.session.flush()
    return train(member, **kw)


def chair_member(user: User) -> PoolMember:
    """The pool member of a chair user (make_user('chair') creates one), trained."""
    member = db.session.query(PoolMember).filter_by(user_id=user.id).one()
    return train(member)


def valid_data(event: str, *, chair_id: int | None = None,
               outcome: str = "approved") -> dict[str, Any]:
    """Data that satisfies the event's guard on a review prepared by put_in_state."""
    decision = {"decision_date": "2024-02-20", "rationale": "Meets the s.9 criteria.",
                "ho_informed_date": "2024-02-21"}
    return {
        "decide_to_review": decision,
        "decide_not_to_review": decision,
        "ho_accepts_no_review": {"letter_date": "2024-05-01"},
        "ho_directs_review": {"direction_date": "2024-05-01"},
        "appoint_chair": {"chair_id": chair_id},
        "agree_terms_of_reference": {"panel_agencies": ["police", "Housing"],
                                     "family_contact": "made"},
        "complete_information_gathering": {},
        "submit_for_local_qa": {"family_consulted_on_draft": True},
        "return_from_local_qa": {"comments": "Section 4 needs the GP's chronology."},
        "approve_local_qa": {"comments": "A clear report."},
        "submit_to_home_office": {"csp_signoff_date": TODAY.isoformat()},
        "record_ho_outcome": {"outcome": outcome, "letter_date": TODAY.isoformat(),
                              "points": ["Remove the street name from paragraph 2.3."]},
        "complete_amendments": {"note": "All done."},
        "publish": {"url": "https://www.dacorum.gov.uk/dhr/adult-a",
                    "dac_copy_sent_date": TODAY.isoformat()},
        "withhold_publication": {"reason": "The family asked that it is not published.",
                                 "dac_copy_sent_date": TODAY.isoformat()},
        "close_review": {},
        "pause": {"reason": "criminal_trial"},
        "resume": {},
        "withdraw": {"reason": "Merged into a joint review with Watford CSP."},
    }[event]


def write_documents(review: Review, actor: User, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        save_markdown(review, kind, f"# {kind}\n\n{CLEAN_TEXT}", actor)


def accepted_request(review: Review, actor: User, agency: str = "police") -> None:
    request = create_request(review, actor, agency=agency, kind="imr")
    send_request_event(request, actor, "submit")
    send_request_event(request, actor, "accept")


def recommendation(review: Review, actor: User, number: str = "1.1") -> Any:
    return create_recommendation(review, actor, {
        "number": number, "text": "All agencies should ask about domestic abuse.",
        "level": "local", "agency": "police"})


def put_in_state(review: Review, state: str, actor: User, *, chair: PoolMember | None = None,
                 paused: bool = False, review_items: bool = True) -> Review:
    """Set the review up in `state` with what the events out of it need (actor: an admin).

    review_items=False leaves out the documents, agency requests and recommendations (for
    tests where the event must be refused before any guard is asked)."""
    if state in DECIDED or state in {"no_review_ho_scrutiny", "closed_no_review"}:
        review.decision_date = date(2024, 2, 20)
        review.decision_rationale = "Meets the s.9 criteria."
        review.ho_informed_date = date(2024, 2, 21)
    if state in CHAIRED and chair is not None:
        review.chair = chair
        review.chair_appointed_date = date(2024, 3, 1)
    if state == "panel_and_scope" and review_items:
        write_documents(review, actor, ("terms_of_reference",))
    if state == "information_gathering" and review_items:
        accepted_request(review, actor)
    if state in DRAFTED and review_items:
        write_documents(review, actor, ("overview_report", "executive_summary", "action_plan"))
        recommendation(review, actor)
    if state in SUBMITTED:
        review.submitted_date = TODAY
        review.csp_signoff_date = TODAY
    if state == "ho_amendments" and review_items:
        review.ho_outcome = "approved_subject_to_amendments"
        review.ho_letter_date = TODAY
        review.ho_outcome_versions = {"overview_report": 1, "executive_summary": 1}
        db.session.add(HoAmendment(review_id=review.id, number=1, text="Remove the street name.",
                                   letter_date=TODAY, is_done=True, done_date=TODAY))
        save_markdown(review, "overview_report", f"# Revised\n\n{CLEAN_TEXT}", actor)
    if state in {"published", "closed"} and review_items:
        db.session.flush()
        for rec in _recommendations(review):
            complete(rec, actor, {"evidence": "Training delivered to all staff."})
    if state in {"published", "closed"}:
        review.published_date = TODAY
        review.published_url = "https://www.dacorum.gov.uk/dhr/adult-a"
    if paused:
        review.is_paused = True
        review.pause_reason = "inquest"
        review.paused_since_date = TODAY - timedelta(days=10)
    review.state = state
    db.session.commit()
    return review


def _recommendations(review: Review) -> list[Any]:
    from learning.recommendations import recommendations_for

    return recommendations_for(review)


def report_version(review: Review, kind: str) -> int:
    saved = latest(review, kind)
    return saved.version if saved else 0
