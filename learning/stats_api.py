"""GET /api/v1/stats/annual: the annual table of seed 001 as JSON, or CSV with format=csv;
GET /api/v1/stats/timeliness: the clocks' shares and the median days per stage."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field

from dhr.api.blueprint import bp
from dhr.api.errors import validation_error
from dhr.api.openapi import documented
from dhr.reviews import find_csp
from learning.stats import YearRow, annual_rows, csv_response, totals
from learning.timeliness import TimelinessRow, timeliness


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


class ClockOut(BaseModel):
    met: int
    missed: int
    late: int = Field(description="still running and past its due date: can no longer be met")
    on_time: int
    share: float | None = Field(description="met / (met + missed + late); null when none")


class TimelinessRowOut(BaseModel):
    csp: str | None
    year: int | None
    reviews: int
    decided_within_a_month: ClockOut
    submitted_within_six_months: ClockOut
    submitted_within_six_months_plus_paused: ClockOut
    median_days: dict[str, float | None]


class TimelinessOut(BaseModel):
    rows: list[TimelinessRowOut]
    totals: TimelinessRowOut


class TimelinessQuery(BaseModel):
    csp: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)


def _out(row: YearRow) -> YearOut:
    return YearOut(**row.__dict__)


def _unknown_args(allowed: set[str]) -> None:
    unknown = set(request.args) - allowed
    if unknown:
        raise validation_error({name: "unknown parameter" for name in sorted(unknown)})


def _csp_id() -> int | None:
    name = request.args.get("csp", "").strip()
    if not name:
        return None
    csp = find_csp(name)
    if csp is None:
        raise validation_error({"csp": f"unknown CSP: {name}"})
    return csp.id


def _timeliness_out(row: TimelinessRow) -> TimelinessRowOut:
    def clock(name: str) -> ClockOut:
        c = row.clocks[name]
        return ClockOut(met=c.met, missed=c.missed, late=c.late, on_time=c.on_time,
                        share=c.share)

    return TimelinessRowOut(
        csp=row.csp, year=row.year, reviews=row.reviews,
        decided_within_a_month=clock("decision"),
        submitted_within_six_months=clock("statutory"),
        submitted_within_six_months_plus_paused=clock("adjusted"),
        median_days=row.median_days)


@bp.get("/stats/annual")
@documented("Reviews held by calendar year of death: proportionate, deceased 16+, children "
            "under 16, CSP areas (one entry per review), death types; totals summed from the "
            "rows. format=csv for a download.", query=AnnualQuery, response=AnnualOut)
def annual_stats() -> ResponseReturnValue:
    _unknown_args({"csp", "format"})
    csp_id = _csp_id()
    kind = (request.args.get("format") or "json").strip().lower()
    if kind not in {"json", "csv"}:
        raise validation_error({"format": "must be json or csv"})
    rows = annual_rows(g.user, csp_id)
    if kind == "csv":
        return csv_response(rows)
    body = AnnualOut(rows=[_out(r) for r in rows], totals=_out(totals(rows)))
    return jsonify(body.model_dump(mode="json"))


@bp.get("/stats/timeliness")
@documented("Timeliness by CSP and calendar year of death: the share of reviews decided within "
            "a month, submitted within six months, and within six months plus days paused "
            "(met out of those met, missed or already late), and the median days per stage.",
            query=TimelinessQuery, response=TimelinessOut)
def timeliness_stats() -> ResponseReturnValue:
    _unknown_args({"csp", "year"})
    csp_id = _csp_id()
    year = None
    if request.args.get("year", "").strip():
        raw = request.args["year"].strip()
        if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
            raise validation_error({"year": "must be a year, for example 2024"})
        year = int(raw)
    rows, total = timeliness(g.user, csp_id, year)
    body = TimelinessOut(rows=[_timeliness_out(r) for r in rows],
                         totals=_timeliness_out(total))
    return jsonify(body.model_dump(mode="json"))
