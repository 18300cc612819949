"""The chair pool: members, ranked candidates for a review, expressions of interest.

Also registers the `dhr chair create` command.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import (
    BaseModel,
    EmailStr,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import select

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import forbidden, not_found, validation_error
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.api.schemas import ReviewOut, ShortText, Strict, UtcDateTime
from dhr.api.serialize import review_out
from dhr.extensions import db
from dhr.models import Invitation, PoolMember, Review, User
from dhr.models.pool import POOL_ROLES, TRAINING_KINDS
from dhr.permissions import (
    can_see_pool_member,
    can_view_review,
    sees_pool_contact,
    visible_pool_members_clause,
)
from dhr.reviews import agency_codes
from dhr.workflow import allocation, replacement
from dhr.workflow.allocation import can_allocate, can_manage_pool
from dhr.workflow.events import OptionalPastDate, Text
from dhr.workflow.pool import create_member, update_member

PoolRole = Literal[POOL_ROLES]  # type: ignore[valid-type]
TrainingKind = Literal[TRAINING_KINDS]  # type: ignore[valid-type]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
POOL_READER_ROLES = frozenset({"admin", "coordinator", "csp_manager", "subgroup_member"})


# Shapes ------------------------------------------------------------------------------------

def _not_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("must not be in the future")
    return value


class TrainingIn(Strict):
    kind: TrainingKind
    completed_date: date
    expires_date: date | None = None
    note: Note = ""

    _completed = field_validator("completed_date")(_not_future)

    @model_validator(mode="after")
    def _expires_after_completed(self) -> TrainingIn:
        if self.expires_date is not None and self.expires_date < self.completed_date:
            raise ValueError("expires_date must not be before completed_date")
        return self


class ConflictIn(Strict):
    agency: ShortText
    note: Note = ""


class ChairFields(Strict):
    """Shared by create and change. `trained_date` adds Home Office chair training."""

    phone: Phone | None = None
    roles: list[PoolRole] | None = Field(default=None, min_length=1, max_length=2)
    trained_date: date | None = None
    training: list[TrainingIn] | None = Field(default=None, max_length=50)
    active: bool | None = None
    capacity: int | None = Field(default=None, ge=0, le=20)
    areas: list[ShortText] | None = Field(default=None, max_length=20)
    conflict_agencies: list[ShortText | ConflictIn] | None = Field(default=None, max_length=60)
    excluded_csps: list[ShortText] | None = Field(default=None, max_length=60)

    _trained = field_validator("trained_date")(_not_future)

    @field_validator("*")
    @classmethod
    def _no_nulls(cls, value: object, info: ValidationInfo) -> object:
        """Leave a field out to keep it; null is refused (runs only for fields given), but
        a phone number may be cleared with null."""
        if value is None and info.field_name != "phone":
            raise ValueError("cannot be null")
        return value

    def operation_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "active":
                values["is_active"] = value
            elif name == "training":
                values[name] = [t.model_dump() for t in value]
            elif name == "conflict_agencies":
                values[name] = [c.model_dump() if isinstance(c, ConflictIn)
                                else {"agency": c, "note": ""} for c in value]
            else:
                values[name] = value
        return values


class ChairCreate(ChairFields):
    name: ShortText
    email: EmailStr


class ChairPatch(ChairFields):
    name: ShortText | None = None
    email: EmailStr | None = None


class TrainingOut(BaseModel):
    kind: str
    label: str
    completed_date: date
    expires_date: date = Field(description="the explicit expiry, else completion + validity")
    expired: bool
    note: str


class ConflictOut(BaseModel):
    agency: str
    label: str
    note: str


class ReviewRef(BaseModel):
    id: int
    reference: str


class ChairOut(BaseModel):
    id: int
    name: str
    email: str | None = Field(description="only for those who appoint chairs in an area the "
                                           "member serves (and admins, and the member)")
    phone: str | None = Field(description="as email")
    roles: list[str]
    active: bool
    capacity: int
    current_reviews: int = Field(description="reviews in progress as chair or report writer")
    reviews: list[ReviewRef] = Field(description="those of them the caller may see")
    trained_until: date | None
    training_expired: bool
    training: list[TrainingOut]
    areas: list[str]
    conflict_agencies: list[ConflictOut]
    excluded_csps: list[str]
    last_appointed_date: date | None
    can_sign_in: bool


class ChairList(BaseModel):
    items: list[ChairOut]


class ChairRef(BaseModel):
    id: int
    name: str
    roles: list[str]


class CandidateOut(BaseModel):
    rank: int
    chair: ChairRef
    eligible: bool
    reasons: list[str]
    current_reviews: int
    capacity: int
    last_appointed_date: date | None
    invitation: Literal["invited", "accepted", "declined", "not_needed"] | None
    # Eligible, but worth knowing: training that ends before the review is expected to finish.
    warnings: list[str] = []


class CandidateList(RootModel[list[CandidateOut]]):
    pass


class CandidateQuery(Strict):
    role: PoolRole = "chair"


class InvitationCreate(Strict):
    chair_id: int
    role: PoolRole = "chair"


class InvitationResponse(Strict):
    response: Literal["accept", "decline"]
    note: Note = ""


class ChairReplacementIn(Strict):
    chair_id: int = Field(description="the pool member who takes over")
    role: PoolRole = Field("chair", description="replace the chair or the report writer")
    reason: Text = Field(None, description="why, for example illness or a conflict of "
                                           "interest found later (required: refused with 422 "
                                           "when missing)")
    lock_version: int | None = Field(
        None, description="the review's lock_version as you read it: refused with 409 "
                          "conflict if someone changed the review since")
    date: OptionalPastDate = Field(None, description="the date of the replacement; defaults "
                                                     "to today")


class InvitationOut(BaseModel):
    id: int
    review_id: int
    review_reference: str
    csp: str
    agencies: list[str] = Field(description="agencies in the review's scope, by label")
    role: str
    state: str
    chair: ChairRef
    invited_at: UtcDateTime
    responded_at: UtcDateTime | None


class InvitationList(BaseModel):
    items: list[InvitationOut]


# Serialising -------------------------------------------------------------------------------

def chair_out(member: PoolMember, viewer: User, current: list[Review],
              labels: dict[str, str]) -> ChairOut:
    today = date.today()
    role = "chair" if member.has_role("chair") else "report_writer"
    until = allocation.trained_until(member, role)
    contact = sees_pool_contact(viewer, member)
    return ChairOut(
        id=member.id, name=member.name, email=member.email if contact else None,
        phone=member.phone if contact else None,
        roles=list(member.roles or []), active=member.is_active, capacity=member.capacity,
        current_reviews=len(current),
        reviews=[ReviewRef(id=r.id, reference=r.reference) for r in current
                 if can_view_review(viewer, r)],
        trained_until=until, training_expired=until is None or until < today,
        training=[
            TrainingOut(kind=t.kind, label=t.label, completed_date=t.completed_date,
                        expires_date=allocation.effective_expiry(t),
                        expired=allocation.effective_expiry(t) < today, note=t.note)
            for t in member.training
        ],
        areas=[a.name for a in member.areas],
        conflict_agencies=[ConflictOut(agency=c.agency, label=labels.get(c.agency, c.agency),
                                       note=c.note) for c in member.conflicts],
        excluded_csps=[c.name for c in member.excluded_csps],
        last_appointed_date=member.last_appointed_date, can_sign_in=member.user_id is not None,
    )


def _chair_ref(member: PoolMember) -> ChairRef:
    return ChairRef(id=member.id, name=member.name, roles=list(member.roles or []))


def invitation_out(invitation: Invitation, labels: dict[str, str]) -> InvitationOut:
    review = invitation.review
    return InvitationOut(
        id=invitation.id, review_id=review.id, review_reference=review.reference,
        csp=review.csp.name, agencies=[labels.get(a, a) for a in review.agencies or []],
        role=invitation.role, state=invitation.state, chair=_chair_ref(invitation.member),
        invited_at=invitation.invited_dt, responded_at=invitation.responded_dt,
    )


def _check_pool_reader() -> None:
    if g.user.role not in POOL_READER_ROLES and g.user.role != "chair":
        raise forbidden("your role cannot see the chair pool")


def _visible_members() -> list[PoolMember]:
    """Pool staff see the members serving their area(s); a chair their own record."""
    _check_pool_reader()
    return list(db.session.scalars(select(PoolMember).where(
        visible_pool_members_clause(g.user)).order_by(PoolMember.name, PoolMember.id)))


def _load_member(member_id: int) -> PoolMember:
    _check_pool_reader()
    member = db.session.get(PoolMember, member_id)
    if member is None or not can_see_pool_member(g.user, member):
        raise not_found("chair")
    return member


def _chosen_member(chair_id: int) -> PoolMember:
    """The pool member named in a body: one the caller may see, else no such member."""
    member = db.session.get(PoolMember, chair_id)
    if member is None or not can_see_pool_member(g.user, member):
        raise validation_error({"chair_id": "no such pool member"})
    return member


def _one(member: PoolMember) -> ResponseReturnValue:
    current = allocation.current_reviews(member)
    return jsonify(chair_out(member, g.user, current, agency_codes()).model_dump(mode="json"))


# Pool members ------------------------------------------------------------------------------

@bp.get("/chairs")
@documented("The chair pool: members, load, training and conflicts.", response=ChairList)
def list_chairs() -> ResponseReturnValue:
    members = _visible_members()
    current = allocation.reviews_by_member([m.id for m in members], current=True)
    labels = agency_codes()
    items = [chair_out(m, g.user, current.get(m.id, []), labels) for m in members]
    return jsonify(ChairList(items=items).model_dump(mode="json"))


@bp.get("/chairs/<int:chair_id>")
@documented("One pool member.", response=ChairOut)
def get_chair(chair_id: int) -> ResponseReturnValue:
    return _one(_load_member(chair_id))


@bp.post("/chairs")
@documented("Add a chair or report writer to the pool (coordinator, admin).", body=ChairCreate,
            response=ChairOut, status=201)
def create_chair() -> ResponseReturnValue:
    if not can_manage_pool(g.user):
        raise forbidden("only coordinators and admins keep the chair pool")
    body = parse_body(ChairCreate)
    member = create_member(g.user, body.operation_values())
    db.session.commit()
    return _one(member), 201


@bp.patch("/chairs/<int:chair_id>")
@documented("Change a pool member's record (coordinator, admin). Lists replace the old ones.",
            body=ChairPatch, response=ChairOut)
def patch_chair(chair_id: int) -> ResponseReturnValue:
    member = _load_member(chair_id)
    if not can_manage_pool(g.user):
        raise forbidden("only coordinators and admins keep the chair pool")
    body = parse_body(ChairPatch)
    changes = body.operation_values()
    if not changes:
        raise validation_error({"body": "no fields given"}, "nothing to change")
    update_member(g.user, member, changes)
    db.session.commit()
    return _one(member)


# Candidates and invitations ----------------------------------------------------------------

def _allocatable_review(review_id: int) -> Review:
    review = load_visible_review(review_id)
    if not can_allocate(g.user, review):
        raise forbidden("your role cannot appoint the chair of this review")
    return review


@bp.get("/reviews/<int:review_id>/chair-candidates")
@documented("Every pool member, ranked, with whether they may chair this review and why not.",
            query=CandidateQuery, response=CandidateList)
def chair_candidates(review_id: int) -> ResponseReturnValue:
    review = _allocatable_review(review_id)
    role = request.args.get("role", "chair")
    if role not in POOL_ROLES:
        raise validation_error({"role": "must be chair or report_writer"})
    ranked = allocation.rank_candidates(review, role, viewer=g.user)
    items = [
        CandidateOut(rank=index, chair=_chair_ref(c.member), eligible=c.eligible,
                     reasons=c.reasons, current_reviews=c.load, capacity=c.member.capacity,
                     last_appointed_date=c.last_appointed_date,
                     invitation=c.invitation_state, warnings=c.warnings)
        for index, c in enumerate(ranked, start=1)
    ]
    return jsonify(CandidateList(items).model_dump(mode="json"))


@bp.post("/reviews/<int:review_id>/chair-invitations")
@documented("Invite an eligible pool member to express interest in this review.",
            body=InvitationCreate, response=InvitationOut, status=201)
def create_invitation(review_id: int) -> ResponseReturnValue:
    review = _allocatable_review(review_id)
    body = parse_body(InvitationCreate)
    member = _chosen_member(body.chair_id)
    invitation = allocation.invite(review, member, g.user, body.role)
    db.session.commit()
    return jsonify(invitation_out(invitation, agency_codes()).model_dump(mode="json")), 201


@bp.post("/reviews/<int:review_id>/chair-replacement")
@documented("Replace the review's chair (or report writer) by another pool member, with the "
            "reason; recorded in the review's history. Same people and checks as appointing "
            "the chair; only from panel_and_scope until publication_pending (paused or not).",
            body=ChairReplacementIn, response=ReviewOut)
def replace_chair(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not replacement.can_replace(g.user, review):
        raise forbidden("your role cannot replace the chair of this review")
    body = parse_body(ChairReplacementIn)
    member = _chosen_member(body.chair_id)
    replacement.replace_appointee(review, member, body.role, body.reason or "", g.user,
                                 body.date, expected_version=body.lock_version)
    db.session.commit()
    return jsonify(review_out(review, g.user).model_dump(mode="json"))


@bp.get("/chair-invitations")
@documented("The invitations addressed to the caller as a pool member.",
            response=InvitationList)
def my_invitations() -> ResponseReturnValue:
    labels = agency_codes()
    items = [invitation_out(i, labels) for i in allocation.invitations_for_user(g.user)]
    return jsonify(InvitationList(items=items).model_dump(mode="json"))


@bp.post("/chair-invitations/<int:invitation_id>/respond")
@documented("Accept or decline an invitation (the invited pool member only).",
            body=InvitationResponse, response=InvitationOut)
def respond_to_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not allocation.can_see_invitation(g.user, invitation):
        raise not_found("invitation")
    body = parse_body(InvitationResponse)
    allocation.respond(invitation, g.user, body.response, body.note)
    db.session.commit()
    return jsonify(invitation_out(invitation, agency_codes()).model_dump(mode="json"))
