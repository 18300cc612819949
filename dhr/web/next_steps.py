"""'What you can do next' on a review's page: the steps the user can take now come first,
then the ones that wait for something (each with what it waits for), then pausing and
withdrawing.

Derived from the transition table and the guards (engine.available_events): an event whose
guard holds is ready; one whose guard does not waits for what the guard lists. Moves forward
in the lifecycle come before moves back (approving after local QA before returning the report
to the chair). Where a guard waits for work done on the review itself (asking agencies for
information, writing a document, adding a recommendation), that work is the step to lead with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for

from dhr.models import Review, User
from dhr.models.states import STATES
from dhr.workflow import documents
from dhr.workflow.agency_requests import requests_for
from dhr.workflow.allocation import can_allocate
from dhr.workflow.engine import EventOption
from dhr.workflow.guards import DRAFT_KINDS
from dhr.workflow.review_items import (
    can_draft_recommendations,
    can_manage_requests,
    can_write_document,
)
from dhr.workflow.table import transition
from learning.models import recommendations_for

# Offered beside the stages rather than as their next step.
SIDE_EVENTS = frozenset({"pause", "withdraw"})
# Events whose form is reached through a page that prepares the choice (the ranked candidates).
STARTS = {"appoint_chair": "web.pool_candidates"}


@dataclass
class Step:
    label: str
    url: str
    ready: bool
    event: str | None = None  # None: work on the review's documents, requests, recommendations
    missing: list[str] = field(default_factory=list)

    @property
    def is_side(self) -> bool:
        return self.event in SIDE_EVENTS


def _moves_back(review: Review, event: str) -> bool:
    found = transition(review.state, event)
    if found is None or review.state not in STATES:
        return False
    here = STATES.index(review.state)
    return all(STATES.index(target) < here for target in found.targets if target in STATES)


def _event_url(review: Review, user: User, event: str) -> str:
    start = STARTS.get(event)
    if start == "web.pool_candidates" and can_allocate(user, review):
        return url_for(start, review_id=review.id)
    return url_for("web.review_event", review_id=review.id, event=event)


# Work a guard waits for, as steps the user can take now --------------------------------------

def _ask_agencies(review: Review, user: User) -> list[Step]:
    if not can_manage_requests(user, review) or review.is_paused:
        return []
    steps = [Step("Request information from an agency",
                  url_for("web.new_request", review_id=review.id), True)]
    if any(r.state not in {"accepted", "waived"} for r in requests_for(review)):
        steps.append(Step("Record what agencies have sent",
                          url_for("web.requests_page", review_id=review.id), True))
    return steps


def _write(review: Review, user: User, kinds: tuple[str, ...]) -> list[Step]:
    if review.is_paused:
        return []
    return [Step(f"Write or upload the {documents.kind_label(kind).lower()}",
                 url_for("web.document_page", review_id=review.id, kind=kind), True)
            for kind in kinds
            if documents.latest(review, kind) is None and can_write_document(user, review, kind)]


def _terms_of_reference(review: Review, user: User) -> list[Step]:
    return _write(review, user, ("terms_of_reference",))


def _draft(review: Review, user: User) -> list[Step]:
    steps = _write(review, user, tuple(kind for kind, _ in DRAFT_KINDS))
    if (not review.is_paused and not recommendations_for(review)
            and can_draft_recommendations(user, review)):
        steps.append(Step("Add a recommendation",
                          url_for("web.new_recommendation", review_id=review.id), True))
    return steps


# guard name (dhr.workflow.guards) -> the work that satisfies it
WORK_FOR_GUARD: dict[str, Callable[[Review, User], list[Step]]] = {
    "agency_requests_settled": _ask_agencies,
    "terms_of_reference_agreed": _terms_of_reference,
    "draft_complete": _draft,
}


def next_steps(review: Review, user: User, options: list[EventOption]) -> list[Step]:
    """Every step offered on the review's page, in the order to show them."""
    ordered = sorted(options, key=lambda o: (o.event in SIDE_EVENTS, not o.allowed,
                                             _moves_back(review, o.event)))
    ready, work, waiting, side = [], [], [], []
    for option in ordered:
        step = Step(option.label, _event_url(review, user, option.event), option.allowed,
                    option.event, option.missing)
        if step.is_side:
            side.append(step)
        elif step.ready:
            ready.append(step)
        else:
            waiting.append(step)
            found = transition(review.state, option.event)
            make_work = WORK_FOR_GUARD.get(found.guard or "") if found else None
            work += [w for w in (make_work(review, user) if make_work else [])
                     if w.label not in {s.label for s in work}]
    return ready + work + waiting + side
