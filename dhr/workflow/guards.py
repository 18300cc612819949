"""Guards: what must hold before an event may move a review on, explained in words.

Each guard takes the review and the event's data and returns the list of what is missing,
in words a CSP manager understands ("terms of reference document not uploaded", "IMR from
Housing not yet accepted", "recommendation 3.2 is still open"); empty means the event may go
ahead. With `data=None` a guard checks only the review itself (documents, agency requests,
recommendations, amendments): that is what the pages show before anyone tries.

Documents, agency requests, the anonymisation check and the chair pool are other modules'
work, below this one; recommendations are read through learning's model (learning.models),
never learning's operations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from dhr.bounds import positive_id
from dhr.errors import Missing
from dhr.extensions import db
from dhr.models import HoAmendment, PoolMember, Review, User
from dhr.workflow import events as ev
from dhr.workflow.agency_requests import requests_for
from dhr.workflow.allocation import ROLE_WORDS, cannot_appoint, ineligibility_reasons
from dhr.workflow.anonymisation import identifying_term_hits
from dhr.workflow.documents import latest
from learning.models import recommendations_for

Guard = Callable[[Review, Any], list[str]]

NO_DAC_COPY = Missing("date a copy was sent to the Domestic Abuse Commissioner not given",
                      "dac_copy_sent_date")

REQUEST_KIND_WORDS = {"imr": "IMR", "chronology": "Chronology", "short_report": "Short report"}
REQUEST_STATE_WORDS = {
    "requested": "still awaited from the agency",
    "submitted": "submitted and waiting to be read",
    "returned": "returned to the agency for changes",
}
REPORT_KINDS = ("overview_report", "executive_summary")
DRAFT_KINDS = (
    ("overview_report", "overview report not written or uploaded"),
    ("executive_summary", "executive summary not written or uploaded"),
    ("action_plan", "action plan not written or uploaded"),
)


def decision_recorded(review: Review, data: ev.DecisionData | None) -> list[str]:
    """Decision date, rationale and the date the Home Office was informed given."""
    if data is None:
        return []
    missing = []
    if data.decision_date is None:
        missing.append(Missing("date of the decision not given", "decision_date"))
    if data.rationale is None:
        missing.append(Missing("rationale for the decision not given", "rationale"))
    if data.ho_informed_date is None:
        missing.append(Missing("date the Home Office was informed not given", "ho_informed_date"))
    return missing


def ho_letter_recorded(review: Review, data: ev.HoAcceptsNoReviewData | None) -> list[str]:
    """The date of the Home Office letter given."""
    if data is not None and data.letter_date is None:
        return [Missing("date of the Home Office letter not given", "letter_date")]
    return []


def direction_recorded(review: Review, data: ev.HoDirectsReviewData | None) -> list[str]:
    """The date of the Home Office direction given (the review is marked directed)."""
    if data is not None and data.direction_date is None:
        return [Missing("date the Home Office directed a review not given", "direction_date")]
    return []


def _pool_member_problems(review: Review, member_id: int, role: str, on: date,
                          viewer: User | None) -> list[str]:
    # An id no INTEGER column can hold (a form field tampered with) is simply not in the pool.
    member = db.session.get(PoolMember, member_id) if positive_id(member_id) else None
    if member is None:
        return [f"the chosen {ROLE_WORDS[role]} is not in the pool"]
    return cannot_appoint(member, role, ineligibility_reasons(member, review, role=role, on=on,
                                                              viewer=viewer))


def chair_eligible(review: Review, data: ev.AppointChairData | None,
                   viewer: User | None = None) -> list[str]:
    """The chair is in the pool, active, trained, has capacity and no conflict of interest
    with an agency in scope (the pool's rules: dhr.workflow.allocation).

    Other reviews the `viewer` may not see are counted, never named."""
    if data is None:
        return []
    missing = []
    if data.chair_id is None:
        missing.append(Missing("chair not chosen", "chair_id"))
    else:
        missing += _pool_member_problems(review, data.chair_id, "chair", data.appointed_date,
                                         viewer)
    if data.report_writer_id is not None:
        missing += _pool_member_problems(review, data.report_writer_id, "report_writer",
                                         data.appointed_date, viewer)
    return missing


def terms_of_reference_agreed(review: Review,
                              data: ev.AgreeTermsOfReferenceData | None) -> list[str]:
    """Terms of reference document saved, at least one panel agency, family contact recorded
    (with the reason when contact was declined or not possible)."""
    missing = []
    if latest(review, "terms_of_reference") is None:
        missing.append("terms of reference document not uploaded")
    if data is None:
        return missing
    if not data.panel_agencies:
        missing.append(Missing("no agency recorded on the review panel", "panel_agencies"))
    if data.family_contact is None:
        missing.append(Missing("contact with the family not recorded", "family_contact"))
    elif data.family_contact != "made" and data.family_contact_note is None:
        why = "declined" if data.family_contact == "declined" else "was not possible"
        missing.append(Missing(f"note on why contact with the family {why} not given",
                               "family_contact_note"))
    return missing


def agency_requests_settled(review: Review, data: ev.DatedData | None) -> list[str]:
    """Every agency request accepted or waived, and at least one accepted."""
    requests = requests_for(review)
    if not requests:
        return ["no agency has been asked for an IMR, chronology or short report yet"]
    missing = []
    for request in requests:
        if request.state in {"accepted", "waived"}:
            continue
        kind = REQUEST_KIND_WORDS.get(request.kind, request.kind)
        state = REQUEST_STATE_WORDS.get(request.state, request.state)
        missing.append(f"{kind} from {request.agency_label} not yet accepted ({state})")
    if not any(request.state == "accepted" for request in requests):
        missing.append("no agency's IMR, chronology or short report has been accepted yet")
    return missing


def draft_complete(review: Review, data: ev.SubmitForLocalQaData | None) -> list[str]:
    """Overview report, executive summary and action plan saved, at least one
    recommendation, and the family's consultation on the draft recorded."""
    missing = [words for kind, words in DRAFT_KINDS if latest(review, kind) is None]
    if not recommendations_for(review):
        missing.append("action plan has no recommendation yet")
    if data is None:
        return missing
    if data.family_consulted_on_draft is None:
        missing.append(Missing("whether the family was consulted on the draft report not recorded",
                               "family_consulted_on_draft"))
    elif not data.family_consulted_on_draft and data.family_note is None:
        missing.append(Missing("note on why the family was not consulted on the draft not given",
                               "family_note"))
    return missing


def return_comments_recorded(review: Review, data: ev.ReturnFromLocalQaData | None) -> list[str]:
    """Comments on what must change given."""
    if data is not None and data.comments is None:
        return [Missing("comments on what must change not given", "comments")]
    return []


def csp_signed_off(review: Review, data: ev.SubmitToHomeOfficeData | None) -> list[str]:
    """The date the CSP chair signed the report off given."""
    if data is not None and data.csp_signoff_date is None:
        return [Missing("date the CSP chair signed off the report not given", "csp_signoff_date")]
    return []


def ho_outcome_recorded(review: Review, data: ev.RecordHoOutcomeData | None) -> list[str]:
    """Outcome, the date of the Home Office letter and the panel's points given."""
    if data is None:
        return []
    missing = []
    if data.outcome is None:
        missing.append(Missing("outcome of the Home Office panel not chosen", "outcome"))
    if data.letter_date is None:
        missing.append(Missing("date of the Home Office letter not given", "letter_date"))
    if not data.points:
        missing.append(Missing("the panel's points from the Home Office letter not given",
                               "points"))
    return missing


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def amendments_done(review: Review, data: ev.CompleteAmendmentsData | None) -> list[str]:
    """Every amendment done, and the overview report or executive summary revised since the
    Home Office outcome was recorded."""
    open_amendments = db.session.scalars(
        select(HoAmendment)
        .where(HoAmendment.review_id == review.id, HoAmendment.is_done.is_(False))
        .order_by(HoAmendment.number)
    )
    missing = [f"amendment {a.number} is not yet done ({_short(a.text)})"
               for a in open_amendments]
    before = review.ho_outcome_versions or {}
    revised = False
    for kind in REPORT_KINDS:
        saved = latest(review, kind)
        if saved is not None and saved.version > before.get(kind, 0):
            revised = True
    if not revised:
        missing.append("no new version of the overview report or executive summary since the "
                       "Home Office letter")
    return missing


def ready_to_publish(review: Review, data: ev.PublishData | None) -> list[str]:
    """Web address and the copy to the Domestic Abuse Commissioner given; no identifying term,
    nor any word of one, anywhere practitioners will read: the pseudonym, the web address,
    the reports (every part of a Word document, and file names) and the recommendations."""
    missing = []
    if data is not None:
        if data.url is None:
            missing.append(Missing("web address of the published report not given", "url"))
        if data.dac_copy_sent_date is None:
            missing.append(NO_DAC_COPY)
    url = data.url if data is not None else None
    missing += [f"anonymisation check: {hit}" for hit in identifying_term_hits(review, url)]
    return missing


def withholding_explained(review: Review,
                          data: ev.WithholdPublicationData | None) -> list[str]:
    """The reason for withholding and the date a copy went to the Domestic Abuse
    Commissioner given."""
    if data is None:
        return []
    missing = []
    if data.reason is None:
        missing.append(Missing("reason for withholding publication not given", "reason"))
    if data.dac_copy_sent_date is None:
        missing.append(NO_DAC_COPY)
    return missing


def recommendations_settled(review: Review, data: ev.DatedData | None) -> list[str]:
    """Every recommendation completed, or closed with a reason (the sub-group's sign-off is
    the close_review event itself, which only the sub-group, coordinator or admin may send)."""
    return [f"recommendation {r.number} is still open"
            for r in recommendations_for(review) if r.status == "open"]


def pause_reason_given(review: Review, data: ev.PauseData | None) -> list[str]:
    """A reason for the pause chosen."""
    if data is not None and data.reason is None:
        return [Missing("reason for the pause not chosen", "reason")]
    return []


def withdrawal_explained(review: Review, data: ev.WithdrawData | None) -> list[str]:
    """A reason for withdrawing the review given."""
    if data is not None and data.reason is None:
        return [Missing("reason for withdrawing the review not given", "reason")]
    return []


GUARDS: dict[str, Guard] = {
    guard.__name__: guard
    for guard in (
        decision_recorded, ho_letter_recorded, direction_recorded, chair_eligible,
        terms_of_reference_agreed, agency_requests_settled, draft_complete,
        return_comments_recorded, csp_signed_off, ho_outcome_recorded, amendments_done,
        ready_to_publish, withholding_explained, recommendations_settled, pause_reason_given,
        withdrawal_explained,
    )
}


def check(guard_name: str | None, review: Review, data: Any,
          viewer: User | None = None) -> list[str]:
    """What is missing for a guard (nothing when the transition has no guard)."""
    if guard_name is None:
        return []
    if guard_name == "chair_eligible":  # the only guard whose words depend on the reader
        return chair_eligible(review, data, viewer)
    return GUARDS[guard_name](review, data)
