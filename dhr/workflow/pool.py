"""Keeping the pool records: members, their training and their conflicts of interest.

Operations flush and audit but never commit; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from dhr.audit import record
from dhr.errors import InvalidInput
from dhr.extensions import db
from dhr.models import Area, Csp, Invitation, PoolMember, Review, User
from dhr.models.pool import POOL_ROLES, TRAINING_KINDS, ConflictOfInterest, TrainingRecord
from dhr.reviews import agency_codes, find_csp

T = TypeVar("T")

SIMPLE_FIELDS = ("name", "email", "phone", "roles", "is_active", "capacity")


class PoolInputError(InvalidInput):
    """Field-level problems with pool data: {field: message}."""

    def __init__(self, details: dict[str, str]):
        super().__init__("some fields are not valid", details)

    def __str__(self) -> str:  # the command line shows the fields themselves
        return "; ".join(f"{k}: {v}" for k, v in self.details.items())


def _agency_code(value: str, known: dict[str, str]) -> str | None:
    if value in known:
        return value
    by_label = {label.lower(): code for code, label in known.items()}
    return by_label.get(value.strip().lower())


def _conflicts(values: list[dict[str, str]]) -> list[ConflictOfInterest]:
    known = agency_codes()
    found: dict[str, ConflictOfInterest] = {}
    unknown = []
    for value in values:
        code = _agency_code(value["agency"], known)
        if code is None:
            unknown.append(value["agency"])
        elif code not in found:
            found[code] = ConflictOfInterest(agency=code, note=(value.get("note") or "").strip())
    if unknown:
        raise PoolInputError({"conflict_agencies": f"unknown agency: {', '.join(unknown)}"})
    return list(found.values())


def _find_each(names: list[str], find: Callable[[str], T | None], field: str,
               what: str) -> list[T]:
    """Each name looked up once; any unknown name is a field error naming them all."""
    found: list[T] = []
    unknown = []
    for name in names:
        item = find(name)
        if item is None:
            unknown.append(name)
        elif item not in found:
            found.append(item)
    if unknown:
        raise PoolInputError({field: f"unknown {what}: {', '.join(unknown)}"})
    return found


def _find_area(name: str) -> Area | None:
    needle = name.strip().lower()
    return db.session.scalar(
        select(Area).where((func.lower(Area.name) == needle) | (Area.slug == needle)))


def _csps(names: list[str]) -> list[Csp]:
    return _find_each(names, find_csp, "excluded_csps", "CSP")


def _areas(names: list[str]) -> list[Area]:
    return _find_each(names, _find_area, "areas", "area")


def _training(values: list[dict[str, Any]]) -> list[TrainingRecord]:
    records = []
    for index, value in enumerate(values):
        kind, completed = value.get("kind"), value.get("completed_date")
        expires = value.get("expires_date")
        if kind not in TRAINING_KINDS:
            raise PoolInputError({f"training.{index}.kind": f"unknown kind: {kind}"})
        if not isinstance(completed, date) or completed > date.today():
            raise PoolInputError({f"training.{index}.completed_date":
                                  "must be a date, not in the future"})
        if expires is not None and expires < completed:
            raise PoolInputError({f"training.{index}.expires_date":
                                  "must not be before the completion date"})
        records.append(TrainingRecord(kind=kind, completed_date=completed, expires_date=expires,
                                      note=(value.get("note") or "").strip()))
    return records


def _check_simple(values: dict[str, Any], member: PoolMember | None) -> None:
    if "name" in values and not (values["name"] or "").strip():
        raise PoolInputError({"name": "enter the member's name"})
    if "roles" in values:
        roles = values["roles"]
        if not roles or any(role not in POOL_ROLES for role in roles):
            raise PoolInputError({"roles": "choose chair, report_writer or both"})
        values["roles"] = [role for role in POOL_ROLES if role in roles]
    if "capacity" in values and not 0 <= values["capacity"] <= 20:
        raise PoolInputError({"capacity": "must be a whole number from 0 to 20"})
    if "email" in values:
        email = values["email"].strip().lower()
        if "@" not in email:
            raise PoolInputError({"email": "enter an email address"})
        taken = db.session.scalar(select(PoolMember.id).where(
            func.lower(PoolMember.email) == email))
        if taken is not None and (member is None or taken != member.id):
            raise PoolInputError({"email": f"{email} is already in the pool"})
        values["email"] = email
    if "phone" in values:
        values["phone"] = (values["phone"] or "").strip() or None


def _link_user(member: PoolMember) -> None:
    """Give the member their sign-in: the unlinked chair account with the same email."""
    if member.user_id is not None:
        return
    user = db.session.scalar(select(User).where(func.lower(User.email) == member.email,
                                                User.role == "chair"))
    if user is not None and db.session.scalar(
        select(PoolMember.id).where(PoolMember.user_id == user.id)
    ) is None:
        member.user = user


def _audit_view(member: PoolMember) -> dict[str, Any]:
    return {
        "name": member.name, "email": member.email, "phone": member.phone,
        "roles": list(member.roles or []), "is_active": member.is_active,
        "capacity": member.capacity, "areas": [a.name for a in member.areas],
        "excluded_csps": [c.name for c in member.excluded_csps],
        "conflict_agencies": [{"agency": c.agency, "note": c.note} for c in member.conflicts],
        "training": [{"kind": t.kind, "completed_date": t.completed_date.isoformat(),
                      "expires_date": t.expires_date.isoformat() if t.expires_date else None}
                     for t in member.training],
    }


def _served(areas: list[Area]) -> set[int]:
    """The ids of the areas a member with `areas` serves (none recorded: every area)."""
    if areas:
        return {area.id for area in areas}
    return set(db.session.scalars(select(Area.id)))


def _check_area_scope(actor: User | None, before: list[Area] | None,
                      after: list[Area]) -> None:
    """A coordinator keeps the pool of their own area: the member must serve it, and whether
    the member serves other areas is those areas' business (an admin's to change)."""
    if actor is None or actor.role != "coordinator" or actor.area is None:
        return
    own = actor.area
    served = _served(after)
    if own.id not in served:
        raise PoolInputError({"areas": f"must include {own.name}, the area you coordinate"})
    if before is not None and _served(before) - {own.id} != served - {own.id}:
        raise PoolInputError({"areas": f"you can change only whether this member serves "
                                       f"{own.name}"})


def _apply(member: PoolMember, values: dict[str, Any], actor: User | None) -> None:
    """Set the fields present in `values` (relations replaced as a whole)."""
    _check_simple(values, member if member.id else None)
    if "areas" in values or member.id is None:
        areas = _areas(values.get("areas") or [])
        _check_area_scope(actor, list(member.areas) if member.id else None, areas)
    for name in SIMPLE_FIELDS:
        if name in values:
            setattr(member, name, values[name])
    if "areas" in values:
        member.areas = areas
    if "excluded_csps" in values:
        member.excluded_csps = _csps(values["excluded_csps"])
    if "conflict_agencies" in values:
        new = {c.agency: c for c in _conflicts(values["conflict_agencies"])}
        kept = [c for c in member.conflicts if c.agency in new]
        for conflict in kept:
            conflict.note = new.pop(conflict.agency).note
        member.conflicts = kept + list(new.values())
    if "training" in values:
        member.training = _training(values["training"])
    if values.get("trained_date") is not None:
        trained = values["trained_date"]
        if not any(t.kind == "home_office_chair_training" and t.completed_date == trained
                   for t in member.training):
            member.training.extend(_training(
                [{"kind": "home_office_chair_training", "completed_date": trained}]))


def create_member(actor: User | None, values: dict[str, Any]) -> PoolMember:
    """Add a member to the pool. `values` as the API's POST /chairs body (model names)."""
    for required in ("name", "email"):
        if not values.get(required):
            raise PoolInputError({required: "is required"})
    member = PoolMember(roles=["chair"], is_active=True, capacity=2)
    _apply(member, dict(values), actor)
    _link_user(member)
    db.session.add(member)
    db.session.flush()
    record("pool_member.created", member, actor, _audit_view(member))
    return member


