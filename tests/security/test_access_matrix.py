"""Issue 11, "authorisation proven, not assumed": every URL rule of the app (pages and API,
every method but HEAD and OPTIONS) is called as every persona and anonymously, on reviews in
several states in both counties and on the other objects a URL can name, and each answer is
compared with the expected-access table in tests/security/access_table.py.

A refused call (sign-in, hidden, forbidden) must change no row; a hidden object's answer
must not name it; no call may answer 500. A rule missing from the table fails, so a new route
cannot slip in unreviewed. Everything runs in one test on one world, and every wrong cell is
listed in one failure report.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, literal, select, union_all

from dhr.audit import READ_ACTIONS
from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import (
    AgencyRequestFile,
    ApiToken,
    Area,
    AuditEntry,
    FormDraft,
    HoAmendment,
    Notification,
    PoolMember,
    Review,
    User,
)
from dhr.models.org import VocabularyTerm
from dhr.models.pool import ConflictOfInterest, Invitation, TrainingRecord
from dhr.workflow.agency_requests import create_request
from dhr.workflow.documents import save_markdown, save_upload, write_upload
from learning.models import Recommendation
from learning.public import reference_slug
from tests.conftest import Api, sign_in
from tests.security.access_table import (
    ANONYMOUS,
    ENDS_SESSION,
    FAMILIES,
    PERSONA_COLUMNS,
    TABLE,
    VARIANTS,
    expected_cells,
)
from tests.support.foundation import PERSONAS, persona

METHODS_SKIPPED = {"HEAD", "OPTIONS"}
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
DRAFT_TOKEN = "bystanders-kept-draft"
# Bodies that name what is asked for (the rest get an empty one), where the answer decides
# who may give it: an empty body would get 400 before anyone is asked.
BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/reviews/<int:review_id>/transitions": {"event": "pause", "data": {}},
    "/api/v1/chair-invitations/<int:invitation_id>/respond": {"response": "decline"},
    "/chair-invitations/<int:invitation_id>/respond": {"response": "decline"},
}
MADE_PER_CALL = ("<int:training_id>", "<int:conflict_id>")  # see _fresh_training
TODAY = date.today()


@dataclass
class World:
    """The objects a URL can name, by the variant names used in tests/security/access_table.py."""

    users: dict[str, User]  # persona name -> user
    reviews: dict[str, Review]
    members: dict[str, PoolMember]
    targets: dict[str, User]  # users that /users/<id> pages act on
    invitations: dict[str, Invitation]
    bystander: User
    children: dict[str, dict[str, int]] = field(default_factory=dict)  # review -> ids
    own_tokens: dict[str, int] = field(default_factory=dict)
    own_notifications: dict[str, int] = field(default_factory=dict)
    other_token: int = 0
    other_notification: int = 0


def _review_in(make_review, admin: User, csp: str, state: str, pseudonym: str,
               chair: PoolMember | None) -> tuple[Review, dict[str, int]]:
    """A review with its objects (made while it is still open), then put straight into
    `state` (set-up, not a transition)."""
    review = make_review(csp=csp, victim_pseudonym=pseudonym)
    children = _children(review, admin)
    review.state = state
    if state != "notified":
        review.decision_date = review.notification_date + timedelta(days=14)
        review.decision_rationale = "Meets the s.9 criteria."
        review.ho_informed_date = review.decision_date
        review.chair = chair
    if state in {"published", "closed"}:
        review.submitted_date = review.notification_date + timedelta(days=100)
        review.published_date = review.notification_date + timedelta(days=200)
        review.published_url = "https://www.example.gov.uk/dhr"
    db.session.commit()
    return review, children


def _children(review: Review, admin: User) -> dict[str, int]:
    """A document version, a recommendation, an agency request with its file and a Home
    Office amendment on `review`: every kind of object a review's URLs name."""
    save_markdown(review, "overview_report", "# Overview\n\nAdult A was known to agencies.",
                  admin)
    save_upload(review, "overview_report", "overview.pdf", io.BytesIO(PDF_BYTES), admin)
    rec = Recommendation(review_id=review.id, number="1.1", level="local", agency="police",
                         text="All agencies should ask about domestic abuse.",
                         due_date=TODAY + timedelta(days=30))
    request = create_request(review, admin, agency="police", kind="imr")
    request.state, request.submitted_date = "submitted", TODAY
    stored = write_upload("imr.pdf", "application/pdf", PDF_BYTES)
    amendment = HoAmendment(review_id=review.id, number=1, text="Remove the street name.",
                            letter_date=TODAY)
    db.session.add_all([rec, amendment])
    db.session.flush()
    attached = AgencyRequestFile(request_id=request.id, original_filename=stored.display_name,
                                 content_type=stored.content_type, size_bytes=stored.size,
                                 stored_name=stored.stored_name, sha256=stored.sha256)
    db.session.add(attached)
    db.session.commit()
    return {"recommendation_id": rec.id, "request_id": request.id, "file_id": attached.id,
            "amendment_id": amendment.id}


