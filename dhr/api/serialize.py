"""Turning models into the API's response shapes."""

from __future__ import annotations

from dhr.api.schemas import (
    AnonymisationCheckOut,
    HistoryOut,
    PersonOut,
    PractitionerReviewOut,
    ReviewOut,
)
from dhr.audit import review_history
from dhr.models import AuditEntry, PoolMember, Review, User
from dhr.permissions import can_edit_review, sees_restricted_detail
from dhr.workflow.anonymisation import CHECK_SHOWN_STATES, anonymisation_check
from dhr.workflow.clocks import clocks_for
from learning.recommendations import recommendations_for

EVENT_PREFIX = "event."


def _person(member: PoolMember | None) -> PersonOut | None:
    return PersonOut(id=member.id, name=member.name) if member else None


def history_out(entry: AuditEntry) -> HistoryOut:
    is_event = entry.action.startswith(EVENT_PREFIX)
    event = entry.action.removeprefix(EVENT_PREFIX) if is_event else None
    return HistoryOut(
        at=entry.at_dt, actor=entry.actor.display_name if entry.actor else None,
        action=entry.action, event=event, from_state=entry.from_state, to_state=entry.to_state,
        data=entry.data,
    )


def practitioner_review_out(review: Review) -> PractitionerReviewOut:
    """What the published report page shows, and nothing more."""
    themes = sorted({theme for item in recommendations_for(review) for theme in item.themes})
    return PractitionerReviewOut(
        id=review.id, reference=review.reference, csp=review.csp.name, state=review.state,
        victim_pseudonym=review.victim_pseudonym,
        month_of_death=review.date_of_death.strftime("%Y-%m"),
        death_type=review.death_type, review_type=review.review_type,
        published_date=review.published_date, published_url=review.published_url,
        themes=themes,
    )


def review_out(review: Review, user: User, *,
               with_history: bool = True) -> ReviewOut | PractitionerReviewOut:
    """The review as `user` may see it: practitioners get the published view only, whatever
    call they reach it through."""
    if not sees_restricted_detail(user):
        return practitioner_review_out(review)
    clocks = clocks_for(review)
    out = ReviewOut(
        id=review.id, reference=review.reference, csp=review.csp.name, state=review.state,
        lock_version=review.lock_version,
        paused=review.is_paused, pause_reason=review.pause_reason,
        withdrawn=review.is_withdrawn, withheld=review.is_withheld, directed=review.is_directed,
        victim_pseudonym=review.victim_pseudonym, death_type=review.death_type,
        review_type=review.review_type, legal_basis=review.legal_basis,
        date_of_death=review.date_of_death,
        month_of_death=review.date_of_death.strftime("%Y-%m"),
        notification_date=review.notification_date,
        deceased_16_plus=review.deceased_16_plus, children_under_16=review.children_under_16,
        agencies=list(review.agencies or []),
        decision_due=clocks.decision_due, statutory_due=clocks.statutory_due,
        adjusted_due=clocks.adjusted_due, paused_days=clocks.paused_days,
        overdue=clocks.overdue, decision_overdue=clocks.decision_overdue,
        completion_overdue=clocks.completion_overdue, resubmissions=review.resubmissions,
        chair=_person(review.chair), report_writer=_person(review.report_writer),
        published_date=review.published_date, published_url=review.published_url,
    )
    if can_edit_review(user, review):
        out.identifying_terms = list(review.identifying_terms or [])
        if with_history and review.state in CHECK_SHOWN_STATES:
            check = anonymisation_check(review)
            out.anonymisation_check = AnonymisationCheckOut(
                passed=not check.hits, hits=check.hits, searched=check.summary)
    if with_history:
        out.history = [history_out(e) for e in review_history(review)]
    return out
