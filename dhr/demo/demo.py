"""Realistic demo data: two counties, users of every role, the chair pool, and reviews at every
stage.

Historic Hertfordshire reviews follow the table in the June 2019 partnership update
(seed 001): years, CSP areas, deceased and children per year. They predate the system, so
they are imported as published or closed, each with its executive summary and
recommendations. Current reviews are taken through the real lifecycle, step by step, by the
demo's own CSP managers, chairs and sub-group (dhr.demo.lifecycle). Their words are in
dhr/demo/data/ (dhr.demo.loader).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from dhr.accounts import create_user
from dhr.audit import record
from dhr.demo.content import HISTORIC_LEARNING, HISTORIC_TEXT, historic_learning, historic_summary
from dhr.demo.lifecycle import STORIES, DemoError, People, Story
from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.reference_data import load_organisation
from dhr.reviews import agency_codes, find_csp, next_reference
from dhr.workflow.clocks import add_months
from dhr.workflow.documents import save_markdown
from dhr.workflow.pool import add_demo_pool, create_member
from learning.recommendations import add_progress, complete, create_recommendation

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

# Current reviews: (csp, months before today notified, state reached, death type, pseudonym,
# children under 16). What happened to each is its story in dhr.demo.lifecycle.
CURRENT = [
    ("Dacorum", 0, "notified", "intimate_partner_homicide", "Adult M", 0),
    ("Stevenage", 2, "notified", "suspected_victim_suicide", "Sam", 1),
    ("Watford", 3, "chair_appointment", "adult_family_homicide", "Adult P", 2),
    ("St Albans", 5, "panel_and_scope", "intimate_partner_homicide", "Joy", 1),
    ("Three Rivers", 8, "information_gathering", "homicide_suicide", "Adult R", 0),
    ("Hertsmere", 11, "drafting", "intimate_partner_homicide", "Bea", 0),
    ("Welwyn Hatfield", 14, "local_qa", "adult_family_homicide", "Adult K", 0),
    ("East Herts", 20, "home_office_qa", "intimate_partner_homicide", "Ella", 2),
    ("Broxbourne", 30, "published", "homicide_suicide", "Adult D", 0),
    ("Herefordshire", 4, "panel_and_scope", "intimate_partner_homicide", "Adult H", 1),
    ("Herefordshire", 9, "drafting", "suspected_victim_suicide", "Mary", 0),
    ("North Herts", 26, "publication_pending", "adult_family_homicide", "Peggy", 0),
    ("Three Rivers", 2, "no_review_ho_scrutiny", "other", "Adult V", 0),
]

CHAIRS = [
    ("Helen Carter", "helen.carter@chairs.example"),
    ("David Okafor", "david.okafor@chairs.example"),
    ("Priya Shah", "priya.shah@chairs.example"),
    ("Martin Hughes", "martin.hughes@chairs.example"),
]
# A fifth member, recorded through the pool's own operation, so that the county's caseload
# fits the pool's capacity (Martin Hughes's police conflict rules him out of every review).
NEW_CHAIR = ("Ruth Adeyemi", "ruth.adeyemi@chairs.example")
# Historic reviews were chaired by the members without a conflict with their scope.
HISTORIC_CHAIRS = 3
# Names the historic victims' families chose, and the restricted identifying terms (never in
# what is published).
PSEUDONYMS: list[str] = HISTORIC_TEXT["pseudonyms"]
FORENAMES: list[str] = HISTORIC_TEXT["forenames"]
SURNAMES: list[str] = HISTORIC_TEXT["surnames"]


def _users() -> People:
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
    users = {}
    for email, role, csps, area, name in people:
        users[email] = create_user(email=email, role=role, csp_names=csps, area_name=area,
                                   name=name, password=DEMO_PASSWORD)
    for name, email in CHAIRS:
        user = create_user(email=email, role="chair", csp_names=[], name=name,
                           password=DEMO_PASSWORD)
        db.session.add(PoolMember(name=name, email=email, user=user))
    db.session.flush()
    return People(
        managers={"Dacorum": users["dacorum@herts.example"],
                  "Watford": users["watford@herts.example"],
                  "Three Rivers": users["watford@herts.example"]},
        coordinators={"Hertfordshire": users["coordinator@herts.example"],
                      "Herefordshire": users["coordinator@hereford.example"]},
        subgroup={"Hertfordshire": users["subgroup@herts.example"]},
    )


def _add_new_chair(today: date, coordinator: User) -> None:
    """The coordinator adds a chair to the pool; the record finds her sign-in by email."""
    name, email = NEW_CHAIR
    create_user(email=email, role="chair", csp_names=[], name=name, password=DEMO_PASSWORD)
    create_member(coordinator, {
        "name": name, "email": email, "roles": ["chair", "report_writer"], "capacity": 3,
        "phone": "01707 000105",
        "training": [{"kind": "home_office_chair_training",
                      "completed_date": add_months(today, -32)},
                     {"kind": "aafda_certificate", "completed_date": add_months(today, -10)}],
    })


def _import_historic(index: int, row: tuple, chair: PoolMember, coordinator: User,
                     today: date) -> None:
    """A review that predates the system: imported as published or closed, with its
    executive summary and recommendations (written while it was still open to them)."""
    year, csp_name, death_type, review_type, deceased, children = row
    month = 1 + index % 2 if year == 2019 else 1 + (index * 5) % 12  # 2019: to end February
    died = date(year, month, 1 + (index * 7) % 27)
    notified = died + timedelta(days=3)
    csp = find_csp(csp_name)
    assert csp is not None, csp_name
    pseudonym = PSEUDONYMS[index]
    decided = notified + timedelta(days=21)
    published = add_months(decided, 17)
    final = "closed" if year < 2016 else "published"
    review = Review(
        csp=csp, reference=next_reference(csp, notified.year), review_type=review_type,
        death_type=death_type, date_of_death=died, notification_date=notified,
        deceased_16_plus=deceased, children_under_16=children, victim_pseudonym=pseudonym,
        identifying_terms=[f"{FORENAMES[index % 11]} {SURNAMES[index % 10]}",
                           f"{index + 4} Chapel Street"],
        agencies=["police", "gp_primary_care", "adult_social_care", "housing"],
        state="publication_pending", chair=chair, decision_date=decided,
        ho_informed_date=decided,
        decision_rationale=HISTORIC_TEXT["rationale"],
        submitted_date=add_months(decided, 12), published_date=published,
        published_url=f"https://www.hertssunflower.org/dhr/{pseudonym.lower()}-{year}",
        closed_date=add_months(published, 18) if final == "closed" else None,
    )
    db.session.add(review)
    db.session.flush()
    record("review.imported", review, None, {"note": HISTORIC_TEXT["import_note"]},
           review_id=review.id, to_state=final)
    keys = historic_learning(death_type, 1 + index % 3)
    save_markdown(review, "executive_summary",
                  historic_summary(pseudonym, csp_name, died, death_type, children, keys),
                  coordinator)
    labels = agency_codes()
    recommendations = []
    for number, key in enumerate(keys, start=1):
        _, text, level, agency, themes = HISTORIC_LEARNING[key]
        recommendations.append(create_recommendation(review, coordinator, {
            "number": str(number), "text": text.format(csp=csp_name), "level": level,
            "agency": agency, "themes": list(themes), "owner": labels.get(agency, agency),
            "due_date": add_months(published, 12)}))
    review.state = final
    db.session.flush()
    for position, (key, item) in enumerate(zip(keys, recommendations, strict=True)):
        # The GP routine enquiry recommendation recurs and stays open, as it does nationally.
        if final == "published" and (key == "gp_enquiry" or (index + position) % 4 == 3):
            progress = HISTORIC_TEXT["progress"]
            add_progress(item, coordinator, {"date": min(add_months(published, 10), today),
                                             "impact": progress.get(key, progress["other"])})
        else:
            complete(item, coordinator, {
                "date": min(add_months(published, 6 + 3 * position), today),
                "evidence": HISTORIC_TEXT["evidence"]})


def _current_reviews(today: date, people: People) -> None:
    """Each current review's story, oldest first (so chairs are ranked as they were)."""
    rows = []
    for index, (csp, months_ago, state, death_type, pseudonym, children) in enumerate(CURRENT):
        notified = add_months(today, -months_ago) - timedelta(days=index)
        rows.append((notified, csp, state, death_type, pseudonym, children))
    for notified, csp, state, death_type, pseudonym, children in sorted(rows):
        story = Story(people, today, pseudonym=pseudonym, csp=csp, notified=notified,
                      died=notified - timedelta(days=4), death_type=death_type,
                      children=children)
        STORIES[pseudonym](story)
        if story.review.state != state:
            raise DemoError(f"{pseudonym} ended at {story.review.state}, not {state}")


def load_demo(today: date | None = None) -> bool:
    """Add the demo data; return False if it is already there."""
    if db.session.scalar(select(User).where(User.email == DEMO_ADMIN)):
        return False
    today = today or date.today()
    load_organisation("herefordshire")
    people = _users()
    herts = people.coordinators["Hertfordshire"]
    chairs = db.session.scalars(select(PoolMember).order_by(PoolMember.id)).all()
    for index, row in enumerate(HISTORIC):
        _import_historic(index, row, chairs[index % HISTORIC_CHAIRS], herts, today)
    add_demo_pool(today)
    _add_new_chair(today, herts)
    _current_reviews(today, people)
    return True