def _pool_member(name: str, areas: tuple[str, ...], user: User | None = None) -> PoolMember:
    member = PoolMember(name=name, email=f"{name.split()[0].lower()}@chairs.example",
                        user=user, roles=["chair"], capacity=3, phone="01442 000101")
    member.areas = [db.session.query(Area).filter_by(name=area).one() for area in areas]
    member.training.append(TrainingRecord(kind="home_office_chair_training",
                                          completed_date=TODAY - timedelta(days=365)))
    member.conflicts.append(ConflictOfInterest(agency="police", note="1998 to 2015"))
    db.session.add(member)
    db.session.commit()
    return member


def _notification(user: User) -> int:
    note = Notification(user_id=user.id, kind="reminder", subject="Due soon",
                        message="A reminder.")
    db.session.add(note)
    db.session.commit()
    return note.id


def build_world(make_user, make_review) -> World:
    users = {name: persona(make_user, name) for name in PERSONAS}
    admin = users["admin"]
    chair = db.session.scalars(select(PoolMember).where(
        PoolMember.user_id == users["appointed_chair"].id)).one()
    made = {
        "dacorum_notified": ("Dacorum", "notified", None),
        "dacorum_drafting": ("Dacorum", "drafting", chair),
        "watford_published": ("Watford", "published", chair),
        "dacorum_closed": ("Dacorum", "closed", None),
        "hereford_drafting": ("Herefordshire", "drafting", None),
    }
    reviews, children = {}, {}
    for number, (name, (csp, state, chaired_by)) in enumerate(made.items()):
        reviews[name], children[name] = _review_in(make_review, admin, csp, state,
                                                   f"Adult {'ABCDE'[number]}", chaired_by)
    members = {
        "herts_member": _pool_member("Helen Carter", ("Hertfordshire",)),
        "hereford_member": _pool_member("Owen Price", ("Herefordshire",)),
        "appointed_chair": chair,
    }
    bystander = make_user("csp_manager", csps=["Dacorum"], email="bystander@test.example")
    targets = {
        "herts_user": make_user("csp_manager", csps=["Watford"], email="herts@test.example"),
        "hereford_user": make_user("csp_manager", csps=["Herefordshire"],
                                   email="hereford@test.example"),
        "another_admin": make_user("admin", email="admin2@test.example"),
    }
    invitations = {}
    for name, member in (("to_appointed_chair", chair),
                         ("to_herts_member", members["herts_member"])):
        invitation = Invitation(review=reviews["dacorum_notified"], member=member,
                                invited_by=admin)
        db.session.add(invitation)
        invitations[name] = invitation
    db.session.add(VocabularyTerm(vocabulary="agency", code="access_test",
                                  label="Access test agency", position=999))
    db.session.add(FormDraft(digest=hashlib.sha256(DRAFT_TOKEN.encode()).hexdigest(),
                             user_id=bystander.id, endpoint="web.new_review", view_args={},
                             fields=[["victim_pseudonym", "Adult Q"]]))
    db.session.commit()
    world = World(users=users, reviews=reviews, members=members, targets=targets,
                  invitations=invitations, bystander=bystander, children=children)
    for name, user in users.items():
        issue_token(user, "spare")
        db.session.flush()
        world.own_tokens[name] = _latest_token_id(user)
        world.own_notifications[name] = _notification(user)
    issue_token(bystander, "bystander's")
    db.session.commit()
    world.other_token = _latest_token_id(bystander)
    world.other_notification = _notification(bystander)
    return world


def _latest_token_id(user: User) -> int:
    return db.session.scalar(select(func.max(ApiToken.id)).where(ApiToken.user_id == user.id))


# Filling a rule's variables -----------------------------------------------------------------

def _fresh_training(member_id: int) -> int:
    """Removal routes take away what they name: each call gets a record of its own."""
    record = TrainingRecord(member_id=member_id, kind="other",
                            completed_date=TODAY - timedelta(days=30))
    db.session.add(record)
    db.session.commit()
    return record.id


