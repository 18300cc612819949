"""Reading JSON bodies safely: size, nesting depth and types checked before anything is used."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError

from dhr.api.errors import ApiError, pydantic_details
from dhr.bounds import OUT_OF_RANGE, fits_db_int

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 32


def _depth(value: Any, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _out_of_range(value: Any, path: str = "") -> dict[str, str]:
    """Numbers no database column holds, by field path ("data.chair_id"): refused here, once
    for every body, so that no schema or operation has to remember it."""
    problems: dict[str, str] = {}
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}.{i}" if where else str(i)) for i, v in enumerate(item))
        elif (isinstance(item, int | float) and not isinstance(item, bool)
              and not fits_db_int(item)):
            problems.setdefault(where or "body", OUT_OF_RANGE)
    return problems


def read_json() -> Any:
    limit = current_app.config["MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "payload_too_large", f"the body is larger than {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ApiError(413, "payload_too_large", f"the body is larger than {limit} bytes")
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ApiError(400, "malformed_json", "the body is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise ApiError(400, "malformed_json", f"the body is nested deeper than {MAX_DEPTH} levels")
    problems = _out_of_range(value)
    if problems:
        raise ApiError(400, "validation_error", "some numbers are out of range", problems)
    return value


def parse_body(model: type[M]) -> M:
    """Validate the request body against `model` (JSON types strictly: no '3' for 3)."""
    value = read_json()
    if not isinstance(value, dict):
        raise ApiError(400, "validation_error", "the body must be a JSON object",
                       {"body": "must be a JSON object"})
    try:
        return model.model_validate_json(json.dumps(value), strict=True)
    except ValidationError as exc:
        raise ApiError(400, "validation_error", "some fields are not valid",
                       pydantic_details(exc)) from None