def update_member(actor: User | None, member: PoolMember, changes: dict[str, Any]) -> PoolMember:
    """Change a member's record; the history keeps the record before and after."""
    before = _audit_view(member)
    _apply(member, dict(changes), actor)
    _link_user(member)
    db.session.flush()
    after = _audit_view(member)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    record("pool_member.updated", member, actor, changed)
    return member


def add_training(actor: User | None, member: PoolMember, kind: str, completed_date: date,
                 expires_date: date | None = None, note: str = "") -> TrainingRecord:
    (training,) = _training([{"kind": kind, "completed_date": completed_date,
                              "expires_date": expires_date, "note": note}])
    member.training.append(training)
    db.session.flush()
    record("pool_member.training_added", member, actor,
           {"kind": kind, "completed_date": completed_date.isoformat(),
            "expires_date": expires_date.isoformat() if expires_date else None})
    return training


def remove_training(actor: User | None, member: PoolMember, training: TrainingRecord) -> None:
    member.training.remove(training)
    db.session.flush()
    record("pool_member.training_removed", member, actor,
           {"kind": training.kind, "completed_date": training.completed_date.isoformat()})


def add_conflict(actor: User | None, member: PoolMember, agency: str,
                 note: str = "") -> ConflictOfInterest:
    (conflict,) = _conflicts([{"agency": agency, "note": note}])
    if any(c.agency == conflict.agency for c in member.conflicts):
        raise PoolInputError({"agency": "this conflict is already recorded"})
    member.conflicts.append(conflict)
    db.session.flush()
    record("pool_member.conflict_added", member, actor,
           {"agency": conflict.agency, "note": conflict.note})
    return conflict


