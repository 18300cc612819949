"""Home Office amendments: listing them and marking each one done (an operation: it flushes
and audits but never commits)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update

from dhr.audit import record
from dhr.errors import IllegalMove, InvalidInput, NotFound, NotPermitted, Stale
from dhr.extensions import db
from dhr.models import HoAmendment, Review, User
from dhr.wording import date_in_words
from dhr.workflow.declarations import may_send
from dhr.workflow.events import OptionalPastDate, Text


class AmendmentDone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: OptionalPastDate = Field(None, description="Defaults to today.")
    note: Text = None


def amendments_for(review: Review) -> list[HoAmendment]:
    return list(db.session.scalars(
        select(HoAmendment).where(HoAmendment.review_id == review.id)
        .order_by(HoAmendment.number)
    ))


def mark_done(review: Review, amendment: HoAmendment, user: User,
              body: AmendmentDone) -> HoAmendment:
    """Mark one amendment done; whoever may complete the amendments may mark them."""
    if amendment.review_id != review.id:
        raise NotFound("no such amendment")
    if not may_send(user, review, "complete_amendments"):
        raise NotPermitted("you cannot mark the Home Office amendments of this review")
    if review.state != "ho_amendments":
        raise IllegalMove("amendments can only be marked done while the review is at "
                                "the Home Office amendments stage", {"state": review.state})
    if amendment.is_done:
        raise IllegalMove(f"amendment {amendment.number} is already done",
                                {"done_date": amendment.done_date.isoformat()
                                 if amendment.done_date else None})
    when = body.date or dt.date.today()
    if when < amendment.letter_date:
        raise InvalidInput("the date is before the Home Office letter",
                               {"date": "must not be before the date of the Home Office "
                                        f"letter ({date_in_words(amendment.letter_date)})"})
    result = db.session.execute(
        update(HoAmendment)
        .where(HoAmendment.id == amendment.id, HoAmendment.is_done.is_(False))
        .values(is_done=True, done_date=when, done_note=body.note, done_by_id=user.id),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Stale("someone else marked this amendment done first: re-read and retry")
    db.session.refresh(amendment)
    record("amendment.done", amendment, user,
           {"number": amendment.number, "date": when.isoformat()}, review_id=review.id)
    return amendment
