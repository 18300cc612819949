"""Telling people that a review moved on (a background job queued after the commit): in the
app, and by e-mail as each person prefers (dhr.reminders.delivery)."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Csp, PoolMember, Review, User
from dhr.models.states import STATE_LABELS
from dhr.models.users import user_csps
from dhr.reminders.delivery import deliver
from dhr.reminders.mail import Letter, link
from dhr.wording import lower_first
from dhr.workflow.declarations import EVENT_LABELS

# Stages where the county sub-group acts next: they are told too.
SUBGROUP_STATES = frozenset({"local_qa", "published"})


def people_to_tell(review: Review) -> list[User]:
    """The review's CSP managers, its appointed chair, and the county sub-group when it is
    their turn."""
    people = list(db.session.scalars(
        select(User).join(user_csps, user_csps.c.user_id == User.id)
        .where(user_csps.c.csp_id == review.csp_id, User.role == "csp_manager")
    ))
    if review.chair is not None and review.chair.user is not None:
        people.append(review.chair.user)
    if review.state in SUBGROUP_STATES:
        area_id = db.session.scalar(select(Csp.area_id).where(Csp.id == review.csp_id))
        people += db.session.scalars(
            select(User).where(User.role == "subgroup_member", User.area_id == area_id)
        )
    unique = {user.id: user for user in people if user.is_enabled}
    return [unique[key] for key in sorted(unique)]


@shared_task(name="dhr.workflow.notify.notify_event", ignore_result=True)
def notify_event(review_id: int, event: str, actor_id: int) -> int:
    """Write a notification for everyone concerned except the person who acted."""
    review = db.session.get(Review, review_id)
    actor = db.session.get(User, actor_id)
    if review is None:
        return 0
    who = f" by {actor.display_name}" if actor else ""
    message = (f"{review.reference}: {lower_first(EVENT_LABELS[event])}{who}. "
               f"Stage now: {STATE_LABELS[review.state]}.")
    letter = Letter(f"{review.reference}: {EVENT_LABELS[event].lower()}", (message,),
                    link(f"/reviews/{review.id}"))
    told = 0
    for user in people_to_tell(review):
        if user.id != actor_id:
            deliver(user, f"review.{event}", letter, review.id)
            told += 1
    db.session.commit()
    return told


@shared_task(name="dhr.workflow.notify.notify_replacement", ignore_result=True)
def notify_replacement(review_id: int, role: str, previous_id: int, new_id: int,
                       actor_id: int) -> int:
    """Tell the review's people, the new appointee and the one replaced, that the chair (or
    report writer) changed."""
    review = db.session.get(Review, review_id)
    previous = db.session.get(PoolMember, previous_id)
    new = db.session.get(PoolMember, new_id)
    if review is None or previous is None or new is None:
        return 0
    actor = db.session.get(User, actor_id)
    who = f" by {actor.display_name}" if actor else ""
    words = "chair" if role == "chair" else "report writer"
    message = f"{review.reference}: {new.name} replaces {previous.name} as {words}{who}."
    people = {user.id: user for user in people_to_tell(review)}
    for member in (previous, new):
        if member.user is not None and member.user.is_enabled:
            people[member.user.id] = member.user
    letter = Letter(f"{review.reference}: new {words}", (message,),
                    link(f"/reviews/{review.id}"))
    told = 0
    for user_id in sorted(people):
        if user_id != actor_id:
            deliver(people[user_id], f"review.{role}_replaced", letter, review.id)
            told += 1
    db.session.commit()
    return told
