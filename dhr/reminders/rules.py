"""The due-date rules, as data: what falls due, who is told, how long before, and how often
after it is missed. Defaults follow DOMAIN.md; a deployment changes any of them with
DHR_REMINDER_RULES, e.g. `{"decision_due": {"days_before": 14, "tell": ["csp_managers",
"coordinator"]}}` (checked at start-up).

Each rule's finder lists the things it watches with their due dates, as of a day; the scan
(dhr.reminders.scan) turns them into reminders for people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select

from dhr.config import ConfigError
from dhr.extensions import db
from dhr.models import AgencyRequest, PoolMember, Review
from dhr.models.agency_requests import AWAITING_STATES
from dhr.models.states import FINAL_STATES
from dhr.vocabulary import vocabulary_terms
from dhr.workflow.allocation import trained_until
from learning.models import Recommendation

# Who can be told: the review's CSP managers, its chair, the county sub-group and the county
# coordinator (of the review's county, or the pool member's), the agency's named contact,
# and the pool member themself.
Audience = Literal["csp_managers", "chair", "subgroup", "coordinator", "contact", "member"]
AUDIENCES: tuple[str, ...] = Audience.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rule:
    name: str
    tell: tuple[str, ...]
    days_before: int  # first reminder this many days before the due date (0: none before)
    repeat_days: int  # once missed, again every this many days (0: only once)
    allow_days: int = 0  # for rules whose due date is a start date plus an allowance


DEFAULT_RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("decision_due", ("csp_managers",), days_before=7, repeat_days=7),
    Rule("home_office_informed", ("csp_managers",), days_before=0, repeat_days=7,
         allow_days=7),
    Rule("chair_appointment", ("csp_managers", "coordinator"), days_before=7, repeat_days=7,
         allow_days=28),
    Rule("agency_request_due", ("csp_managers", "contact"), days_before=7, repeat_days=7),
    Rule("submission_due", ("csp_managers", "chair"), days_before=28, repeat_days=14),
    Rule("publication_due", ("csp_managers", "subgroup"), days_before=14, repeat_days=14,
         allow_days=56),
    Rule("recommendation_due", ("csp_managers",), days_before=14, repeat_days=28),
    Rule("training_expiry", ("coordinator", "member"), days_before=60, repeat_days=30),
    Rule("pause_end", ("csp_managers", "chair"), days_before=7, repeat_days=14),
)}


class RuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tell: list[Audience] | None = Field(default=None, min_length=1)
    days_before: int | None = Field(default=None, ge=0, le=366)
    repeat_days: int | None = Field(default=None, ge=0, le=366)
    allow_days: int | None = Field(default=None, ge=0, le=3660)
    enabled: bool = True


def rules_from(changes: Mapping[str, Any]) -> dict[str, Rule]:
    """The default rules with a deployment's changes applied (disabled rules left out)."""
    unknown = sorted(set(changes) - set(DEFAULT_RULES))
    if unknown:
        raise ConfigError(f"DHR_REMINDER_RULES: no rule called {', '.join(unknown)} (rules: "
                          f"{', '.join(DEFAULT_RULES)})")
    rules = dict(DEFAULT_RULES)
    for name, raw in changes.items():
        try:
            change = RuleChange.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                 for e in exc.errors())
            raise ConfigError(f"DHR_REMINDER_RULES[{name!r}]: {problems}") from None
        if not change.enabled:
            del rules[name]
            continue
        values = change.model_dump(exclude_none=True, exclude={"enabled"})
        if "tell" in values:
            values["tell"] = tuple(values["tell"])
        rules[name] = replace(rules[name], **values)
    return rules


def occurrence(rule: Rule, due: date, today: date) -> str | None:
    """Which reminder of `rule` is due today for a thing due on `due`, if any.

    One before the date (from `days_before` days ahead), then one when missed and another
    each `repeat_days` while it stays missed. The due date is part of the key, so a new due
    date (an extension) starts afresh; a scan that runs late sends the current one only.
    """
    if today > due:
        days_late = (today - due).days
        number = (days_late - 1) // rule.repeat_days if rule.repeat_days else 0
        return f"missed:{due.isoformat()}:{number}"
    if rule.days_before and today >= due - timedelta(days=rule.days_before):
        return f"coming:{due.isoformat()}"
    return None


@dataclass(frozen=True)
class Due:
    """A thing a rule watches: its key, due date, and what to call it in a message."""

    rule: Rule
    object_key: str
    due_date: date
    what: str
    review: Review | None = None
    agency_request: AgencyRequest | None = None
    member: PoolMember | None = None
    expires: bool = False  # said as "expires on" / "expired on" rather than "is due on"


def _live_unpaused() -> list[Any]:
    return [Review.state.not_in(FINAL_STATES), Review.is_paused.is_(False)]


def _reviews(*criteria: Any) -> list[Review]:
    return list(db.session.scalars(select(Review).where(*criteria).order_by(Review.id)))


