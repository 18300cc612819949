"""Operations on recommendations: add, reword, log progress, complete, close.

They flush and audit but never commit. Status changes are conditional UPDATEs (the row must
still be open and unchanged), so two people completing and closing at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import MutableSequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dhr.audit import record
from dhr.errors import IllegalMove, InvalidInput, NotPermitted, Stale, field_errors
from dhr.extensions import db
from dhr.models import AuditEntry, Review, User
from dhr.permissions import COUNTY_ROLES, can_view_review
from dhr.reviews import ReviewInputError, normalise_agencies
from dhr.vocabulary import offered_terms, to_codes, vocabulary_terms
from dhr.workflow.review_items import (
    can_draft_recommendations,
    can_track_recommendations,
    refuse_if_final,
    refuse_if_paused,
    refuse_if_published,
)
from learning.models import (
    CLOSED_REASONS,
    LEVELS,
    Recommendation,
    RecommendationUpdate,
    recommendations_for,  # noqa: F401 - also read here by the pages and the API
)

NUMBER_PATTERN = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+){0,4}")
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Level = Literal[LEVELS]  # type: ignore[valid-type]
ClosedReason = Literal[CLOSED_REASONS]  # type: ignore[valid-type]
HISTORY_LABELS = {
    "recommendation.created": "Added",
    "recommendation.updated": "Changed",
    "recommendation.progress": "Progress recorded",
    "recommendation.completed": "Marked completed",
    "recommendation.closed": "Closed",
    "recommendation.reopened": "Reopened",
}
# Wording is what gets published; it is frozen once the review is.
WORDING_FIELDS = frozenset({"number", "text", "level"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecommendationCreate(_Strict):
    number: Number
    text: Text
    level: Level
    agency: Short
    owner: Short | None = None
    due_date: dt.date | None = None
    themes: list[Short] = Field(default_factory=list, max_length=30)


class RecommendationPatch(_Strict):
    number: Number | None = None
    text: Text | None = None
    level: Level | None = None
    agency: Short | None = None
    owner: Short | None = None
    due_date: dt.date | None = None
    themes: list[Short] | None = Field(default=None, max_length=30)


class ProgressIn(_Strict):
    date: dt.date | None = None
    impact: Text


class CompleteIn(_Strict):
    date: dt.date | None = None
    evidence: Text


class ReopenIn(_Strict):
    reason: Text


class CloseIn(_Strict):
    reason: ClosedReason
    note: Text | None = None
    date: dt.date | None = None


def parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate JSON-like data (dates may be date objects or ISO strings)."""
    try:
        return model.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        raise InvalidInput("some fields are not valid", field_errors(exc)) from None


