"""A county's recommendations across two reviews, for the tracker's API and page tests.

Dacorum (unpublished, died 2023): A1 open 30 days overdue, A2 open 5 days overdue,
A3 completed, A4 open not yet due (its text starts with '=', as a formula would).
Watford (published, died 2022): B1 open 100 days overdue, B2 closed (superseded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from learning.models import Recommendation, RecommendationUpdate

TODAY = date.today()
# Seed 003 (the scrutiny tracker), recommendations 2.1 and 2.3.
CHAMPIONS = ("That Domestic Abuse (DA) Champions are introduced county wide and the DA "
             "Partnership targets work with GPs on this.")
SUPPORT = ("That the Hertfordshire DA Partnership actively creates support services for "
           "medium and standard risk victims.")
FORMULA = '=HYPERLINK("http://evil.example","click")'


@dataclass
class Scene:
    dacorum: Review
    watford: Review
    recs: dict[str, Recommendation]
    chair: User

    def ids(self, *names: str) -> list[int]:
        return [self.recs[n].id for n in names]


def _rec(review: Review, number: str, agency: str, *, days_due: int | None,
         status: str = "open", themes: tuple[str, ...] = (), level: str = "local",
         text: str = CHAMPIONS, owner: str | None = "Head of safeguarding") -> Recommendation:
    item = Recommendation(
        review_id=review.id, number=number, text=text, level=level, agency=agency,
        owner=owner, themes=list(themes),
        due_date=None if days_due is None else TODAY + timedelta(days=days_due))
    if status == "completed":
        item.status, item.completed_date = "completed", TODAY - timedelta(days=10)
        item.evidence = "+ 304 ACS staff trained; -10% repeat referrals"
    elif status == "closed":
        item.status, item.closed_reason = "closed", "superseded"
        item.closed_date, item.closed_note = TODAY - timedelta(days=3), "Merged into 2.5"
    db.session.add(item)
    return item


def build_scene(make_review, make_user) -> Scene:
    dacorum = make_review(csp="Dacorum", date_of_death=date(2023, 5, 1),
                          notification_date=date(2023, 5, 3))
    watford = make_review(csp="Watford", date_of_death=date(2022, 2, 1),
                          notification_date=date(2022, 2, 4))
    watford.state, watford.published_date = "published", date(2024, 6, 1)
    chair = make_user("chair")
    dacorum.chair = db.session.scalar(select(PoolMember).where(PoolMember.user_id == chair.id))
    recs = {
        "A1": _rec(dacorum, "1.1", "police", days_due=-30, themes=("information_sharing",)),
        "A2": _rec(dacorum, "1.2", "gp_primary_care", days_due=-5,
                   themes=("routine_enquiry", "training_and_awareness")),
        "A3": _rec(dacorum, "1.3", "police", days_due=-60, status="completed"),
        "A4": _rec(dacorum, "2.1", "housing", days_due=30, level="regional", text=FORMULA),
        "B1": _rec(watford, "3.1", "police", days_due=-100, themes=("routine_enquiry",),
                   text=SUPPORT, owner="Named officer"),
        "B2": _rec(watford, "3.2", "housing", days_due=None, status="closed"),
    }
    db.session.flush()
    db.session.add(RecommendationUpdate(
        recommendation_id=recs["A1"].id, update_date=TODAY - timedelta(days=20),
        impact="10 Lead Agency DA Champions identified"))
    db.session.add(RecommendationUpdate(
        recommendation_id=recs["A1"].id, update_date=TODAY - timedelta(days=2),
        impact="@champions trained"))
    db.session.commit()
    return Scene(dacorum, watford, recs, chair)
