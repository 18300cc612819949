"""Each lifecycle event declared once: its label, who may send it, its data, the review
columns it sets from that data, and, where it computes something, its effect.

The engine (dhr.workflow.engine) runs these declarations and names no event; the
transition table (dhr.workflow.table) says from which state each event leads where; the
pages, the API, the CLI, the diagram and the tests read both.

Roles: `admin` and `coordinator` may send every event; `csp_manager`, `chair` and
`subgroup_member` the events that list them; `practitioner` none. Whether the user may act on
*this* review (the manager's CSP, the appointed chair, the sub-group's county) is may_send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from dhr.errors import GuardFailed, InvalidInput
from dhr.extensions import db
from dhr.models import AuditEntry, HoAmendment, PoolMember, Review, User
from dhr.permissions import can_view_review
from dhr.reviews import ReviewInputError, normalise_agencies
from dhr.wording import date_in_words
from dhr.workflow import allocation, documents
from dhr.workflow import events as ev

ALL_EVENT_ROLES = frozenset({"admin", "coordinator"})
# The reports whose versions the history keeps at submission and at the Home Office outcome.
REPORT_KINDS = ("overview_report", "executive_summary", "action_plan")


@dataclass(frozen=True)
class Changes:
    """What an effect adds: review columns to set, and facts for the history row."""

    values: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


Effect = Callable[[Review, Any, User], Changes]
DateRule = Callable[[Review, Any], dict[str, str]]


@dataclass(frozen=True)
class Event:
    name: str
    label: str
    data: type[ev.EventData]
    # Roles besides admin and coordinator that may send it.
    roles: frozenset[str] = frozenset()
    # Review column -> field of the event's data.
    sets: Mapping[str, str] = field(default_factory=dict)
    # Review column -> fixed value.
    fixed: Mapping[str, Any] = field(default_factory=dict)
    # Computes further columns and history facts; may refuse (it runs after the guard).
    effect: Effect | None = None
    # Dates that contradict the review beyond the common rule: {field: problem}.
    date_rule: DateRule | None = None
    # Possible only while the review is paused (and then nothing else is).
    while_paused: bool = False

    @property
    def senders(self) -> frozenset[str]:
        return ALL_EVENT_ROLES | self.roles

    def changes(self, review: Review, data: ev.EventData, user: User) -> Changes:
        values = {column: getattr(data, name) for column, name in self.sets.items()}
        values.update(self.fixed)
        if self.effect is None:
            return Changes(values)
        computed = self.effect(review, data, user)
        return Changes({**values, **computed.values}, computed.facts)


def _report_versions(review: Review) -> dict[str, int]:
    found = {}
    for kind in REPORT_KINDS:
        saved = documents.latest(review, kind)
        if saved is not None:
            found[kind] = saved.version
    return found


def reserve_pool_members(review: Review, data: ev.AppointChairData, user: User) -> Changes:
    """Lock the chosen pool members' rows and re-check eligibility and capacity, so two
    reviews cannot both take a chair's last place. Once appointed, the other invitations for
    the role are no longer needed."""
    missing = []
    appointed: list[tuple[str, PoolMember]] = []
    for member_id, role in ((data.chair_id, "chair"), (data.report_writer_id, "report_writer")):
        if member_id is None:
            continue
        member = db.session.get(PoolMember, member_id)
        assert member is not None  # the guard checked it is in the pool
        missing += allocation.cannot_appoint(member, role, allocation.reserve_capacity(
            member, review, role=role, on=data.appointed_date, viewer=user))
        appointed.append((role, member))
    if missing:
        raise GuardFailed("the chair cannot be appointed", missing)
    for role, member in appointed:
        allocation.close_invitations(review, role, member, user)
    return Changes()


def record_panel(review: Review, data: ev.AgreeTermsOfReferenceData, user: User) -> Changes:
    """The panel's agencies as codes, and which terms of reference were agreed."""
    try:
        agencies = normalise_agencies(data.panel_agencies)
    except ReviewInputError as exc:
        raise InvalidInput("unknown agency",
                           {"panel_agencies": exc.details["agencies"]}) from None
    tor = documents.latest(review, "terms_of_reference")
    return Changes({"panel_agencies": agencies},
                   {"terms_of_reference_version": tor.version if tor else None})


