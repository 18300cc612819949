"""Replacing an appointed chair or report writer (illness, a conflict of interest found
later): the same reservation as the appointment (dhr.workflow.allocation), a conditional
update of the review, and a history entry with the reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.errors import (
    STALE_MESSAGE,
    GuardFailed,
    IllegalMove,
    InvalidInput,
    NotFound,
    NotPermitted,
    Stale,
)
from dhr.extensions import db
from dhr.jobs import enqueue
from dhr.models import PoolMember, Review, User
from dhr.models.pool import POOL_ROLES
from dhr.models.states import STATE_LABELS, STATES
from dhr.models.users import ROLE_LABELS
from dhr.permissions import can_view_review
from dhr.wording import date_in_words
from dhr.workflow.allocation import ROLE_WORDS, reserve_replacement
from dhr.workflow.declarations import may_send
from dhr.workflow.notify import notify_replacement

# While a chair is appointed and the review is live: from the panel until publication.
REPLACEABLE_STATES = STATES[STATES.index("panel_and_scope"):
                            STATES.index("publication_pending") + 1]


def can_replace(user: User, review: Review) -> bool:
    """Whoever may appoint the chair may replace them (and the report writer): coordinators
    and admins, and the CSP managers of the review's CSP (the engine's rule)."""
    return may_send(user, review, "appoint_chair")


def replacement_open(review: Review) -> bool:
    """The review is at a stage where its chair or report writer may be replaced."""
    return review.state in REPLACEABLE_STATES


def _replacement_date(review: Review, role: str, on: date | None) -> date:
    on = on or date.today()
    if on > date.today():
        raise InvalidInput("the date is in the future", {"date": "must not be in the future"})
    if review.chair_appointed_date is not None:
        earliest, what = review.chair_appointed_date, f"the {ROLE_WORDS[role]} was appointed"
    else:
        earliest, what = review.notification_date, "the police notification"
    if on < earliest:
        raise InvalidInput("the date does not fit the review",
                               {"date": f"must not be before {what} ({date_in_words(earliest)})"})
    return on


def replace_appointee(review: Review, member: PoolMember | None, role: str, reason: str,
                      actor: User, on: date | None = None, *,
                      expected_version: int | None = None) -> Review:
    """Replace the review's chair (or report writer, `role`) by `member`, for `reason` (for
    example illness, or a conflict of interest found later), on the date `on` (today).

    Who: whoever may appoint the chair (can_replace). When: from `panel_and_scope` until
    `publication_pending` (REPLACEABLE_STATES), paused or not: a pause stops the lifecycle,
    not the commissioning, and a chair who falls ill during a long pause (a criminal trial,
    an inquest) is best replaced before the review resumes. Before `panel_and_scope` nobody
    is appointed yet (that is the `appoint_chair` event); after it the chair's work ended
    with publication (or the review was withdrawn or closed).

    Refusals, in the engine's order and with its exceptions: not visible (404), not
    permitted (403), `expected_version` not the review's lock_version (409 conflict), not at
    such a stage (409 illegal_transition), a date in the future or before the appointment
    (400), then every other problem at once (422 guard_failed, reserve_replacement).

    The new member's row is locked and everything re-checked as for appoint_chair
    (reserve_capacity), so two reviews cannot both take a member's last place; the review
    then changes with one conditional UPDATE on its lock_version, so of two people changing
    it at once exactly one wins. The old member's place is freed by the change itself (load
    is counted from the reviews). The history gets `chair.replaced` (or
    `report_writer.replaced`) with who from, who to, the reason and the date. Flushes but
    never commits.
    """
    if role not in POOL_ROLES:
        raise ValueError(f"unknown pool role {role!r}")
    words = ROLE_WORDS[role]
    if not can_view_review(actor, review):
        raise NotFound("no such review")
    if not can_replace(actor, review):
        raise NotPermitted(f"your role ({ROLE_LABELS[actor.role]}) cannot replace "
                                f"the {words} of this review")
    version = review.lock_version if expected_version is None else expected_version
    if version != review.lock_version:
        raise Stale(STALE_MESSAGE, {"lock_version": review.lock_version})
    if not replacement_open(review):
        first, last = REPLACEABLE_STATES[0], REPLACEABLE_STATES[-1]
        raise IllegalMove(
            f"the {words} can only be replaced from the stage '{STATE_LABELS[first]}' to the "
            f"stage '{STATE_LABELS[last]}'; the review is at the stage "
            f"'{STATE_LABELS[review.state]}'", {"state": review.state})
    on = _replacement_date(review, role, on)
    previous = review.chair if role == "chair" else review.report_writer
    problems = reserve_replacement(member, review, reason, role, on=on, viewer=actor)
    if problems:
        raise GuardFailed(f"the {words} cannot be replaced", problems)
    assert member is not None and previous is not None  # reserve_replacement checked both
    column = "chair_id" if role == "chair" else "report_writer_id"
    result = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.lock_version == version)
        .values({column: member.id, "lock_version": Review.lock_version + 1}),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Stale(STALE_MESSAGE)
    db.session.refresh(review)
    record(f"{role}.replaced", review, actor, {
        "role": role,
        "from": {"id": previous.id, "name": previous.name},
        "to": {"id": member.id, "name": member.name},
        "reason": reason.strip(),
        "date": on.isoformat(),
    }, review_id=review.id)
    run_after_commit(db.session, enqueue, notify_replacement, review.id, role, previous.id,
                     member.id, actor.id)
    return review
