"""POST /api/v1/imports/register and /imports/tracker: the body is the file itself (CSV, or an
XLSX workbook for the tracker). All or nothing: when any row is rejected the answer is 400
with every problem by line and field, and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field

from dhr.api.blueprint import bp
from dhr.api.errors import ApiError, forbidden, validation_error
from dhr.api.openapi import documented
from dhr.extensions import db
from learning.imports import MAX_BYTES, Outcome, problems_out
from learning.register_import import can_import, import_register
from learning.tracker_import import import_tracker


class ProblemOut(BaseModel):
    line: int = Field(description="the file's line (1 is the header; 0 the file itself)")
    field: str
    message: str


class ImportOut(BaseModel):
    created: list[str]
    skipped: list[dict[str, Any]] = Field(description="rows already in the database")
    rejected: list[ProblemOut]


class TrackerImportQuery(BaseModel):
    agency: str | None = Field(default=None, description="the agency of rows that name none")
    completed_date: dt.date | None = Field(
        default=None, description="the date completed of rows marked YES that give none")


def _raw() -> bytes:
    if not can_import(g.user):
        raise forbidden("only coordinators and admins may import")
    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise ApiError(413, "payload_too_large", f"the file is larger than {MAX_BYTES} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BYTES:
        raise ApiError(413, "payload_too_large", f"the file is larger than {MAX_BYTES} bytes")
    return raw


def _answer(outcome: Outcome) -> ResponseReturnValue:
    body = {"created": outcome.created, "skipped": outcome.skipped,
            "rejected": problems_out(outcome.rejected)}
    if outcome.rejected:
        db.session.rollback()
        raise validation_error(body, f"{len(outcome.rejected)} problems: nothing was imported")
    db.session.commit()
    return jsonify(body), 201 if outcome.created else 200


@bp.post("/imports/register")
@documented("Load historic reviews from a register (CSV body; columns reference, csp, year, "
            "review_type, deceased_16_plus, children_under_16, death_type, state). Every row "
            "is checked first; one bad row and nothing is imported (400, details.rejected). "
            "A reference already recorded is skipped. Coordinators and admins.",
            response=ImportOut, status=201)
def import_register_api() -> ResponseReturnValue:
    return _answer(import_register(g.user, _raw()))


@bp.post("/imports/tracker")
@documented("Load recommendations into existing reviews from a tracker in the layout of the "
            "county scrutiny tracker (CSV or XLSX body: DHR, RECOMMENDATION, EXECUTIVE "
            "RESPONSE, IMPACT OF ACTIONS TAKEN, COMPLETED, and the optional columns of our "
            "export). All or nothing; a recommendation already recorded is skipped.",
            query=TrackerImportQuery, response=ImportOut, status=201)
def import_tracker_api() -> ResponseReturnValue:
    unknown = set(request.args) - {"agency", "completed_date"}
    if unknown:
        raise validation_error({name: "unknown parameter" for name in sorted(unknown)})
    completed = None
    if request.args.get("completed_date"):
        try:
            completed = dt.date.fromisoformat(request.args["completed_date"])
        except ValueError:
            raise validation_error({"completed_date": "must be a date, 2025-03-31"}) from None
    return _answer(import_tracker(g.user, _raw(), agency=request.args.get("agency"),
                                  completed_date=completed))
