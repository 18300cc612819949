"""The review page's sections on its documents, agency requests and recommendations
(templates/reviews/_documents.html, _agency_requests.html, _recommendations.html,
_anonymisation.html), already filtered for the signed-in user: the Jinja helper
`review_sections(review)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import g

from dhr.models import AgencyRequest, DocumentVersion, Review, User
from dhr.models.documents import DOCUMENT_KINDS, DOCUMENT_LABELS
from dhr.permissions import can_edit_review
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.workflow import agency_requests as request_ops
from dhr.workflow import documents
from dhr.workflow.anonymisation import CHECK_SHOWN_STATES, AnonymisationCheck, anonymisation_check
from dhr.workflow.review_items import (
    FINAL_REVIEW_STATES,
    FROZEN_REVIEW_STATES,
    PUBLISHED_DOCUMENT_KINDS,
    can_draft_recommendations,
    can_manage_requests,
    can_read_document,
    can_read_working_papers,
    can_track_recommendations,
    can_write_document,
)
from learning import recommendations as recommendation_ops
from learning.models import CLOSED_REASON_LABELS, Recommendation
from learning.public import recommendation_anchor

REQUEST_TAGS = {"requested": "govuk-tag--blue", "submitted": "govuk-tag--light-blue",
                "returned": "govuk-tag--orange", "accepted": "govuk-tag--green",
                "waived": "govuk-tag--grey"}
RECOMMENDATION_TAGS = {"open": "govuk-tag--blue", "completed": "govuk-tag--green",
                       "closed": "govuk-tag--grey"}


@dataclass
class DocumentRow:
    kind: str
    label: str
    latest: DocumentVersion | None
    can_write: bool


@dataclass
class ReviewSections:
    """Everything the review-page partials show, already filtered for the signed-in user."""

    review: Review
    user: User
    labels: dict[str, str] = field(default_factory=dict)

    @cached_property
    def insider(self) -> bool:
        return can_read_working_papers(self.user, self.review)

    @cached_property
    def documents(self) -> list[DocumentRow]:
        kinds = DOCUMENT_KINDS if self.insider else PUBLISHED_DOCUMENT_KINDS
        return [DocumentRow(kind, DOCUMENT_LABELS[kind], documents.latest(self.review, kind),
                            can_write_document(self.user, self.review, kind)
                            and not document_frozen(self.review, kind))
                for kind in kinds if can_read_document(self.user, self.review, kind)]

    @cached_property
    def requests(self) -> list[AgencyRequest]:
        return request_ops.requests_for(self.review) if self.insider else []

    @cached_property
    def recommendations(self) -> list[Recommendation]:
        if not (self.insider or self.review.is_published):
            return []
        return recommendation_ops.recommendations_for(self.review)

    @cached_property
    def can_manage_requests(self) -> bool:
        return (can_manage_requests(self.user, self.review)
                and self.review.state not in FINAL_REVIEW_STATES and not self.review.is_paused)

    @cached_property
    def can_draft_recommendations(self) -> bool:
        return (can_draft_recommendations(self.user, self.review)
                and self.review.state not in FINAL_REVIEW_STATES | FROZEN_REVIEW_STATES
                and not self.review.is_paused)

    @cached_property
    def can_track_recommendations(self) -> bool:
        return can_track_recommendations(self.user, self.review)

    @cached_property
    def anonymisation(self) -> AnonymisationCheck | None:
        """Shown to editors from publication pending on (after publication it reflects any
        identifying terms added since); None otherwise."""
        if self.review.state not in CHECK_SHOWN_STATES or not can_edit_review(self.user,
                                                                               self.review):
            return None
        return anonymisation_check(self.review)

    def agency_label(self, code: str) -> str:
        return self.labels.get(code, code)


def review_sections(review: Review) -> ReviewSections:
    """Each partial asks once and reads only its own part, so nothing is loaded twice."""
    return ReviewSections(review, g.user, agency_codes())


@bp.app_context_processor
def _review_section_helpers() -> dict[str, Any]:
    return {
        "review_sections": review_sections,
        "request_tags": REQUEST_TAGS,
        "recommendation_tags": RECOMMENDATION_TAGS,
        "closed_reason_labels": CLOSED_REASON_LABELS,
        "recommendation_anchor": recommendation_anchor,
        "request_event_labels": {name: move.label for name, move in request_ops.EVENTS.items()},
        "request_events": request_ops.events_for,
    }


def document_frozen(review: Review, kind: str) -> bool:
    """No new version can be saved now (the review is finished, published or paused)."""
    frozen = FINAL_REVIEW_STATES if kind == "ho_letter" else FINAL_REVIEW_STATES | (
        FROZEN_REVIEW_STATES)
    return review.state in frozen or review.is_paused
