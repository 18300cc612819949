"""The recommendation tracker in the JSON API: the list across reviews, its counts and the
exports."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from dhr.api.blueprint import bp
from dhr.api.openapi import documented
from dhr.reviews import agency_codes
from learning import recommendations as operations
from learning.api import RecommendationOut, recommendation_out
from learning.tracker import CountRow, Tracker, TrackerQuery, parse_filters
from learning.tracker_export import export_format, export_response


class TrackerItemOut(RecommendationOut):
    csp: str
    days_overdue: int | None = None


class CountOut(BaseModel):
    key: str
    label: str
    total: int
    open: int
    completed: int
    closed: int
    overdue: int | None
    completion_rate: float | None


class TrackerOut(BaseModel):
    items: list[TrackerItemOut]
    total: int
    page: int
    per_page: int
    pages: int
    by_agency: list[CountOut]
    by_csp: list[CountOut]
    by_theme: list[CountOut]


class ExportQuery(TrackerQuery):
    format: str = "csv"


def count_out(row: CountRow) -> CountOut:
    return CountOut(key=row.key, label=row.label, total=row.total, open=row.open,
                    completed=row.completed, closed=row.closed, overdue=row.overdue,
                    completion_rate=row.completion_rate)


def _tracker(args: dict[str, str]) -> Tracker:
    return Tracker(g.user, parse_filters(args, g.user))


@bp.get("/recommendations")
@documented("The recommendation tracker: every recommendation the caller may see across "
            "reviews, most overdue first, paged, with counts and completion rates by agency, "
            "CSP and theme.", query=TrackerQuery, response=TrackerOut)
def list_recommendations() -> ResponseReturnValue:
    tracker = _tracker(request.args.to_dict())
    query, labels = tracker.filters.query, agency_codes()
    total = tracker.total()
    items = [TrackerItemOut(**recommendation_out(r, g.user, labels, with_updates=False)
                            .model_dump(), csp=r.review.csp.name,
                            days_overdue=tracker.days_overdue(r))
             for r in tracker.page()]
    body = TrackerOut(
        items=items, total=total, page=query.page, per_page=query.per_page,
        pages=max(1, -(-total // query.per_page)),
        by_agency=[count_out(r) for r in tracker.by_agency(labels)],
        by_csp=[count_out(r) for r in tracker.by_csp()],
        by_theme=[count_out(r) for r in tracker.by_theme(operations.theme_labels())],
    )
    return jsonify(body.model_dump(mode="json"))


@bp.get("/recommendations/export")
@documented("The tracker as CSV or XLSX (format=csv|xlsx, same filters as the list): the "
            "scrutiny tracker's columns plus number, level, agency, owner, themes, status, CSP.",
            query=ExportQuery)
def export_recommendations() -> ResponseReturnValue:
    args = request.args.to_dict()
    kind = export_format(args.pop("format", None))
    return export_response(_tracker(args), kind)
