"""The reminder scan: find what is due, work out who to tell, claim each reminder under the
unique key (rule, object, recipient, occurrence), then deliver it in the same transaction.

The claim is an INSERT that does nothing when the key exists, so a retried task, a restarted
worker, a second scheduler or two scans at once never deliver a reminder twice; a crash
before the commit leaves no claim, so the next scan delivers it (never lost either).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dhr.audit import record
from dhr.extensions import db
from dhr.models import AgencyRequest, Csp, OutboxMessage, ReminderClaim, User
from dhr.models.users import user_csps
from dhr.reminders import letters
from dhr.reminders.delivery import deliver, queue_email
from dhr.reminders.mail import Letter
from dhr.reminders.rules import Due, Rule, due_things, occurrence, rules_from

CLAIM_KEY = ["rule", "object_key", "recipient", "occurrence"]


@dataclass(frozen=True)
class Planned:
    """One reminder to one recipient, worked out before anything is claimed."""

    rule: str
    object_key: str
    occurrence: str
    recipient: str  # "user:3" or "contact:a@b.example"
    channel: str
    to: str  # the person's e-mail address, for the summary
    letter: Letter
    due_date: date
    review_id: int | None = None
    user_id: int | None = None
    address: str | None = None
    agency_request_id: int | None = None


@dataclass
class ScanReport:
    today: date
    delivered: list[Planned] = field(default_factory=list)
    already_sent: int = 0
    digests: int = 0
    weekly_digests: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    @property
    def sent(self) -> int:
        return len(self.delivered)

    def summary(self) -> str:
        lines = [f"Reminders for {letters.spoken(self.today)}: sent {self.sent}"
                 f" ({self.already_sent} already sent before, not repeated)."]
        for rule, count in sorted(Counter(p.rule for p in self.delivered).items()):
            lines.append(f"  {rule}: {count}")
        for channel, count in sorted(Counter(p.channel for p in self.delivered).items()):
            lines.append(f"  by {channel.replace('_', ' ')}: {count}")
        for item in self.delivered:
            lines.append(f"  - to {item.to} ({item.channel.replace('_', ' ')}): "
                         f"{item.letter.subject}")
        lines.append(f"Daily digests: {self.digests}; weekly sub-group digests: "
                     f"{self.weekly_digests}.")
        lines.append(f"E-mails sent: {self.emails_sent}; failed (will be retried): "
                     f"{self.emails_failed}.")
        return "\n".join(lines)


def _enabled_users(*criteria: Any) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.is_enabled.is_(True), *criteria).order_by(User.id)))


def _area_ids(due: Due) -> list[int] | None:
    """The counties concerned; None for a pool member serving no county in particular."""
    if due.review is not None:
        return [db.session.scalar(select(Csp.area_id).where(Csp.id == due.review.csp_id))]
    areas = [area.id for area in due.member.areas] if due.member is not None else []
    return areas or None


def audience_users(audience: str, due: Due) -> list[User]:
    """The people with accounts that `audience` means for this thing."""
    review = due.review
    if audience in {"subgroup", "coordinator"}:
        role = "subgroup_member" if audience == "subgroup" else "coordinator"
        areas = _area_ids(due)
        return _enabled_users(User.role == role,
                              *([User.area_id.in_(areas)] if areas is not None else []))
    if audience == "csp_managers" and review is not None:
        return _enabled_users(User.role == "csp_manager", User.id.in_(
            select(user_csps.c.user_id).where(user_csps.c.csp_id == review.csp_id)))
    if audience == "chair" and review is not None and review.chair is not None:
        user = review.chair.user
        return [user] if user is not None and user.is_enabled else []
    if audience == "member" and due.member is not None:
        user = due.member.user
        return [user] if user is not None and user.is_enabled else []
    return []


def _plan_one(due: Due, today: date, when: str) -> list[Planned]:
    common = {"rule": due.rule.name, "object_key": due.object_key, "occurrence": when,
              "due_date": due.due_date,
              "review_id": due.review.id if due.review is not None else None,
              "agency_request_id": (due.agency_request.id if due.agency_request is not None
                                    else None)}
    planned: dict[str, Planned] = {}
    for audience in due.rule.tell:
        if audience == "contact":
            address = due.agency_request.contact_email if due.agency_request else None
            if address:
                key = f"contact:{address.strip().lower()}"
                planned[key] = Planned(**common, recipient=key, channel="contact",
                                       to=address.strip(),
                                       letter=letters.for_contact(due, today),
                                       address=address.strip())
            continue
        for user in audience_users(audience, due):
            key = f"user:{user.id}"
            planned[key] = Planned(**common, recipient=key, to=user.email,
                                   channel=user.notification_preference,
                                   letter=letters.for_user(due, today), user_id=user.id)
    return list(planned.values())


def plan(rules: dict[str, Rule], today: date) -> list[Planned]:
    planned: list[Planned] = []
    for due in due_things(rules, today):
        when = occurrence(due.rule, due.due_date, today)
        if when is not None:
            planned += _plan_one(due, today, when)
    return planned


def claim(rule: str, object_key: str, recipient: str, when: str, **values: Any) -> int | None:
    """Insert the claim unless its key exists; its id, or None if someone claimed it first."""
    insert = (postgresql_insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    statement = (insert(ReminderClaim)
                 .values(rule=rule, object_key=object_key, recipient=recipient,
                         occurrence=when, **values)
                 .on_conflict_do_nothing(index_elements=CLAIM_KEY)
                 .returning(ReminderClaim.id))
    return db.session.execute(statement).scalar()


def claim_and_deliver(item: Planned, today: date) -> bool:
    claim_id = claim(item.rule, item.object_key, item.recipient, item.occurrence,
                     channel=item.channel, review_id=item.review_id, due_date=item.due_date,
                     subject=item.letter.subject)
    if claim_id is None:
        db.session.rollback()
        return False
    if item.user_id is not None:
        user = db.session.get(User, item.user_id)
        assert user is not None
        deliver(user, f"reminder.{item.rule}", item.letter, item.review_id, claim_id)
    else:
        assert item.address is not None
        queue_email(item.address, item.letter, claim_id)
    if item.agency_request_id is not None:
        db.session.execute(update(AgencyRequest)
                           .where(AgencyRequest.id == item.agency_request_id)
                           .values(last_chased_date=today),
                           execution_options={"synchronize_session": False})
    row = db.session.get(ReminderClaim, claim_id)
    record("reminder.sent", row, None,
           {"rule": item.rule, "object": item.object_key, "recipient": item.recipient,
            "occurrence": item.occurrence, "channel": item.channel},
           review_id=item.review_id)
    db.session.commit()
    return True


def active_rules() -> dict[str, Rule]:
    return rules_from(current_app.config.get("REMINDER_RULES") or {})


def run_reminders(today: date | None = None) -> ScanReport:
    """Claim and deliver every reminder due as of `today`."""
    today = today or date.today()
    planned = plan(active_rules(), today)
    db.session.rollback()  # end the reading transaction before claiming
    report = ScanReport(today)
    for item in planned:
        if claim_and_deliver(item, today):
            report.delivered.append(item)
        else:
            report.already_sent += 1
    return report


@dataclass(frozen=True)
class Chase:
    at: datetime
    to: str
    sent: bool


def chases_of(agency_request_id: int) -> list[Chase]:
    """Each reminder e-mailed to the request's agency contact: when it went, and to whom."""
    rows = db.session.execute(
        select(OutboxMessage.to_address, OutboxMessage.sent_dt, OutboxMessage.created_dt)
        .join(ReminderClaim, ReminderClaim.id == OutboxMessage.claim_id)
        .where(ReminderClaim.object_key == f"agency_request:{agency_request_id}",
               ReminderClaim.channel == "contact")
        .order_by(OutboxMessage.id))
    return [Chase(at=sent or created, to=to, sent=sent is not None) for to, sent, created in rows]
