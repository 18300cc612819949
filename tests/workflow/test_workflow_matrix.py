"""Every (state, event, role) combination through the API, generated from the table.

Allowed combinations succeed with valid data on a review set up in the state with what the
event needs, and move it where the table says; the rest are refused: 404 when the role
cannot see the review, 403 when the role may not send the event, 409 when the event is not
possible from the state. What each role may see and send is written out here from DOMAIN.md,
not taken from the code under test.

One app and database serve the whole module (building one per combination would take
minutes); every test makes its own review, so none depends on another.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from dhr.accounts import create_user
from dhr.extensions import db
from dhr.models import AuditEntry, PoolMember, Review
from dhr.models.states import STATES
from dhr.reviews import create_review
from dhr.workflow.declarations import EVENTS
from dhr.workflow.table import PAUSABLE_STATES, TRANSITIONS
from tests.conftest import Api, review_fields, shared_app
from tests.support.workflow import chair_member, pool_member, put_in_state, valid_data

ROLES = ("admin", "coordinator", "csp_manager", "subgroup_member", "chair", "practitioner",
         "other_csp_manager")
SENDS = {
    "admin": set(EVENTS),
    "coordinator": set(EVENTS),
    "csp_manager": set(EVENTS) - {"return_from_local_qa", "approve_local_qa", "close_review",
                                  "withdraw"},
    "chair": {"agree_terms_of_reference", "complete_information_gathering",
              "submit_for_local_qa", "complete_amendments"},
    "subgroup_member": {"approve_local_qa", "return_from_local_qa", "close_review"},
    "practitioner": set(),
    "other_csp_manager": set(),
}
# The test chair is appointed to reviews from panel_and_scope on (and to withdrawn ones).
CHAIRED = set(STATES[STATES.index("panel_and_scope"):]) - {"closed_no_review"}


def sees(role: str, state: str) -> bool:
    if role == "chair":
        return state in CHAIRED
    if role == "practitioner":
        return state in {"published", "closed"}
    return role != "other_csp_manager"


def expected_status(state: str, event: str, role: str) -> int:
    if not sees(role, state):
        return 404
    if event not in SENDS[role]:
        return 403
    if (state, event) not in TRANSITIONS:
        return 409
    return 200


COMBINATIONS = [(s, e, r) for s in STATES for e in EVENTS for r in ROLES]


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory) -> Iterator[Flask]:
    with shared_app(tmp_path_factory.mktemp("matrix")) as app:
        yield app


@pytest.fixture(scope="module")
def people(matrix_app: Flask) -> dict[str, Api]:
    client = matrix_app.test_client()
    scope = {"csp_manager": (["Dacorum"], None), "other_csp_manager": (["Watford"], None),
             "coordinator": ([], "Hertfordshire"), "subgroup_member": ([], "Hertfordshire")}
    apis = {}
    for role in ROLES:
        csps, area = scope.get(role, ([], None))
        user = create_user(email=f"{role}@matrix.example", name=f"Matrix {role}",
                           role="csp_manager" if role == "other_csp_manager" else role,
                           csp_names=csps, area_name=area)
        if role == "chair":
            db.session.add(PoolMember(name="Matrix Chair", email=user.email, user=user))
        db.session.commit()
        apis[role] = Api(client, user)
    chair_member(apis["chair"].user)
    db.session.commit()
    return apis


def _review_in(state: str, event: str, people: dict[str, Api], review_items: bool) -> Review:
    admin = people["admin"].user
    review = create_review(admin, review_fields())
    db.session.flush()
    chair = db.session.query(PoolMember).filter_by(user_id=people["chair"].user.id).one()
    paused = event == "resume" and state in PAUSABLE_STATES
    return put_in_state(review, state, admin, chair=chair, paused=paused, review_items=review_items)


def _data(event: str) -> dict:
    if event == "appoint_chair":
        member = pool_member(name="Fresh Chair")  # the matrix chair's capacity is not at stake
        db.session.commit()
        return valid_data(event, chair_id=member.id)
    return valid_data(event)


@pytest.mark.parametrize(("state", "event", "role"), COMBINATIONS,
                         ids=[f"{s}-{e}-{r}" for s, e, r in COMBINATIONS])
def test_state_event_role(people, state, event, role):
    expected = expected_status(state, event, role)
    # Refusals must not depend on the guards, so those reviews get no documents etc.
    review = _review_in(state, event, people, review_items=expected == 200)
    before = review.lock_version
    response = people[role].post(f"/reviews/{review.id}/transitions",
                                 {"event": event, "data": _data(event)})
    assert response.status_code == expected, response.json
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    if expected == 200:
        move = TRANSITIONS[(state, event)]
        assert response.json["state"] == move.target_for("approved") == review.state
        assert review.lock_version == before + 1
        entry = db.session.query(AuditEntry).filter_by(review_id=review.id,
                                                       action=f"event.{event}").one()
        assert (entry.from_state, entry.to_state) == (state, review.state)
        assert entry.actor_id == people[role].user.id
        return
    code = {404: "not_found", 403: "forbidden", 409: "illegal_transition"}[expected]
    assert response.json["error"]["code"] == code
    assert review.state == state and review.lock_version == before
    assert not db.session.query(AuditEntry).filter_by(review_id=review.id,
                                                      action=f"event.{event}").count()


def test_the_matrix_covers_every_transition_and_every_role_that_acts():
    allowed = {(s, e) for s, e, r in COMBINATIONS if expected_status(s, e, r) == 200}
    assert allowed == set(TRANSITIONS)
    assert {r for s, e, r in COMBINATIONS if expected_status(s, e, r) == 200} == {
        "admin", "coordinator", "csp_manager", "subgroup_member", "chair"}
