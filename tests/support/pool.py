"""Helpers for the chair pool tests: pool members with given training, load and conflicts,
and reviews put straight into a state (test set-up, not a transition)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from dhr.extensions import db
from dhr.models import Area, Csp, PoolMember, Review, User
from dhr.models.pool import ConflictOfInterest, TrainingRecord
from dhr.reviews import find_csp

TODAY = date.today()
LAST_YEAR = TODAY - timedelta(days=365)
_serial = count(1)


def member(name: str = "Helen Carter", *, roles: tuple[str, ...] = ("chair",),
           capacity: int = 2, trained: date | None = LAST_YEAR,
           kind: str = "home_office_chair_training", expires: date | None = None,
           active: bool = True, conflicts: dict[str, str] | None = None,
           excluded: tuple[str, ...] = (), areas: tuple[str, ...] = (),
           last_appointed: date | None = None, user: User | None = None) -> PoolMember:
    """A pool member; by default an active chair trained last year with room for two."""
    m = PoolMember(name=name, email=f"member{next(_serial)}@chairs.example", user=user,
                   roles=list(roles), capacity=capacity, is_active=active,
                   last_appointed_date=last_appointed)
    if trained is not None:
        m.training.append(TrainingRecord(kind=kind, completed_date=trained,
                                         expires_date=expires))
    for agency, note in (conflicts or {}).items():
        m.conflicts.append(ConflictOfInterest(agency=agency, note=note))
    m.excluded_csps = [find_csp(name) for name in excluded]
    m.areas = [db.session.query(Area).filter_by(name=name).one() for name in areas]
    db.session.add(m)
    db.session.commit()
    return m


def in_state(review: Review, state: str, *, chair: PoolMember | None = None,
             report_writer: PoolMember | None = None) -> Review:
    review.state = state
    if state != "notified":
        review.decision_date = review.notification_date + timedelta(days=14)
        review.decision_rationale = "Meets the s.9 criteria."
        review.ho_informed_date = review.decision_date
    if chair is not None:
        review.chair = chair
    if report_writer is not None:
        review.report_writer = report_writer
    db.session.commit()
    return review


def csp(name: str) -> Csp:
    found = find_csp(name)
    assert found is not None
    return found
