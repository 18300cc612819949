"""Allocating chairs and report writers from the pool (DOMAIN.md section 3).

Who may chair (or write) a review, and why each of the others may not, in words a
coordinator understands; the ranking that spreads the work; the row lock that keeps
two simultaneous appointments from both taking a chair's last free place; and
expressions of interest (invitations).

"Current" reviews are the ones a member still works on: chair or report writer of a
review that is neither finished (FINAL_STATES) nor published (PUBLISHED_STATES). A
published review stays open for years while its action plan is monitored, but the
chair's work ended with publication, so it no longer takes a place.

Replacing an appointed chair or report writer is dhr.workflow.replacement: the same
reservation as the appointment (reserve_replacement), and a history entry with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from dhr.audit import record
from dhr.errors import Refused
from dhr.extensions import db
from dhr.models import Invitation, PoolMember, Review, User
from dhr.models.pool import POOL_ROLE_LABELS, POOL_ROLES, TRAINING_KINDS, TrainingRecord
from dhr.models.states import FINAL_STATES, PUBLISHED_STATES
from dhr.models.types import utcnow
from dhr.permissions import can_edit_review, can_view_review, visible_pool_members_clause
from dhr.reviews import agency_codes
from dhr.workflow.clocks import add_months, due_dates

DEFAULT_TRAINING_VALID_YEARS = 3
EXPIRY_WARNING_DAYS = 90
NOT_CURRENT_STATES = FINAL_STATES | PUBLISHED_STATES
ROLE_WORDS = {"chair": "chair", "report_writer": "report writer"}
# Chairs need chair training; a report writer may show any current training.
QUALIFYING_TRAINING = {
    "chair": frozenset({"home_office_chair_training", "aafda_certificate"}),
    "report_writer": frozenset(TRAINING_KINDS),
}
POOL_MANAGER_ROLES = frozenset({"admin", "coordinator"})
REPLACED_ACTIONS = {f"{role}.replaced": role for role in POOL_ROLES}


class AllocationError(Refused):
    """A refused pool operation, with the HTTP status and code the API answers with."""


def can_manage_pool(user: User) -> bool:
    """Coordinators and admins keep the pool records."""
    return user.role in POOL_MANAGER_ROLES


def can_allocate(user: User, review: Review) -> bool:
    """May see the candidates for a review and invite them (those who commission it)."""
    return can_edit_review(user, review)


# Training ----------------------------------------------------------------------------------

def training_valid_years() -> int:
    return int(current_app.config.get("TRAINING_VALID_YEARS", DEFAULT_TRAINING_VALID_YEARS))


def effective_expiry(training: TrainingRecord) -> date:
    """The explicit expiry date, else completion + the configured validity in years."""
    if training.expires_date is not None:
        return training.expires_date
    return add_months(training.completed_date, 12 * training_valid_years())


def trained_until(member: PoolMember, role: str = "chair") -> date | None:
    """Last day the member's training for `role` is valid; None if there is none."""
    kinds = QUALIFYING_TRAINING[role]
    return max((effective_expiry(t) for t in member.training if t.kind in kinds), default=None)


def training_expiring_soon(member: PoolMember, today: date | None = None) -> date | None:
    """The expiry date if the member's chair (or, for writers, any) training runs out soon."""
    today = today or date.today()
    role = "chair" if member.has_role("chair") else "report_writer"
    until = trained_until(member, role)
    if until is not None and today <= until <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return until
    return None


def training_lapsed_on_live_review(member: PoolMember, current: list[Review],
                                   today: date | None = None) -> date | None:
    """The expiry date if the member's training has run out while they still hold a review."""
    today = today or date.today()
    role = "chair" if member.has_role("chair") else "report_writer"
    until = trained_until(member, role)
    if current and until is not None and until < today:
        return until
    return None


def expected_end(review: Review, on: date) -> date:
    """When the review is expected to finish: its completion date allowing for pauses, or,
    before the decision, the statutory months counted from `on`."""
    due = due_dates(review).adjusted_due
    return due or add_months(on, int(current_app.config.get("COMPLETION_DUE_MONTHS", 6)))


def spoken_date(value: date) -> str:
    """3 March 2023."""
    return f"{value.day} {value.strftime('%B %Y')}"


# Current and past reviews ------------------------------------------------------------------