def _fresh_conflict(member_id: int) -> int:
    conflict = db.session.scalar(select(ConflictOfInterest).where(
        ConflictOfInterest.member_id == member_id, ConflictOfInterest.agency == "housing"))
    if conflict is None:
        conflict = ConflictOfInterest(member_id=member_id, agency="housing", note="2001")
        db.session.add(conflict)
        db.session.commit()
    return conflict.id


def fill(rule: str, family: str, variant: str, who: str, world: World) -> str:
    """The path of `rule` naming the `variant` object of its family, as `who` calls it."""
    values: dict[str, Any] = {
        # version 2 of the overview report is the uploaded file
        "kind": "overview_report", "number": 2, "event": "pause", "vocabulary": "agency",
        "code": "access_test", "token": DRAFT_TOKEN, "filename": "govuk-frontend.min.css",
    }
    if family == "review":
        values["review_id"] = world.reviews[variant].id
        values["slug"] = reference_slug(world.reviews[variant].reference)
        values.update(world.children[variant])
        if rule.startswith("/agency-requests/"):
            values["event"] = "accept"
    elif family == "member":
        member_id = world.members[variant].id
        values.update(member_id=member_id, chair_id=member_id)
        if "<int:training_id>" in rule:
            values["training_id"] = _fresh_training(member_id)
        if "<int:conflict_id>" in rule:
            values["conflict_id"] = _fresh_conflict(member_id)
    elif family == "user":
        values["user_id"] = world.targets[variant].id
    elif family == "invitation":
        values["invitation_id"] = world.invitations[variant].id
    elif family == "token":
        values["token_id"] = (world.own_tokens.get(who, world.own_tokens["admin"])
                              if variant == "own" else world.other_token)
    elif family == "notification":
        values["notification_id"] = (
            world.own_notifications.get(who, world.own_notifications["admin"])
            if variant == "own" else world.other_notification)
    if rule.startswith("/imports/"):
        values["kind"] = "tracker"
    if rule.startswith("/static/"):
        values["filename"] = "app.css"
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def family_of(rule: str) -> str:
    for name, variables in FAMILIES.items():
        if any(re.search(rf"<(?:int:)?{variable}>", rule) for variable in variables):
            return name
    return "-"


# Calling and classifying ------------------------------------------------------------------

def _counts_query():
    """Rows in every table in one statement (refusals audited as reads, and kept drafts, left
    out: see tests.support.foundation.row_counts)."""
    parts = []
    for table in db.metadata.sorted_tables:
        if table.name == "form_drafts":
            continue
        where = ([AuditEntry.action.not_in(READ_ACTIONS)] if table.name == "audit_entries"
                 else [])
        parts.append(select(literal(table.name).label("t"), func.count().label("n"))
                     .select_from(table).where(*where))
    return union_all(*parts)


def classify(response, rule: str, signed_in: bool) -> str:
    """A: reached (2xx, 3xx elsewhere than sign-in, or a validation answer 400/409/422);
    N: 404; F: 403; S: sent to sign in (302 to /sign-in, or 401). Anything else: its code."""
    status = response.status_code
    if status in {301, 302, 303, 307, 308}:
        to_sign_in = urlsplit(response.headers.get("Location", "")).path == "/sign-in"
        if not to_sign_in or (signed_in and rule in ENDS_SESSION):
            return "A"
        return "S"
    if status == 401:
        return "S"
    if status == 404:
        return "N"
    if status == 403:
        return "F"
    if status < 400 or status in {400, 409, 422}:
        return "A"
    return str(status)


@dataclass
class Caller:
    name: str
    app: Flask
    user: User | None
    web: FlaskClient = field(init=False)
    api: Api | None = None

    def __post_init__(self) -> None:
        self.web = self.app.test_client()

    def call(self, method: str, path: str, rule: str):
        """One request in an application context of its own, as in production: the test's
        context would otherwise carry `g` (the signed-in user) from one request to the next."""
        with self.app.app_context():
            body = BODIES.get(rule, {})
            if path.startswith("/api/v1/") and self.api is not None:
                return self.api._call(method, path.removeprefix("/api/v1"), json=body)
            if path.startswith("/api/v1/"):
                return self.web.open(path, method=method, json=body)
            return self.web.open(path, method=method, data=body)

    def renew(self) -> None:
        """Sign in (again, after a permitted sign-out), with a new API token."""
        if self.user is None:
            return
        self.web = self.app.test_client()
        with self.app.app_context():
            assert sign_in(self.web, self.user).status_code == 302
        self.api = Api(self.app.test_client(), self.user)


