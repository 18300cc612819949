"""Schemathesis against the app's own OpenAPI document (/api/v1/openapi.json): every
documented operation, called through WSGI (no server) with generated parameters and bodies,
as every role (administrator, coordinator, sub-group member, CSP manager, chair,
practitioner). No answer is ever a 5xx, and
every answer is JSON of the documented shape (the success model, or the error body).

One world serves the module: reviews in several states (one with a chair, documents and a
recommendation, one published), so the small ids that generated paths often hold are real
ones some of the time. Generation is derandomized and bounded, so CI runs the same cases in
well under a minute and a half.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import select

from dhr.accounts import create_user
from dhr.api.chairs import ChairCreate
from dhr.extensions import db
from dhr.models import PoolMember, User
from dhr.reviews import create_review
from learning.models import Recommendation
from tests.conftest import Api, review_fields, shared_app
from tests.support.workflow import chair_member, put_in_state

ROLES = ("admin", "coordinator", "subgroup_member", "csp_manager", "chair", "practitioner")
SCOPE = {"coordinator": ([], "Hertfordshire"), "subgroup_member": ([], "Hertfordshire"),
         "csp_manager": (["Dacorum"], None)}
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
FUZZ = settings(max_examples=6, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """A token per role; reviews notified, drafting (chaired, with documents and a
    recommendation) and published, in Dacorum."""
    with shared_app(tmp_path_factory.mktemp("fuzz")) as app:
        client = app.test_client()
        apis: dict[str, Api] = {}
        for role in ROLES:
            csps, area = SCOPE.get(role, ([], None))
            user = create_user(email=f"{role}@fuzz.example", name=f"Fuzz {role}", role=role,
                               csp_names=csps, area_name=area)
            if role == "chair":
                db.session.add(PoolMember(name="Fuzz Chair", email=user.email, user=user))
            db.session.commit()
            apis[role] = Api(client, user)
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        chair = chair_member(db.session.query(PoolMember).one().user)
        for state in ("notified", "drafting", "published"):
            review = create_review(admin, review_fields())
            db.session.flush()
            put_in_state(review, state, admin, chair=chair)
        db.session.commit()
        open_recommendation = db.session.scalar(
            select(Recommendation.id).where(Recommendation.status == "open"))
        yield SimpleNamespace(app=app, apis=apis, recommendation=open_recommendation,
                              tokens={role: api.token for role, api in apis.items()})


@pytest.fixture(scope="module")
def api_schema(world) -> schemathesis.schemas.BaseSchema:
    """The app's own document, read through WSGI like any client would."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)


def _fuzz(operation: APIOperation, tokens: dict[str, str]) -> None:
    """Generated cases for one operation (valid and invalid input), each sent as every role."""

    @FUZZ
    @given(case=st.one_of(*(operation.as_strategy(mode) for mode in MODES)),
           real=st.booleans(), pick=st.integers(min_value=1, max_value=4))
    def run(case: Case, real: bool, pick: int) -> None:
        if real:  # point every id in the path at a row of the world
            for name, value in (case.path_parameters or {}).items():
                if isinstance(value, int):
                    case.path_parameters[name] = pick
        for token in tokens.values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
            db.session.rollback()  # a failed request must not break the shared session

    run()


def test_no_operation_answers_5xx_or_off_schema(world, api_schema):
    failures, tried = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tried += 1
        try:
            _fuzz(operation, world.tokens)
        except Exception as exc:  # every operation is tried; all failures are told at once
            failures.append(f"{operation.label}: {exc!r}\n{traceback.format_exc()[-1500:]}")
    assert tried >= 50, "the document lists every API route"
    assert not failures, "\n\n".join(failures)


@FUZZ
@example(field="conflict_agencies")  # schemathesis found it: 500 (TypeError) before the fix
@given(field=st.sampled_from(sorted(set(ChairCreate.model_fields) - {"phone"})))
def test_a_new_chair_with_a_null_field_is_refused_not_a_500(world, field):
    response = world.apis["coordinator"].post(
        "/chairs", {"name": "Null Chair", "email": "null@fuzz.example", field: None})
    assert response.status_code == 400, response.json
    assert list(response.json["error"]["details"]) == [field]


@FUZZ
@example(impact="d\u0091eU\u00aa")  # schemathesis found it: recorded_at with no zone (SQLite)
@given(impact=st.text(min_size=1, max_size=40).filter(str.strip))
def test_a_progress_update_answers_with_its_timestamp_in_utc(world, api_schema, impact):
    operation = api_schema["/api/v1/recommendations/{recommendation_id}/updates"]["POST"]
    case = operation.Case(path_parameters={"recommendation_id": world.recommendation},
                          body={"impact": impact})
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world.tokens['coordinator']}"}, checks=CHECKS)
    assert response.status_code == 201
    assert all(u["recorded_at"].endswith("Z") for u in response.json()["updates"])