def history_of(recommendation: Recommendation) -> list[AuditEntry]:
    """Its audit entries, oldest first (who added, changed, completed, closed, reopened it)."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.review_id == recommendation.review_id,
                                 AuditEntry.object_type == Recommendation.__tablename__,
                                 AuditEntry.object_id == recommendation.id)
        .order_by(AuditEntry.at_dt, AuditEntry.id)))


def theme_labels() -> dict[str, str]:
    return vocabulary_terms("theme")


def offered_themes() -> dict[str, str]:
    """The themes a form offers (not the retired ones)."""
    return offered_terms("theme")


def normalise_themes(values: list[str]) -> list[str]:
    """Theme codes or labels -> codes; an unknown theme is a field error."""
    codes, unknown = to_codes("theme", values)
    if unknown:
        raise InvalidInput("unknown theme", {"themes": f"unknown theme: {', '.join(unknown)}"})
    return codes


def _agency(value: str) -> str:
    try:
        return normalise_agencies([value])[0]
    except ReviewInputError as exc:
        raise InvalidInput("unknown agency", {"agency": exc.details["agencies"]}) from None


def _check_number(review: Review, number: str, exclude_id: int | None = None) -> None:
    if not NUMBER_PATTERN.fullmatch(number):
        raise InvalidInput("the number is not valid",
                           {"number": "use numbers and letters with dots, for example 3.2"})
    clash = select(Recommendation.id).where(Recommendation.review_id == review.id,
                                            Recommendation.number == number)
    if exclude_id is not None:
        clash = clash.where(Recommendation.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise _number_taken(number)


def _number_taken(number: str) -> InvalidInput:
    return InvalidInput("the number is already used",
                        {"number": f"recommendation {number} already exists in this review"})


def _not_future(when: dt.date, field: str = "date") -> dt.date:
    if when > dt.date.today():
        raise InvalidInput("the date is in the future", {field: "must not be in the future"})
    return when


def _review_of(recommendation: Recommendation) -> Review:
    review = db.session.get(Review, recommendation.review_id)
    assert review is not None
    return review


def create_recommendation(review: Review, actor: User, data: dict[str, Any]) -> Recommendation:
    if not can_draft_recommendations(actor, review):
        raise NotPermitted("you cannot add recommendations to this review")
    refuse_if_published(review, "its recommendations")
    refuse_if_paused(review, "its recommendations")
    body: RecommendationCreate = parse(RecommendationCreate, data)
    _check_number(review, body.number)
    created = Recommendation(
        review_id=review.id, number=body.number, text=body.text, level=body.level,
        agency=_agency(body.agency), owner=body.owner, due_date=body.due_date,
        themes=normalise_themes(body.themes), created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(created)
    except IntegrityError:
        raise _number_taken(body.number) from None
    record("recommendation.created", created, actor,
           {"number": created.number, "level": created.level, "agency": created.agency},
           review_id=review.id, to_state="open")
    return created


def update_recommendation(recommendation: Recommendation, actor: User,
                          data: dict[str, Any]) -> Recommendation:
    """Change fields (PATCH). Wording needs the drafting right and an unpublished review."""
    review = _review_of(recommendation)
    body: RecommendationPatch = parse(RecommendationPatch, data)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if not changes:
        raise InvalidInput("nothing to change", {"body": "no fields given"})
    for name in changes.keys() & {"number", "text", "level", "agency"}:
        if changes[name] is None:
            raise InvalidInput("some fields are not valid", {name: "cannot be empty"})
    if changes.keys() & WORDING_FIELDS:
        if not can_draft_recommendations(actor, review):
            raise NotPermitted("you cannot change the wording of this recommendation")
        refuse_if_published(review, "the wording of its recommendations")
        refuse_if_paused(review, "the wording of its recommendations")
    elif not (can_draft_recommendations(actor, review)
              or can_track_recommendations(actor, review)):
        raise NotPermitted("you cannot change this recommendation")
    _refuse_if_withdrawn(review)
    if "number" in changes:
        _check_number(review, changes["number"], exclude_id=recommendation.id)
    if "agency" in changes:
        changes["agency"] = _agency(changes["agency"])
    if "themes" in changes:
        changes["themes"] = normalise_themes(changes["themes"] or [])
    before = {name: _json_safe(getattr(recommendation, name)) for name in changes}
    for name, value in changes.items():
        setattr(recommendation, name, value)
    recommendation.lock_version += 1
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _number_taken(changes.get("number", recommendation.number)) from None
    after = {name: _json_safe(value) for name, value in changes.items()}
    if "text" in after:  # the wording itself is in the row; the log notes that it changed
        before["text"], after["text"] = "(previous wording)", "(new wording)"
    record("recommendation.updated", recommendation, actor,
           {"number": recommendation.number, "before": before, "after": after},
           review_id=review.id)
    return recommendation


def _json_safe(value: Any) -> Any:
    if isinstance(value, MutableSequence):  # the themes proxy is a live view: copy it
        return list(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _check_tracking(recommendation: Recommendation, actor: User) -> Review:
    review = _review_of(recommendation)
    if not can_track_recommendations(actor, review):
        raise NotPermitted("you cannot record progress on this recommendation")
    _refuse_if_withdrawn(review)
    return review


def _refuse_if_withdrawn(review: Review) -> None:
    """Tracking goes on after publication and closure, but not on a withdrawn review."""
    if review.state == "withdrawn":
        refuse_if_final(review, "its recommendations")


def add_progress(recommendation: Recommendation, actor: User,
                 data: dict[str, Any]) -> RecommendationUpdate:
    """Append a dated 'impact of actions taken' entry (never overwritten)."""
    review = _check_tracking(recommendation, actor)
    body: ProgressIn = parse(ProgressIn, data)
    entry = RecommendationUpdate(recommendation=recommendation,
                                 update_date=_not_future(body.date or dt.date.today()),
                                 impact=body.impact, author_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record("recommendation.progress", recommendation, actor,
           {"number": recommendation.number, "date": entry.update_date.isoformat(),
            "update_id": entry.id}, review_id=review.id)
    return entry


def _set_status(recommendation: Recommendation, actor: User, action: str,
                values: dict[str, Any], to_status: str, data: dict[str, Any],
                from_statuses: tuple[str, ...] = ("open",)) -> Recommendation:
    review = _review_of(recommendation)
    was = recommendation.status
    if was not in from_statuses:
        raise IllegalMove(f"recommendation {recommendation.number} is already {was}",
                          {"status": was})
    result = db.session.execute(
        update(Recommendation)
        .where(Recommendation.id == recommendation.id, Recommendation.status == was,
               Recommendation.lock_version == recommendation.lock_version)
        .values(status=to_status, lock_version=recommendation.lock_version + 1, **values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Stale("someone else changed this recommendation first: read it again and retry")
    db.session.refresh(recommendation)
    record(action, recommendation, actor, {"number": recommendation.number, **data},
           review_id=review.id, from_state=was, to_state=to_status)
    return recommendation


def complete(recommendation: Recommendation, actor: User, data: dict[str, Any]) -> Recommendation:
    """Mark completed with the date and the evidence (the tracker's 'YES and dates')."""
    _check_tracking(recommendation, actor)
    body: CompleteIn = parse(CompleteIn, data)
    when = _not_future(body.date or dt.date.today())
    return _set_status(recommendation, actor, "recommendation.completed",
                       {"completed_date": when, "evidence": body.evidence}, "completed",
                       {"date": when.isoformat()})


def close(recommendation: Recommendation, actor: User, data: dict[str, Any]) -> Recommendation:
    """Close without completing: not accepted, superseded or escalated (with a note)."""
    _check_tracking(recommendation, actor)
    body: CloseIn = parse(CloseIn, data)
    when = _not_future(body.date or dt.date.today())
    return _set_status(recommendation, actor, "recommendation.closed",
                       {"closed_reason": body.reason, "closed_note": body.note,
                        "closed_date": when}, "closed",
                       {"reason": body.reason, "date": when.isoformat()})


def can_reopen(user: User, review: Review) -> bool:
    """The county sub-group (with the coordinator and admins) decides that work must resume."""
    return user.role in COUNTY_ROLES | {"admin"} and can_view_review(user, review)


def reopen(recommendation: Recommendation, actor: User,
           data: dict[str, Any]) -> Recommendation:
    """Back to open, with the reason. What it was (date, evidence or closure) stays in the
    audit history; the row is cleared so it can be completed or closed again."""
    review = _review_of(recommendation)
    if not can_reopen(actor, review):
        raise NotPermitted("only the county sub-group can reopen a recommendation")
    _refuse_if_withdrawn(review)
    body: ReopenIn = parse(ReopenIn, data)
    cleared = ("completed_date", "evidence", "closed_reason", "closed_note", "closed_date")
    previous = {name: _json_safe(getattr(recommendation, name)) for name in cleared
                if getattr(recommendation, name) is not None}
    return _set_status(recommendation, actor, "recommendation.reopened",
                       dict.fromkeys(cleared), "open",
                       {"reason": body.reason, "previous": previous},
                       from_statuses=("completed", "closed"))
