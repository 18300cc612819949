"""What a review's items (its documents, agency requests and recommendations) share:
who may read and change them, and when they can no longer change (their errors are the
domain's: dhr.errors).

Built on dhr.permissions: a caller who cannot see the review gets 404 from the views before
any of these is asked; these decide between reading, changing and 403.
"""

from __future__ import annotations

from dhr.errors import ReadOnly
from dhr.models import Review, User
from dhr.permissions import can_edit_review, can_view_review, sees_restricted_detail

# What a practitioner may read once a review is published (never drafts, letters or requests).
PUBLISHED_DOCUMENT_KINDS = ("executive_summary", "overview_report")
FINAL_REVIEW_STATES = frozenset({"closed_no_review", "closed", "withdrawn"})
# After publication the published text must not change under the readers' feet.
FROZEN_REVIEW_STATES = frozenset({"published", "closed"})
CHAIR_READ_ONLY_STATES = FROZEN_REVIEW_STATES | FINAL_REVIEW_STATES


def appointed_as(user: User, review: Review) -> set[str]:
    """'chair' and/or 'report_writer' when `user` is appointed to `review` in that role and
    may still work on it: once the review is published, closed or withdrawn the appointment
    reads only (issue 11, item 8), so every write the appointment allowed is refused."""
    if user.role != "chair" or review.state in CHAIR_READ_ONLY_STATES:
        return set()
    roles = set()
    if review.chair is not None and review.chair.user_id == user.id:
        roles.add("chair")
    if review.report_writer is not None and review.report_writer.user_id == user.id:
        roles.add("report_writer")
    return roles


def can_read_working_papers(user: User, review: Review) -> bool:
    """Drafts, every version, agency requests, letters: everyone but practitioners."""
    return sees_restricted_detail(user) and can_view_review(user, review)


def can_read_document(user: User, review: Review, kind: str) -> bool:
    if can_read_working_papers(user, review):
        return True
    return review.is_published and kind in PUBLISHED_DOCUMENT_KINDS and can_view_review(
        user, review
    )


def can_write_document(user: User, review: Review, kind: str) -> bool:
    """CSP editors write everything; the appointed chair or report writer writes the reports."""
    if can_edit_review(user, review):
        return True
    return kind != "ho_letter" and bool(appointed_as(user, review))


def can_manage_requests(user: User, review: Review) -> bool:
    """Create agency requests and move them through their lifecycle."""
    return can_edit_review(user, review) or "chair" in appointed_as(user, review)


def can_draft_recommendations(user: User, review: Review) -> bool:
    """Add recommendations and change their wording (the action plan is the chair's work)."""
    return can_edit_review(user, review) or bool(appointed_as(user, review))


def can_track_recommendations(user: User, review: Review) -> bool:
    """Record progress, completion and closure: the CSP and the county sub-group."""
    if can_edit_review(user, review):
        return True
    return user.role == "subgroup_member" and can_view_review(user, review)


def refuse_if_final(review: Review, what: str) -> None:
    if review.state in FINAL_REVIEW_STATES:
        state = review.state.replace("_", " ")
        raise ReadOnly(f"the review is {state}: {what} can no longer change")


def refuse_if_published(review: Review, what: str) -> None:
    refuse_if_final(review, what)
    if review.state in FROZEN_REVIEW_STATES:
        raise ReadOnly(f"the review is published: {what} can no longer change")


def refuse_if_paused(review: Review, what: str) -> None:
    """While a review is paused nothing happens on it (DOMAIN.md: no other event is accepted):
    its documents, agency requests and recommendations wait for the resumption too."""
    if review.is_paused:
        raise ReadOnly(f"the review is paused: {what} cannot change until it is resumed")