def reviews_by_member(member_ids: list[int], current: bool) -> dict[int, list[Review]]:
    """member id -> reviews they chair or write, current or past, by reference."""
    if not member_ids:
        return {}
    state_clause = (Review.state.not_in(NOT_CURRENT_STATES) if current
                    else Review.state.in_(NOT_CURRENT_STATES))
    stmt = (
        select(Review)
        .where(or_(Review.chair_id.in_(member_ids), Review.report_writer_id.in_(member_ids)))
        .where(state_clause)
        .order_by(Review.reference)
    )
    found: dict[int, list[Review]] = defaultdict(list)
    for review in db.session.scalars(stmt):
        for member_id in {review.chair_id, review.report_writer_id}:
            if member_id in member_ids:
                found[member_id].append(review)
    return found


def current_reviews(member: PoolMember) -> list[Review]:
    """Reviews the member chairs or writes that are still in progress."""
    return reviews_by_member([member.id], current=True).get(member.id, [])


def past_reviews(member: PoolMember) -> list[Review]:
    """Reviews the member chaired or wrote that are published or finished."""
    return reviews_by_member([member.id], current=False).get(member.id, [])


# Eligibility -------------------------------------------------------------------------------

def _names(reviews: list[Review], viewer: User | None) -> str:
    """References the viewer may see; the others only counted (never reveal a review exists)."""
    shown = [r.reference for r in reviews if viewer is None or can_view_review(viewer, r)]
    hidden = len(reviews) - len(shown)
    if hidden:
        shown.append(f"{hidden} other review{'s' if hidden > 1 else ''}")
    return ", ".join(shown)


def _reasons(member: PoolMember, review: Review, role: str, on: date,
             current: list[Review], viewer: User | None,
             agency_labels: dict[str, str]) -> list[str]:
    if role not in POOL_ROLES:
        raise ValueError(f"unknown pool role {role!r}")
    words = ROLE_WORDS[role]
    reasons: list[str] = []
    if not member.has_role(role):
        reasons.append(f"not in the pool as a {words}")
    if not member.is_active:
        reasons.append("inactive in the pool")
    until = trained_until(member, role)
    if until is None:
        reasons.append("no chair training recorded (Home Office chair training or AAFDA "
                       "certificate)" if role == "chair" else "no training recorded")
    elif until < on:
        reasons.append(f"training expired on {spoken_date(until)}")
    others = [r for r in current if r.id != review.id]
    if len(others) >= member.capacity:
        if member.capacity == 0:
            reasons.append("takes no reviews at the moment (capacity 0)")
        else:
            reasons.append(f"at capacity ({len(others)} of {member.capacity}): "
                           f"{_names(others, viewer)}")
    scope = set(review.agencies or [])
    for conflict in member.conflicts:
        if conflict.agency in scope:
            label = agency_labels.get(conflict.agency, conflict.agency)
            note = f" ({conflict.note})" if conflict.note else ""
            reasons.append(f"conflict of interest: worked for {label}{note}, which is in this "
                           f"review's scope")
    contributing = {name.strip().lower() for name in review.contributing_csps or []}
    for csp in member.excluded_csps:
        if csp.id == review.csp_id or {csp.name.lower(), csp.slug} & contributing:
            reasons.append(f"excluded from reviews for {csp.name}")
    if member.areas and review.csp.area_id not in {area.id for area in member.areas}:
        reasons.append(f"does not serve {review.csp.area.name}")
    return reasons


def ineligibility_reasons(member: PoolMember, review: Review, role: str = "chair", *,
                          on: date | None = None, viewer: User | None = None) -> list[str]:
    """Why `member` may not take `role` on `review`, in words; empty means eligible.

    With `viewer`, reviews the viewer may not see are counted in the capacity reason,
    not named. Read without a lock: reserve_capacity() is the check that counts.
    """
    return _reasons(member, review, role, on or date.today(), current_reviews(member), viewer,
                    agency_codes())