def first_submission(review: Review, data: ev.SubmitToHomeOfficeData, user: User) -> Changes:
    """The statutory clock stops at the first submission; resubmissions keep that date."""
    return Changes({"submitted_date": review.submitted_date or data.date},
                   {"documents": _report_versions(review)})


def record_outcome(review: Review, data: ev.RecordHoOutcomeData, user: User) -> Changes:
    """Keep the report versions the panel judged; count a resubmission; with 'approved subject
    to amendments' each of the panel's points becomes an amendment to mark done."""
    values: dict[str, Any] = {"ho_outcome_versions": _report_versions(review)}
    if data.outcome == "resubmit":
        values["resubmissions"] = Review.resubmissions + 1
    if data.outcome == "approved_subject_to_amendments":
        start = db.session.scalar(
            select(func.coalesce(func.max(HoAmendment.number), 0))
            .where(HoAmendment.review_id == review.id)
        )
        for offset, text in enumerate(data.points, start=1):
            db.session.add(HoAmendment(review_id=review.id, number=start + offset, text=text,
                                       letter_date=data.letter_date))
    return Changes(values)


def end_pause(review: Review, data: ev.ResumeData, user: User) -> Changes:
    """Add the days of this pause to the review's paused days."""
    days = (data.date - review.paused_since_date).days
    return Changes({"paused_days": Review.paused_days + days},
                   {"paused_since": review.paused_since_date.isoformat(), "paused_days": days})


