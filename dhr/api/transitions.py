"""Lifecycle events through the API: what the caller could do now, doing it, and the Home
Office amendments. Thin views over dhr.workflow.engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import forbidden, not_found
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.api.schemas import ReviewOut
from dhr.api.serialize import review_out
from dhr.extensions import db
from dhr.models import HoAmendment
from dhr.permissions import sees_restricted_detail
from dhr.workflow.amendments import AmendmentDone, amendments_for, mark_done
from dhr.workflow.declarations import EVENTS
from dhr.workflow.engine import available_events, send_event


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(description=f"one of: {', '.join(EVENTS)}")
    data: dict[str, Any] = Field(default_factory=dict,
                                 description="the event's data (DOMAIN.md section 2)")
    expected_version: int | None = Field(
        None, description="the review's lock_version as you read it: refused with 409 "
                          "conflict if someone changed the review since")


class EventOptionOut(BaseModel):
    event: str
    label: str
    allowed: bool
    missing: list[str]


class TransitionsOut(BaseModel):
    review_id: int
    state: str
    paused: bool
    lock_version: int
    events: list[EventOptionOut]


class AmendmentOut(BaseModel):
    id: int
    number: int
    text: str
    letter_date: dt.date
    done: bool
    done_date: dt.date | None
    done_note: str | None
    done_by: str | None


class AmendmentList(BaseModel):
    items: list[AmendmentOut]


def amendment_out(amendment: HoAmendment) -> AmendmentOut:
    return AmendmentOut(
        id=amendment.id, number=amendment.number, text=amendment.text,
        letter_date=amendment.letter_date, done=amendment.is_done,
        done_date=amendment.done_date, done_note=amendment.done_note,
        done_by=amendment.done_by.display_name if amendment.done_by else None,
    )


@bp.get("/reviews/<int:review_id>/transitions")
@documented("The events the caller could send now, each with what is still missing.",
            response=TransitionsOut)
def list_transitions(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    options = [EventOptionOut(event=o.event, label=o.label, allowed=o.allowed,
                              missing=o.missing) for o in available_events(review, g.user)]
    body = TransitionsOut(review_id=review.id, state=review.state, paused=review.is_paused,
                          lock_version=review.lock_version, events=options)
    return jsonify(body.model_dump(mode="json"))


@bp.post("/reviews/<int:review_id>/transitions")
@documented("Send a lifecycle event (DOMAIN.md section 2); answers with the updated review.",
            body=TransitionIn, response=ReviewOut)
def post_transition(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    body = parse_body(TransitionIn)
    send_event(review, g.user, body.event, body.data,
               expected_version=body.expected_version)
    db.session.commit()
    return jsonify(review_out(review, g.user).model_dump(mode="json"))


@bp.get("/reviews/<int:review_id>/amendments")
@documented("The Home Office amendments of a review.", response=AmendmentList)
def list_amendments(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not sees_restricted_detail(g.user):
        raise forbidden("the Home Office amendments are not published")
    items = [amendment_out(a) for a in amendments_for(review)]
    return jsonify(AmendmentList(items=items).model_dump(mode="json"))


@bp.post("/reviews/<int:review_id>/amendments/<int:amendment_id>/done")
@documented("Mark one Home Office amendment done.", body=AmendmentDone, response=AmendmentOut)
def amendment_done(review_id: int, amendment_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    amendment = db.session.get(HoAmendment, amendment_id)
    if amendment is None or amendment.review_id != review.id:
        raise not_found("amendment")
    body = parse_body(AmendmentDone)
    mark_done(review, amendment, g.user, body)
    db.session.commit()
    return jsonify(amendment_out(amendment).model_dump(mode="json"))