def reserve_capacity(member: PoolMember, review: Review, role: str = "chair", *,
                     on: date | None = None, viewer: User | None = None) -> list[str]:
    """Lock the member's row, then check everything again, capacity included.

    The UPDATE makes a second appointment of the same member wait until the first
    transaction ends (PostgreSQL row lock; SQLite's database write lock), and what it
    reads afterwards includes the first appointment. Empty result: the caller may appoint
    (in the same transaction); the member's last appointment date is then recorded.
    """
    db.session.execute(
        update(PoolMember).where(PoolMember.id == member.id)
        .values(lock_version=PoolMember.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(member)  # re-read everything as it is now, after the lock
    appointed = on or date.today()
    reasons = ineligibility_reasons(member, review, role, on=appointed, viewer=viewer)
    if not reasons and (member.last_appointed_date is None
                        or member.last_appointed_date < appointed):
        member.last_appointed_date = appointed
        db.session.flush()
    return reasons


def cannot_appoint(member: PoolMember, role: str, reasons: list[str]) -> list[str]:
    """The reasons `member` may not take `role`, each saying who and as what."""
    return [f"{member.name} cannot be appointed as {ROLE_WORDS[role]}: {reason}"
            for reason in reasons]


def reserve_replacement(member: PoolMember | None, review: Review, reason: str,
                        role: str = "chair", *, on: date | None = None,
                        viewer: User | None = None) -> list[str]:
    """Checks for replacing the review's chair (or report writer) by `member`: every problem
    at once (nobody to replace, no new member chosen or the same person, no reason, and why
    the new member is not eligible, in the ranking's words).

    Empty result: capacity is reserved (reserve_capacity) and the caller records the change
    with the reason.
    """
    words = ROLE_WORDS[role]
    appointed = review.chair if role == "chair" else review.report_writer
    problems = []
    if appointed is None:
        problems.append(f"no {words} has been appointed yet, so there is nobody to replace")
    same = member is not None and appointed is not None and appointed.id == member.id
    if member is None:
        problems.append(f"the new {words} not chosen")
    elif same:
        problems.append(f"{member.name} is already the {words}")
    if not (reason or "").strip():
        problems.append("the reason for the replacement (for example illness, or a conflict of "
                        "interest found later)")
    if member is None or same:
        return problems
    if problems:  # nothing is reserved: only say what else is wrong
        return problems + cannot_appoint(
            member, role, ineligibility_reasons(member, review, role, on=on, viewer=viewer))
    return cannot_appoint(member, role,
                          reserve_capacity(member, review, role, on=on, viewer=viewer))


def describe_replacement(entry_data: dict) -> list[tuple[str, str]]:
    """A replacement's history entry as (label, words) rows for the review's timeline."""
    role = entry_data.get("role", "chair")
    rows = [(POOL_ROLE_LABELS.get(role, role),
             f"{entry_data['from']['name']} → {entry_data['to']['name']}"),
            ("Reason", entry_data.get("reason", ""))]
    if entry_data.get("date"):
        rows.append(("Date of the replacement",
                     spoken_date(date.fromisoformat(entry_data["date"]))))
    return rows


# Ranking -----------------------------------------------------------------------------------

@dataclass
class Candidate:
    member: PoolMember
    eligible: bool
    reasons: list[str]
    current_reviews: list[Review] = field(default_factory=list)
    invitation: Invitation | None = None
    # Eligible, but worth knowing before choosing (training running out during the review).
    warnings: list[str] = field(default_factory=list)

    @property
    def load(self) -> int:
        return len(self.current_reviews)

    @property
    def last_appointed_date(self) -> date | None:
        return self.member.last_appointed_date

    @property
    def invitation_state(self) -> str | None:
        return self.invitation.state if self.invitation else None


def rank_candidates(review: Review, role: str = "chair", *, on: date | None = None,
                    viewer: User | None = None) -> list[Candidate]:
    """Every pool member with whether they may take `role` on `review`, and why not.

    Eligible first, then those without a warning (training that runs out before the review
    is expected to finish), then fewest current reviews, then longest since the last
    appointment (never appointed counts as longest), so that work spreads fairly.
    """
    on = on or date.today()
    finish = expected_end(review, on)
    stmt = select(PoolMember).order_by(PoolMember.name)
    if viewer is not None:  # never another area's members
        stmt = stmt.where(visible_pool_members_clause(viewer))
    members = list(db.session.scalars(stmt))
    current = reviews_by_member([m.id for m in members], current=True)
    invitations = {
        inv.member_id: inv for inv in db.session.scalars(
            select(Invitation).where(Invitation.review_id == review.id, Invitation.role == role)
        )
    }
    labels = agency_codes()
    candidates = []
    for member in members:
        mine = [r for r in current.get(member.id, []) if r.id != review.id]
        reasons = _reasons(member, review, role, on, mine, viewer, labels)
        until = trained_until(member, role)
        warnings = [f"training expires on {spoken_date(until)}, before the review is expected "
                    f"to finish ({spoken_date(finish)})"
                    ] if not reasons and until is not None and until < finish else []
        candidates.append(Candidate(member, not reasons, reasons, mine,
                                    invitations.get(member.id), warnings))
    candidates.sort(key=lambda c: (not c.eligible, bool(c.warnings), c.load,
                                   c.last_appointed_date or date.min,
                                   c.member.name.lower(), c.member.id))
    return candidates


# Expressions of interest -------------------------------------------------------------------

def invite(review: Review, member: PoolMember, actor: User, role: str = "chair") -> Invitation:
    """Ask an eligible member whether they would take `role` on `review`."""
    if review.state in NOT_CURRENT_STATES:
        raise AllocationError(409, "conflict",
                              f"{review.reference} is {review.state}: nobody can be invited")
    reasons = ineligibility_reasons(member, review, role, viewer=actor)
    if reasons:
        raise AllocationError(422, "not_eligible",
                              f"{member.name} cannot be the {ROLE_WORDS[role]} of "
                              f"{review.reference}", {"reasons": reasons})
    existing = db.session.scalar(select(Invitation).where(
        Invitation.review_id == review.id, Invitation.member_id == member.id,
        Invitation.role == role))
    if existing is not None:
        raise AllocationError(409, "conflict",
                              f"{member.name} was already invited ({existing.state})")
    invitation = Invitation(review=review, member=member, role=role, invited_by=actor)
    db.session.add(invitation)
    record("chair_invitation.sent", invitation, actor,
           {"member_id": member.id, "member": member.name, "role": role},
           review_id=review.id)
    return invitation


def respond(invitation: Invitation, actor: User, response: str, note: str = "") -> Invitation:
    """The invited member accepts or declines (once)."""
    if response not in {"accept", "decline"}:
        raise AllocationError(400, "validation_error", "answer accept or decline",
                              {"response": "must be accept or decline"})
    if invitation.member.user_id != actor.id:
        raise AllocationError(403, "forbidden", "only the person invited can answer")
    if invitation.state == "not_needed":
        raise AllocationError(409, "conflict", "this invitation is no longer needed: someone "
                              "else has been appointed")
    if invitation.state != "invited":
        raise AllocationError(409, "conflict", f"this invitation was already {invitation.state}")
    if invitation.review.state in NOT_CURRENT_STATES:
        raise AllocationError(409, "conflict",
                              f"{invitation.review.reference} is no longer in progress")
    invitation.state = "accepted" if response == "accept" else "declined"
    invitation.responded_dt = utcnow()
    invitation.response_note = note.strip()
    record(f"chair_invitation.{invitation.state}", invitation, actor,
           {"member_id": invitation.member_id, "role": invitation.role,
            "note": invitation.response_note}, review_id=invitation.review_id)
    return invitation


def close_invitations(review: Review, role: str, appointed: PoolMember, actor: User) -> None:
    """Once `appointed` takes `role` on `review`, the other open invitations for that role are
    no longer needed (each one recorded in the review's history)."""
    still_open = db.session.scalars(select(Invitation).where(
        Invitation.review_id == review.id, Invitation.role == role,
        Invitation.member_id != appointed.id, Invitation.state.in_(("invited", "accepted"))))
    for invitation in still_open:
        invitation.state = "not_needed"
        record("chair_invitation.not_needed", invitation, actor,
               {"member_id": invitation.member_id, "member": invitation.member.name,
                "role": role, "appointed": appointed.name}, review_id=review.id)


def invitations_for_user(user: User) -> list[Invitation]:
    """The invitations addressed to the pool member signed in as `user`, newest first."""
    return list(db.session.scalars(
        select(Invitation).join(PoolMember, Invitation.member_id == PoolMember.id)
        .where(PoolMember.user_id == user.id)
        .order_by(Invitation.invited_dt.desc(), Invitation.id.desc())
    ))


def can_see_invitation(user: User, invitation: Invitation) -> bool:
    return invitation.member.user_id == user.id or can_allocate(user, invitation.review)