def _last_resumed(review: Review) -> dt.date | None:
    data = db.session.scalar(
        select(AuditEntry.data)
        .where(AuditEntry.review_id == review.id, AuditEntry.action == "event.resume")
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    return dt.date.fromisoformat(data["date"]) if data and data.get("date") else None


def pause_after_last(review: Review, data: ev.PauseData) -> dict[str, str]:
    """A pause must not overlap the previous one."""
    resumed = _last_resumed(review)
    if resumed is not None and data.date < resumed:
        return {"date": f"must not be before the end of the previous pause "
                        f"({date_in_words(resumed)})"}
    return {}


def resume_after_pause(review: Review, data: ev.ResumeData) -> dict[str, str]:
    if review.paused_since_date and data.date < review.paused_since_date:
        return {"date": f"must not be before the date the review was paused "
                        f"({date_in_words(review.paused_since_date)})"}
    return {}


_MANAGER = frozenset({"csp_manager"})
_MANAGER_AND_CHAIR = frozenset({"csp_manager", "chair"})
_SUBGROUP = frozenset({"subgroup_member"})
_DECISION = {"decision_date": "decision_date", "decision_rationale": "rationale",
             "ho_informed_date": "ho_informed_date"}

# In the order a review meets them (pages and API list them in this order).
DECLARATIONS: tuple[Event, ...] = (
    Event("decide_to_review", "Decide to hold a review", ev.DecisionData, _MANAGER,
          sets=_DECISION),
    Event("decide_not_to_review", "Decide not to hold a review", ev.DecisionData, _MANAGER,
          sets=_DECISION),
    Event("ho_accepts_no_review", "Record that the Home Office accepts the decision",
          ev.HoAcceptsNoReviewData, _MANAGER, sets={"no_review_letter_date": "letter_date"}),
    Event("ho_directs_review", "Record that the Home Office directs a review",
          ev.HoDirectsReviewData, _MANAGER, sets={"direction_date": "direction_date"},
          fixed={"is_directed": True}),
    Event("appoint_chair", "Appoint the independent chair", ev.AppointChairData, _MANAGER,
          sets={"chair_id": "chair_id", "report_writer_id": "report_writer_id",
                "chair_appointed_date": "appointed_date"},
          effect=reserve_pool_members),
    Event("agree_terms_of_reference", "Agree the terms of reference",
          ev.AgreeTermsOfReferenceData, _MANAGER_AND_CHAIR,
          sets={"tor_agreed_date": "agreed_date", "family_contact": "family_contact",
                "family_contact_note": "family_contact_note"},
          effect=record_panel),
    Event("complete_information_gathering", "Complete information gathering", ev.DatedData,
          _MANAGER_AND_CHAIR, sets={"information_completed_date": "date"}),
    Event("submit_for_local_qa", "Submit for local quality assurance",
          ev.SubmitForLocalQaData, _MANAGER_AND_CHAIR,
          sets={"local_qa_submitted_date": "date",
                "is_family_consulted_on_draft": "family_consulted_on_draft",
                "family_draft_note": "family_note"}),
    Event("return_from_local_qa", "Return the report to the chair", ev.ReturnFromLocalQaData,
          _SUBGROUP, sets={"local_qa_returned_date": "date",
                           "local_qa_return_comments": "comments"}),
    Event("approve_local_qa", "Approve after local quality assurance", ev.ApproveLocalQaData,
          _SUBGROUP, sets={"local_qa_approved_date": "date",
                           "local_qa_approval_comments": "comments"}),
    Event("submit_to_home_office", "Submit to the Home Office", ev.SubmitToHomeOfficeData,
          _MANAGER, sets={"csp_signoff_date": "csp_signoff_date"}, effect=first_submission),
    Event("record_ho_outcome", "Record the Home Office outcome", ev.RecordHoOutcomeData,
          _MANAGER, sets={"ho_outcome": "outcome", "ho_letter_date": "letter_date"},
          effect=record_outcome),
    Event("complete_amendments", "Complete the Home Office amendments",
          ev.CompleteAmendmentsData, _MANAGER_AND_CHAIR,
          sets={"amendments_completed_date": "date"}),
    Event("publish", "Publish the report", ev.PublishData, _MANAGER,
          sets={"published_date": "date", "published_url": "url",
                "dac_copy_sent_date": "dac_copy_sent_date"},
          fixed={"is_withheld": False}),
    Event("withhold_publication", "Withhold publication", ev.WithholdPublicationData, _MANAGER,
          sets={"withheld_date": "date", "withheld_reason": "reason",
                "dac_copy_sent_date": "dac_copy_sent_date"},
          fixed={"is_withheld": True}),
    Event("close_review", "Close the review", ev.DatedData, _SUBGROUP,
          sets={"closed_date": "date"}),
    Event("pause", "Pause the review", ev.PauseData, _MANAGER,
          sets={"pause_reason": "reason", "paused_since_date": "date",
                "pause_expected_end_date": "expected_end"},
          fixed={"is_paused": True}, date_rule=pause_after_last),
    Event("resume", "Resume the review", ev.ResumeData, _MANAGER,
          fixed={"is_paused": False, "pause_reason": None, "paused_since_date": None,
                 "pause_expected_end_date": None},
          effect=end_pause, date_rule=resume_after_pause, while_paused=True),
    Event("withdraw", "Withdraw the review", ev.WithdrawData,
          sets={"withdrawn_date": "date", "withdrawn_reason": "reason"}),
)

EVENTS_BY_NAME: dict[str, Event] = {event.name: event for event in DECLARATIONS}
EVENTS: tuple[str, ...] = tuple(EVENTS_BY_NAME)
EVENT_LABELS: dict[str, str] = {event.name: event.label for event in DECLARATIONS}
EVENT_DATA: dict[str, type[ev.EventData]] = {event.name: event.data for event in DECLARATIONS}
WHILE_PAUSED: tuple[str, ...] = tuple(e.name for e in DECLARATIONS if e.while_paused)


def roles_for(event: str) -> frozenset[str]:
    """Every role that may send `event` (on a review it may act on)."""
    return EVENTS_BY_NAME[event].senders


def is_appointed_chair(user: User, review: Review) -> bool:
    return review.chair is not None and review.chair.user_id == user.id


def may_send(user: User, review: Review, event: str) -> bool:
    """The user may send `event` on this review, whatever its state.

    Admins see every review; coordinators, sub-group members and CSP managers act on the
    reviews they can see (their county, their CSP); a chair only on a review they chair
    (not one where they are only the report writer).
    """
    if user.role not in roles_for(event) or not can_view_review(user, review):
        return False
    if user.role == "chair":
        return is_appointed_chair(user, review)
    return True