def remove_conflict(actor: User | None, member: PoolMember,
                    conflict: ConflictOfInterest) -> None:
    member.conflicts.remove(conflict)
    db.session.flush()
    record("pool_member.conflict_removed", member, actor, {"agency": conflict.agency})


# Demo data ---------------------------------------------------------------------------------

def add_demo_pool(today: date) -> None:
    """Give dhr.demo's four chairs realistic records: one chair's training expires within 90
    days, one's has expired, one has a conflict; two members answered an invitation."""
    def years_ago(years: int, days: int = 0) -> date:
        return today - relativedelta(years=years) + relativedelta(days=days)

    details = {
        "helen.carter@chairs.example": dict(
            roles=["chair", "report_writer"], capacity=3, phone="01442 000101",
            areas=["Hertfordshire", "Herefordshire"],
            training=[("home_office_chair_training", years_ago(1, -60)),
                      ("aafda_certificate", years_ago(2))]),
        "david.okafor@chairs.example": dict(
            roles=["chair"], capacity=3, areas=[],
            training=[("home_office_chair_training", years_ago(3, 45))]),
        "priya.shah@chairs.example": dict(
            roles=["chair", "report_writer"], capacity=2, areas=[],
            training=[("aafda_certificate", years_ago(4))]),
        "martin.hughes@chairs.example": dict(
            roles=["chair"], capacity=3, areas=["Hertfordshire"], excluded_csps=["Dacorum"],
            conflict_agencies=[{"agency": "police",
                                "note": "Hertfordshire Constabulary, 1998 to 2015"}],
            training=[("home_office_chair_training", years_ago(2))]),
    }
    members = {m.email: m for m in db.session.scalars(select(PoolMember))}
    for email, values in details.items():
        member = members[email]
        training = values.pop("training")
        update_member(None, member, values)
        for kind, completed in training:
            add_training(None, member, kind, completed)
        appointed = db.session.scalar(select(func.max(Review.decision_date)).where(
            Review.chair_id == member.id))
        member.last_appointed_date = appointed
    waiting = db.session.scalar(select(Review).where(Review.state == "chair_appointment")
                                .order_by(Review.id))
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator")
                                    .order_by(User.id))
    if waiting is not None:
        for email, state in (("helen.carter@chairs.example", "accepted"),
                             ("david.okafor@chairs.example", "invited")):
            db.session.add(Invitation(review=waiting, member=members[email], state=state,
                                      invited_by=coordinator))
    db.session.flush()
