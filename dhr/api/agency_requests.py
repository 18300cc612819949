"""Agency requests (IMRs, chronologies, short reports) of a review and their lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import forbidden, not_found
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.api.schemas import UtcDateTime
from dhr.extensions import db
from dhr.models import AgencyRequest, Review
from dhr.models.agency_requests import AGENCY_REQUEST_KINDS
from dhr.reminders.scan import chases_of
from dhr.workflow import agency_requests as operations
from dhr.workflow.agency_requests import CONTACT_EMAIL_MAX, CONTACT_NAME_MAX
from dhr.workflow.review_items import can_manage_requests, can_read_working_papers

Kind = Literal[AGENCY_REQUEST_KINDS]  # type: ignore[valid-type]
# Checked further (e-mail syntax) by the operation, which answers 400 naming the field.
ContactName = Annotated[str | None, StringConstraints(max_length=CONTACT_NAME_MAX)]
ContactEmail = Annotated[str | None, StringConstraints(max_length=CONTACT_EMAIL_MAX)]
CONTACT_NAME_HELP = "the person at the agency who is to send it (optional)"
CONTACT_EMAIL_HELP = "their e-mail address: chasing reminders go to it (optional)"


class AgencyRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=200)]
    kind: Kind
    due_date: date | None = Field(default=None,
                                  description="default: today + DHR_AGENCY_REQUEST_DUE_WEEKS")
    contact_name: ContactName = Field(default=None, description=CONTACT_NAME_HELP)
    contact_email: ContactEmail = Field(default=None, description=CONTACT_EMAIL_HELP)


class AgencyRequestUpdate(BaseModel):
    """Only the named contact changes this way (the lifecycle has its own transitions).
    A field left out keeps its value; null or "" clears it."""

    model_config = ConfigDict(extra="forbid")
    contact_name: ContactName = Field(default=None, description=CONTACT_NAME_HELP)
    contact_email: ContactEmail = Field(default=None, description=CONTACT_EMAIL_HELP)


class AgencyRequestTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Literal["submit", "accept", "return", "waive"]
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="submit/accept: {date?}; return: {comments, date?, due_date?}; "
                    "waive: {reason, date?}",
    )
    expected_version: int | None = Field(
        default=None, description="lock_version you read; 409 conflict if it changed since"
    )


class ChaseOut(BaseModel):
    at: UtcDateTime = Field(description="when it was sent (or queued, while not yet sent)")
    to: str
    sent: bool


class AgencyRequestFileOut(BaseModel):
    id: int
    content_type: str
    size_bytes: int
    sha256: str


class AgencyRequestOut(BaseModel):
    id: int
    review_id: int
    agency: str
    agency_label: str
    kind: str
    state: str
    requested_date: date
    due_date: date
    submitted_date: date | None
    returned_date: date | None
    accepted_date: date | None
    waived_date: date | None
    return_comments: str | None
    waive_reason: str | None
    contact_name: str | None
    contact_email: str | None
    files: list[AgencyRequestFileOut] = Field(
        description="what the agency sent, attached when the request was recorded as submitted")
    last_chased_date: date | None
    chases: list[ChaseOut] = Field(description="reminders e-mailed to the contact, oldest first")
    overdue: bool
    events: list[str] = Field(description="events possible from the current state")
    lock_version: int


class AgencyRequestList(BaseModel):
    items: list[AgencyRequestOut]


def request_out(item: AgencyRequest) -> AgencyRequestOut:
    return AgencyRequestOut(
        id=item.id, review_id=item.review_id, agency=item.agency, agency_label=item.agency_label,
        kind=item.kind, state=item.state, requested_date=item.requested_date,
        due_date=item.due_date, submitted_date=item.submitted_date,
        returned_date=item.returned_date, accepted_date=item.accepted_date,
        waived_date=item.waived_date, return_comments=item.return_comments,
        waive_reason=item.waive_reason, contact_name=item.contact_name,
        contact_email=item.contact_email,
        files=[AgencyRequestFileOut(id=f.id, content_type=f.content_type,
                                    size_bytes=f.size_bytes, sha256=f.sha256)
               for f in item.files],
        last_chased_date=item.last_chased_date,
        chases=[ChaseOut(at=c.at, to=c.to, sent=c.sent) for c in chases_of(item.id)],
        overdue=item.is_overdue, events=operations.events_for(item),
        lock_version=item.lock_version,
    )


def _review_with_requests(review_id: int) -> Review:
    """The review, if the caller may see its requests (practitioners never do: 404)."""
    review = load_visible_review(review_id)
    if not can_read_working_papers(g.user, review):
        raise not_found()
    return review


@bp.get("/reviews/<int:review_id>/agency-requests")
@documented("The review's requests to agencies.", response=AgencyRequestList)
def list_agency_requests(review_id: int) -> ResponseReturnValue:
    review = _review_with_requests(review_id)
    items = [request_out(r) for r in operations.requests_for(review)]
    return jsonify(AgencyRequestList(items=items).model_dump(mode="json"))


@bp.post("/reviews/<int:review_id>/agency-requests")
@documented("Ask an agency for an IMR, a chronology or a short report.",
            body=AgencyRequestCreate, response=AgencyRequestOut, status=201)
def create_agency_request(review_id: int) -> ResponseReturnValue:
    review = _review_with_requests(review_id)
    if not can_manage_requests(g.user, review):
        raise forbidden("you cannot request information for this review")
    body = parse_body(AgencyRequestCreate)
    created = operations.create_request(review, g.user, agency=body.agency, kind=body.kind,
                                        due_date=body.due_date, contact_name=body.contact_name,
                                        contact_email=body.contact_email)
    db.session.commit()
    return jsonify(request_out(created).model_dump(mode="json")), 201


def _visible_request(request_id: int) -> AgencyRequest:
    item = db.session.get(AgencyRequest, request_id)
    review = db.session.get(Review, item.review_id) if item else None
    if item is None or review is None or not can_read_working_papers(g.user, review):
        raise not_found("agency request")
    return item


@bp.get("/agency-requests/<int:request_id>")
@documented("One agency request.", response=AgencyRequestOut)
def get_agency_request(request_id: int) -> ResponseReturnValue:
    return jsonify(request_out(_visible_request(request_id)).model_dump(mode="json"))


@bp.patch("/agency-requests/<int:request_id>")
@documented("Change the named contact at the agency (contact_name, contact_email).",
            body=AgencyRequestUpdate, response=AgencyRequestOut)
def update_agency_request(request_id: int) -> ResponseReturnValue:
    item = _visible_request(request_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    if not can_manage_requests(g.user, review):
        raise forbidden("you cannot change the agency requests of this review")
    body = parse_body(AgencyRequestUpdate)
    given = body.model_fields_set
    changed = operations.change_contact(
        item, g.user,
        contact_name=body.contact_name if "contact_name" in given else item.contact_name,
        contact_email=body.contact_email if "contact_email" in given else item.contact_email)
    db.session.commit()
    return jsonify(request_out(changed).model_dump(mode="json"))


@bp.post("/agency-requests/<int:request_id>/transitions")
@documented("Move an agency request: submit, accept, return (with comments) or waive "
            "(with a reason).", body=AgencyRequestTransition, response=AgencyRequestOut)
def move_agency_request(request_id: int) -> ResponseReturnValue:
    item = _visible_request(request_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    if not can_manage_requests(g.user, review):
        raise forbidden("you cannot change the agency requests of this review")
    body = parse_body(AgencyRequestTransition)
    moved = operations.send_request_event(item, g.user, body.event, body.data,
                                          expected_version=body.expected_version)
    db.session.commit()
    return jsonify(request_out(moved).model_dump(mode="json"))
