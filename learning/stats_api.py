"""GET /api/v1/stats/annual: the annual table of seed 001 as JSON, or CSV with format=csv."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from dhr.api.blueprint import bp
from dhr.api.errors import validation_error
from dhr.api.openapi import documented
from dhr.reviews import find_csp
from learning.stats import YearRow, annual_rows, csv_response, totals


class YearOut(BaseModel):
    year: int | None
    reviews: int
    proportionate: int
    deceased_16_plus: int
    children_under_16: int
    csp_areas: list[str]
    death_types: dict[str, int]


class AnnualOut(BaseModel):
    rows: list[YearOut]
    totals: YearOut


class AnnualQuery(BaseModel):
    csp: str | None = None
    format: str | None = None


def _out(row: YearRow) -> YearOut:
    return YearOut(**row.__dict__)


@bp.get("/stats/annual")
@documented("Reviews held by calendar year of death: proportionate, deceased 16+, children "
            "under 16, CSP areas (one entry per review), death types; totals summed from the "
            "rows. format=csv for a download.", query=AnnualQuery, response=AnnualOut)
def annual_stats() -> ResponseReturnValue:
    unknown = set(request.args) - {"csp", "format"}
    if unknown:
        raise validation_error({name: "unknown parameter" for name in sorted(unknown)})
    csp_id = None
    if request.args.get("csp", "").strip():
        csp = find_csp(request.args["csp"])
        if csp is None:
            raise validation_error({"csp": f"unknown CSP: {request.args['csp']}"})
        csp_id = csp.id
    kind = (request.args.get("format") or "json").strip().lower()
    if kind not in {"json", "csv"}:
        raise validation_error({"format": "must be json or csv"})
    rows = annual_rows(g.user, csp_id)
    if kind == "csv":
        return csv_response(rows)
    body = AnnualOut(rows=[_out(r) for r in rows], totals=_out(totals(rows)))
    return jsonify(body.model_dump(mode="json"))