def _horizon(rule: Rule, today: date) -> date:
    """Nothing due after this day can have a reminder today."""
    return today + timedelta(days=rule.days_before)


def decision_due(rule: Rule, today: date) -> Iterator[Due]:
    for review in _reviews(Review.state == "notified", Review.is_paused.is_(False),
                           Review.decision_due_date <= _horizon(rule, today)):
        yield Due(rule, f"review:{review.id}", review.decision_due_date,
                  "The decision whether to hold a review", review)


def home_office_informed(rule: Rule, today: date) -> Iterator[Due]:
    decided = func.coalesce(Review.decision_date, Review.direction_date)
    for review in _reviews(*_live_unpaused(), Review.decision_date.is_not(None),
                           Review.ho_informed_date.is_(None), decided.is_not(None)):
        due = review.decision_date + timedelta(days=rule.allow_days)
        yield Due(rule, f"review:{review.id}", due,
                  "Telling the Home Office of the decision", review)


def chair_appointment(rule: Rule, today: date) -> Iterator[Due]:
    for review in _reviews(Review.state == "chair_appointment", Review.is_paused.is_(False),
                           Review.chair_id.is_(None)):
        start = review.decision_date or review.direction_date or review.notification_date
        yield Due(rule, f"review:{review.id}", start + timedelta(days=rule.allow_days),
                  "Appointing an independent chair", review)


def agency_request_due(rule: Rule, today: date) -> Iterator[Due]:
    rows = db.session.execute(
        select(AgencyRequest, Review).join(Review, Review.id == AgencyRequest.review_id)
        .where(AgencyRequest.state.in_(AWAITING_STATES), *_live_unpaused(),
               AgencyRequest.due_date <= _horizon(rule, today))
        .order_by(AgencyRequest.id))
    for agency_request, review in rows:
        what = f"The {agency_request.kind_label.lower()} from {agency_request.agency_label}"
        yield Due(rule, f"agency_request:{agency_request.id}", agency_request.due_date, what,
                  review, agency_request=agency_request)


def submission_due(rule: Rule, today: date) -> Iterator[Due]:
    for review in _reviews(*_live_unpaused(), Review.submitted_date.is_(None),
                           Review.adjusted_due_date.is_not(None),
                           Review.adjusted_due_date <= _horizon(rule, today)):
        yield Due(rule, f"review:{review.id}", review.adjusted_due_date,
                  "Submitting the report to the Home Office (six months, adjusted for pauses)",
                  review)


def publication_due(rule: Rule, today: date) -> Iterator[Due]:
    for review in _reviews(Review.state == "publication_pending",
                           Review.is_paused.is_(False)):
        start = review.amendments_completed_date or review.ho_letter_date
        if start is not None:
            yield Due(rule, f"review:{review.id}", start + timedelta(days=rule.allow_days),
                      "Publishing the report after Home Office approval", review)


def recommendation_due(rule: Rule, today: date) -> Iterator[Due]:
    rows = db.session.execute(
        select(Recommendation, Review).join(Review, Review.id == Recommendation.review_id)
        .where(Recommendation.status == "open", Recommendation.due_date.is_not(None),
               Recommendation.due_date <= _horizon(rule, today),
               Review.state != "withdrawn")
        .order_by(Recommendation.id))
    agencies = vocabulary_terms("agency")
    for recommendation, review in rows:
        agency = agencies.get(recommendation.agency, recommendation.agency)
        yield Due(rule, f"recommendation:{recommendation.id}", recommendation.due_date,
                  f"Recommendation {recommendation.number} (for {agency})", review)


def training_expiry(rule: Rule, today: date) -> Iterator[Due]:
    members = db.session.scalars(
        select(PoolMember).where(PoolMember.is_active.is_(True)).order_by(PoolMember.id))
    for member in members:
        until = trained_until(member, "chair" if member.has_role("chair") else "report_writer")
        if until is not None and until <= _horizon(rule, today):
            yield Due(rule, f"pool_member:{member.id}", until,
                      f"{member.name}'s training for the pool", member=member, expires=True)


def pause_end(rule: Rule, today: date) -> Iterator[Due]:
    for review in _reviews(Review.is_paused.is_(True),
                           Review.pause_expected_end_date.is_not(None),
                           Review.pause_expected_end_date <= _horizon(rule, today)):
        yield Due(rule, f"review:{review.id}", review.pause_expected_end_date,
                  "The expected end of the pause (resume the review or record a new date)",
                  review)


FINDERS: dict[str, Callable[[Rule, date], Iterator[Due]]] = {
    "decision_due": decision_due,
    "home_office_informed": home_office_informed,
    "chair_appointment": chair_appointment,
    "agency_request_due": agency_request_due,
    "submission_due": submission_due,
    "publication_due": publication_due,
    "recommendation_due": recommendation_due,
    "training_expiry": training_expiry,
    "pause_end": pause_end,
}


def due_things(rules: Mapping[str, Rule], today: date) -> Iterator[Due]:
    for name, rule in rules.items():
        yield from FINDERS[name](rule, today)