def _callers(app: Flask, world: World) -> dict[str, Caller]:
    callers = {ANONYMOUS: Caller(ANONYMOUS, app, None)}
    for name, user in world.users.items():
        callers[name] = Caller(name, app, user)
        callers[name].renew()
    return callers


def _rules(app: Flask) -> list[tuple[str, str]]:
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - METHODS_SKIPPED)


def _names_of(family: str, variant: str, world: World) -> list[str]:
    """What a hidden answer must not show: the review's reference, the member's name."""
    if family == "review":
        return [world.reviews[variant].reference]
    if family == "member":
        return [world.members[variant].name]
    return []


def run_matrix(app: Flask, world: World) -> tuple[list[str], int]:
    """Call every cell; return the wrong ones (readable lines) and how many calls were made."""
    callers = _callers(app, world)
    counts_query = _counts_query()

    def counts() -> dict[str, int]:
        rows = db.session.execute(counts_query).all()
        db.session.rollback()
        return dict(rows)

    wrong: list[str] = []
    calls = 0
    before: dict[str, int] | None = None  # None: unknown since a permitted change
    for rule, method in _rules(app):
        problem = table_problem(rule, method)
        if problem:
            wrong.append(problem)
            continue
        expected = expected_cells(rule, method)
        family = family_of(rule)
        for variant, row in expected.items():
            for who, want in zip(PERSONA_COLUMNS, row, strict=True):
                caller = callers[who]
                path = fill(rule, family, variant, who, world)
                if any(variable in rule for variable in MADE_PER_CALL):
                    before = None
                refused = want in {"S", "N", "F"}
                if refused and before is None:
                    before = counts()
                response = caller.call(method, path, rule)
                calls += 1
                got = classify(response, rule, caller.user is not None)
                cell = f"{method} {rule} [{variant}] as {who}"
                if got != want:
                    wrong.append(f"{cell}: expected {want}, got {got} "
                                 f"({response.status_code})")
                if refused:
                    after = counts()
                    if after != before:
                        changed = {t: (before.get(t), n) for t, n in after.items()
                                   if before.get(t) != n}
                        wrong.append(f"{cell}: refused, yet rows changed {changed}")
                    before = after
                else:  # a permitted call may write (even a GET: an export is audited)
                    before = None
                if got == "N":
                    body = response.get_data(as_text=True)
                    wrong += [f"{cell}: the 404 names {name!r}"
                              for name in _names_of(family, variant, world) if name in body]
                if rule in ENDS_SESSION and got == "A" and caller.user is not None:
                    caller.renew()
                    before = None
    return wrong, calls


def table_problem(rule: str, method: str) -> str | None:
    """Why the table cannot say what to expect of this rule and method (None: it can)."""
    if method not in TABLE.get(rule, {}):
        return f"add {method} {rule} to tests/security/access_table.py"
    variants = tuple(expected_cells(rule, method))
    if variants != VARIANTS[family_of(rule)]:
        return (f"{method} {rule} in tests/security/access_table.py: rows {variants}, expected "
                f"{VARIANTS[family_of(rule)]}")
    return None


def test_every_rule_has_an_entry_in_the_table(app):
    routes = _rules(app)
    problems = [problem for rule, method in routes if (problem := table_problem(rule, method))]
    assert not problems, "\n".join(problems)
    stale = [f"{method} {rule}" for rule, methods in TABLE.items() for method in methods
             if (rule, method) not in set(routes)]
    assert not stale, "no such route any more, remove from tests/security/access_table.py: " + (
        ", ".join(stale))


def test_a_rule_missing_from_the_table_is_named(monkeypatch):
    monkeypatch.delitem(TABLE, "/reviews/<int:review_id>")
    assert table_problem("/reviews/<int:review_id>", "GET") == (
        "add GET /reviews/<int:review_id> to tests/security/access_table.py")


def test_every_route_as_every_persona_matches_the_table(app, make_user, make_review):
    app.config["PUBLIC_LEARNING"] = True  # optional per deployment; tried here switched on
    world = build_world(make_user, make_review)
    wrong, calls = run_matrix(app, world)
    assert calls > 1000
    assert not wrong, f"{len(wrong)} wrong cells of {calls}:\n" + "\n".join(wrong)

