"""The lifecycle engine under random sequences of events (hypothesis): from any starting state,
any event with valid, half-valid or nonsense data, sent through the API by any role. Never a
500; the review is always in a state of DOMAIN.md; a refused event changes nothing (state,
version, history); and the history always replays, from `notified`, to the current state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace

import hypothesis
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dhr.accounts import create_user
from dhr.extensions import db
from dhr.models import AuditEntry, PoolMember, Review
from dhr.models.states import STATES
from dhr.reviews import create_review
from dhr.workflow.declarations import EVENTS
from dhr.workflow.engine import possible_events
from tests.conftest import Api, review_fields, shared_app
from tests.support.workflow import chair_member, put_in_state, valid_data

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
ROLES = ("admin", "coordinator", "csp_manager", "subgroup_member", "chair", "practitioner")
SCOPE = {"csp_manager": (["Dacorum"], None), "coordinator": ([], "Hertfordshire"),
         "subgroup_member": ([], "Hertfordshire")}
FIELDS = ("date", "decision_date", "rationale", "ho_informed_date", "letter_date",
          "direction_date", "chair_id", "report_writer_id", "appointed_date", "agreed_date",
          "panel_agencies", "family_contact", "family_contact_note", "family_consulted_on_draft",
          "family_note", "comments", "csp_signoff_date", "outcome", "points", "note", "url",
          "dac_copy_sent_date", "reason", "expected_end", "nonsense")
junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63),
    st.floats(allow_nan=False), st.text(max_size=12),
    st.sampled_from(["2024-02-30", "2024-03-01", date.today().isoformat(), "2999-01-01",
                     "1900-01-01", "police", "approved", "resubmit", "made", "inquest",
                     "https://www.dacorum.gov.uk/dhr/a", "1e20", ""]),
    st.lists(st.text(max_size=6), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                st.integers(), max_size=2))
nonsense = st.dictionaries(st.sampled_from(FIELDS), junk, max_size=4)
event_names = st.one_of(st.sampled_from(EVENTS), st.text(max_size=10))


# None: one of the events possible from wherever the review is by then (so sequences get far).
event_names = st.one_of(st.none(), st.none(), st.sampled_from(EVENTS), st.text(max_size=10))
Step = tuple[str, str | None, str, dict, object, int]


@st.composite
def steps(draw) -> Step:
    """(role, event, kind, spoilers, junk, pick): `kind` says whether the data is the event's
    valid data, valid data with fields spoiled, random fields, or not an object at all."""
    return (draw(st.sampled_from((*ROLES, "admin", "csp_manager"))), draw(event_names),
            draw(st.sampled_from(("valid", "valid", "spoiled", "random", "junk"))),
            draw(nonsense), draw(junk), draw(st.integers(min_value=0, max_value=20)))


def _resolve(review: Review, chair_id: int, step: Step) -> tuple[str, str, object]:
    role, event, kind, spoilers, rubbish, pick = step
    if event is None:
        possible = possible_events(review)
        event = possible[pick % len(possible)] if possible else "resume"
    valid = valid_data(event, chair_id=chair_id) if event in EVENTS else {}
    data = {"valid": valid, "spoiled": {**valid, **spoilers}, "random": spoilers,
            "junk": rubbish}[kind]
    return role, event, data


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """An API client per role (the chair trained, in the pool) and an admin to set up."""
    with shared_app(tmp_path_factory.mktemp("engine")) as app:
        client = app.test_client()
        apis = {}
        for role in ROLES:
            csps, area = SCOPE.get(role, ([], None))
            user = create_user(email=f"{role}@engine.example", name=f"Engine {role}",
                               role=role, csp_names=csps, area_name=area)
            if role == "chair":
                db.session.add(PoolMember(name="Engine Chair", email=user.email, user=user))
            db.session.commit()
            apis[role] = Api(client, user)
        chair = chair_member(apis["chair"].user)
        db.session.commit()
        yield SimpleNamespace(apis=apis, chair=chair)


def _history(review_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.review_id == review_id,
                                 AuditEntry.action.like("event.%")).order_by(AuditEntry.id)))


def _snapshot(review_id: int) -> tuple[str, bool, int, int]:
    db.session.expire_all()
    review = db.session.get(Review, review_id)
    return review.state, review.is_paused, review.lock_version, len(_history(review_id))


@FUZZ
@example(start="drafting",
         sequence=[("admin", "submit_for_local_qa", "spoiled", {"date": 2**63}, None, 0)])
@given(start=st.sampled_from(STATES), sequence=st.lists(steps(), min_size=1, max_size=8))
def test_random_events_never_break_a_review(world, start, sequence):
    admin = world.apis["admin"].user
    review = create_review(admin, review_fields())
    db.session.flush()
    put_in_state(review, start, admin, chair=world.chair, paused=False)
    for step in sequence:
        db.session.refresh(review)
        role, event, data = _resolve(review, world.chair.id, step)
        before = _snapshot(review.id)
        response = world.apis[role].post(f"/reviews/{review.id}/transitions",
                                         {"event": event, "data": data})
        assert response.status_code in (200, 400, 403, 404, 409, 422), (
            role, event, data, response.status_code, response.data[:300])
        assert response.is_json
        hypothesis.event(f"answered {response.status_code}")  # --hypothesis-show-statistics
        after = _snapshot(review.id)
        assert after[0] in STATES
        if response.status_code == 200:
            assert after[2:] == (before[2] + 1, before[3] + 1)
        else:
            assert after == before, (role, event, data, response.json)
    _assert_history_replays(review.id, start)


def _assert_history_replays(review_id: int, start: str) -> None:
    """Each recorded event leaves from where the one before arrived, and the last arrives
    where the review is."""
    state = start
    for entry in _history(review_id):
        assert entry.from_state == state, (entry.action, entry.from_state, state)
        state = entry.to_state
    assert state == db.session.get(Review, review_id).state
