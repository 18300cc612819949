"""Realistic demo data: two counties, users of every role, chairs, and reviews at every stage.

Historic Hertfordshire reviews follow the table in the June 2019 partnership update
(seed 001): years, CSP areas, deceased and children per year.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from dhr.accounts import create_user
from dhr.audit import record
from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.reference_data import load_organisation
from dhr.reviews import find_csp, next_reference
from dhr.workflow.clocks import add_months
from dhr.workflow.pool import add_demo_pool

DEMO_PASSWORD = "demo-password-2026"
DEMO_ADMIN = "admin@dhr.example"

# (year, csp, death_type, review_type, deceased 16+, children under 16)
HISTORIC = [
    (2012, "East Herts", "intimate_partner_homicide", "full", 1, 3),
    (2012, "Dacorum", "homicide_suicide", "full", 2, 2),
    (2012, "Stevenage", "intimate_partner_homicide", "full", 1, 3),
    (2012, "Watford", "adult_family_homicide", "full", 1, 0),
    (2013, "Broxbourne", "homicide_suicide", "full", 2, 0),
    (2014, "East Herts", "intimate_partner_homicide", "full", 1, 4),
    (2014, "Watford", "intimate_partner_homicide", "full", 1, 3),
    (2014, "Welwyn Hatfield", "adult_family_homicide", "full", 1, 0),
    (2015, "Broxbourne", "suspected_victim_suicide", "proportionate", 1, 0),
    (2016, "Dacorum", "intimate_partner_homicide", "full", 1, 2),
    (2016, "North Herts", "adult_family_homicide", "full", 1, 0),
    (2016, "North Herts", "intimate_partner_homicide", "full", 1, 0),
    (2017, "Broxbourne", "homicide_suicide", "full", 2, 2),
    (2017, "Hertsmere", "intimate_partner_homicide", "full", 1, 3),
    (2017, "North Herts", "suspected_victim_suicide", "full", 1, 0),
    (2017, "Welwyn Hatfield", "adult_family_homicide", "full", 1, 0),
    (2018, "Dacorum", "homicide_suicide", "full", 2, 3),
    (2018, "Broxbourne", "intimate_partner_homicide", "full", 1, 0),
    (2019, "Dacorum", "homicide_suicide", "full", 2, 0),
    (2019, "North Herts", "intimate_partner_homicide", "full", 1, 0),
]

# Current reviews: (csp, months before today notified, state, death type, pseudonym)
CURRENT = [
    ("Dacorum", 0, "notified", "intimate_partner_homicide", "Adult M"),
    ("Stevenage", 2, "notified", "suspected_victim_suicide", "Sam"),
    ("Watford", 3, "chair_appointment", "adult_family_homicide", "Adult P"),
    ("St Albans", 5, "panel_and_scope", "intimate_partner_homicide", "Joy"),
    ("Three Rivers", 8, "information_gathering", "homicide_suicide", "Adult R"),
    ("Hertsmere", 11, "drafting", "intimate_partner_homicide", "Bea"),
    ("Welwyn Hatfield", 14, "local_qa", "adult_family_homicide", "Adult K"),
    ("East Herts", 20, "home_office_qa", "intimate_partner_homicide", "Ella"),
    ("Broxbourne", 30, "published", "homicide_suicide", "Adult D"),
    ("Herefordshire", 4, "panel_and_scope", "intimate_partner_homicide", "Adult H"),
    ("Herefordshire", 9, "drafting", "suspected_victim_suicide", "Mary"),
]

CHAIRS = [
    ("Helen Carter", "helen.carter@chairs.example"),
    ("David Okafor", "david.okafor@chairs.example"),
    ("Priya Shah", "priya.shah@chairs.example"),
    ("Martin Hughes", "martin.hughes@chairs.example"),
]

DECIDED_STATES = {"chair_appointment", "panel_and_scope", "information_gathering", "drafting",
                  "local_qa", "home_office_qa", "published", "closed"}
CHAIRED_STATES = DECIDED_STATES - {"chair_appointment"}


def _users() -> None:
    people = [
        (DEMO_ADMIN, "admin", [], None, "Alex Admin"),
        ("coordinator@herts.example", "coordinator", [], "Hertfordshire", "Sarah Taylor"),
        ("subgroup@herts.example", "subgroup_member", [], "Hertfordshire", "Tracey Cooper"),
        ("dacorum@herts.example", "csp_manager", ["Dacorum"], None, "Dan Price"),
        ("watford@herts.example", "csp_manager", ["Watford", "Three Rivers"], None,
         "Wendy Ellis"),
        ("coordinator@hereford.example", "coordinator", [], "Herefordshire", "Gareth Lloyd"),
        ("practitioner@nhs.example", "practitioner", [], None, "Pat Singh"),
    ]
    for email, role, csps, area, name in people:
        create_user(email=email, role=role, csp_names=csps, area_name=area, name=name,
                    password=DEMO_PASSWORD)
    for name, email in CHAIRS:
        user = create_user(email=email, role="chair", csp_names=[], name=name,
                           password=DEMO_PASSWORD)
        db.session.add(PoolMember(name=name, email=email, user=user))
    db.session.flush()


def _add_review(csp_name: str, notified: date, died: date, state: str, death_type: str,
                review_type: str, pseudonym: str, deceased: int, children: int,
                chair: PoolMember | None) -> Review:
    csp = find_csp(csp_name)
    assert csp is not None, csp_name
    review = Review(
        csp=csp, reference=next_reference(csp, notified.year), review_type=review_type,
        death_type=death_type, date_of_death=died, notification_date=notified,
        deceased_16_plus=deceased, children_under_16=children, victim_pseudonym=pseudonym,
        identifying_terms=[f"{pseudonym} Realname", "14 Example Road"],
        agencies=["police", "gp_primary_care", "adult_social_care", "housing"], state=state,
    )
    if state in DECIDED_STATES:
        review.decision_date = notified + timedelta(days=21)
        review.ho_informed_date = review.decision_date
        review.decision_rationale = "The death meets the criteria of s.9 of the 2004 Act."
    if state in CHAIRED_STATES:
        review.chair = chair
    if state == "home_office_qa":
        review.submitted_date = add_months(review.decision_date, 14)
    if state in {"published", "closed"}:
        review.submitted_date = add_months(review.decision_date, 12)
        review.published_date = add_months(review.submitted_date, 5)
        review.published_url = f"https://www.example.gov.uk/dhr/{review.reference.lower()}"
    db.session.add(review)
    db.session.flush()
    record("review.imported", review, None, {"note": "demo data"}, review_id=review.id,
           to_state=state)
    return review


def load_demo(today: date | None = None) -> bool:
    """Add the demo data; return False if it is already there."""
    if db.session.scalar(select(User).where(User.email == DEMO_ADMIN)):
        return False
    today = today or date.today()
    load_organisation("herefordshire")
    _users()
    chairs = db.session.scalars(select(PoolMember).order_by(PoolMember.id)).all()
    for index, (year, csp, death_type, review_type, deceased, children) in enumerate(HISTORIC):
        died = date(year, 1 + (index * 5) % 12, 1 + (index * 7) % 27)
        notified = died + timedelta(days=3)
        _add_review(csp, notified, died, "closed" if year < 2016 else "published", death_type,
                    review_type, f"Adult {chr(65 + index)}", deceased, children,
                    chairs[index % len(chairs)])
    for index, (csp, months_ago, state, death_type, pseudonym) in enumerate(CURRENT):
        notified = add_months(today, -months_ago) - timedelta(days=index)
        died = notified - timedelta(days=4)
        _add_review(csp, notified, died, state, death_type, "full", pseudonym, 1, index % 3,
                    chairs[index % len(chairs)])
    add_demo_pool(today)
    return True
