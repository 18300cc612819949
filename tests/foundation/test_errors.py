"""The one domain error tree, and each interface's one handler for it."""

from __future__ import annotations

import pytest
from flask import Flask

from dhr.api.errors import ApiError
from dhr.errors import (
    DomainError,
    GuardFailed,
    IllegalMove,
    InvalidInput,
    NotFound,
    NotPermitted,
    ReadOnly,
    Stale,
)
from dhr.web.errors import _domain_error
from dhr.workflow.allocation import AllocationError
from dhr.workflow.pool import PoolInputError


@pytest.mark.parametrize(("error", "status", "code"), [
    (InvalidInput("bad", {"x": "wrong"}), 400, "validation_error"),
    (NotPermitted("no"), 403, "forbidden"),
    (NotFound("no such review"), 404, "not_found"),
    (IllegalMove("not now"), 409, "illegal_transition"),
    (Stale("moved on"), 409, "conflict"),
    (ReadOnly("published"), 409, "read_only"),
    (GuardFailed("needs more", ["a date"]), 422, "guard_failed"),
    (ApiError(413, "payload_too_large", "too big"), 413, "payload_too_large"),
    (AllocationError(409, "already_invited", "invited"), 409, "already_invited"),
    (PoolInputError({"email": "taken"}), 400, "validation_error"),
])
def test_every_refusal_is_a_domain_error(error: DomainError, status: int, code: str) -> None:
    assert isinstance(error, DomainError)
    assert (error.status, error.code) == (status, code)


def test_guard_failed_lists_what_is_missing() -> None:
    assert GuardFailed("needs more", ["a date"]).details == {"missing": ["a date"]}


def test_pool_input_error_reads_as_its_fields_on_the_command_line() -> None:
    error = PoolInputError({"email": "taken", "name": "missing"})
    assert error.message == "some fields are not valid"
    assert str(error) == "email: taken; name: missing"


@pytest.mark.parametrize(("error", "status"), [
    (NotFound("no such review"), 404), (NotPermitted("your role cannot"), 403),
    (IllegalMove("not possible at this stage"), 409), (GuardFailed("needs more", ["x"]), 422),
])
def test_a_page_that_does_not_catch_a_domain_error_shows_its_error_page(
        app: Flask, error: DomainError, status: int) -> None:
    with app.test_request_context("/"):
        body, shown_status, _ = _domain_error(error)
    assert shown_status == status
    assert error.message[:1].upper() + error.message[1:] in body
    assert 'class="govuk-header' in body or "govuk-service-navigation" in body
