"""The recommendation tracker page (/recommendations) and its downloads. Works without
JavaScript: the filters are a GET form, the pages and downloads are links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from dhr.errors import DomainError, InvalidInput
from dhr.extensions import db
from dhr.models import Csp
from dhr.permissions import visible_csps_clause
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.pagination import Pagination
from learning import recommendations as operations
from learning.models import LEVELS, STATUSES
from learning.tracker import PER_PAGE_DEFAULT, Filters, Tracker, parse_filters
from learning.tracker_export import export_format, export_response

FIRST_YEAR = 2011  # DHRs are statutory from 13 April 2011
DATE_PARTS = ("day", "month", "year")


def _due_before(args: MultiDict[str, str]) -> dict[str, str]:
    """The GOV.UK date input (three boxes) as one ISO date; a bad date is a field error."""
    parts = {p: (args.get(f"due_before-{p}") or "").strip() for p in DATE_PARTS}
    if not any(parts.values()):
        return {}
    try:
        day, month, year = (int(parts[p]) for p in DATE_PARTS)
        return {"due_before": dt.date(year, month, day).isoformat()}
    except ValueError:
        raise InvalidInput("the due date is not valid", {
            "due_before": "Due before must be a real date, for example 31 3 2025"}) from None


def _filters(args: MultiDict[str, str]) -> Filters:
    given = {k: v for k, v in args.items()
             if not k.startswith("due_before-") and k != "format"}
    given.update(_due_before(args))
    return parse_filters(given, g.user)


def _form_options() -> dict[str, Any]:
    """The filter selects' (value, label) pairs, and the agency labels for the tables."""
    csps = db.session.scalars(select(Csp.name).where(visible_csps_clause(g.user))
                              .order_by(Csp.name))
    agencies = agency_codes()
    years = [str(y) for y in range(dt.date.today().year, FIRST_YEAR - 1, -1)]
    return {"agencies": agencies, "options": {
        "csp": [(name, name) for name in csps], "agency": list(agencies.items()),
        "theme": list(operations.theme_labels().items()),
        "level": [(v, v.capitalize()) for v in LEVELS],
        "status": [(v, v.capitalize()) for v in STATUSES],
        "year": [(y, y) for y in years],
    }}


def _refused(exc: DomainError) -> ResponseReturnValue:
    """The form again with each bad filter's message, and no list."""
    errors = exc.details if isinstance(exc.details, dict) else {"filters": exc.message}
    return render_template("learning/tracker.html", errors=errors, args=request.args,
                           tracker=None, **_form_options()), 400


@bp.get("/recommendations")
def recommendation_tracker() -> ResponseReturnValue:
    try:
        filters = _filters(request.args)
    except DomainError as exc:
        return _refused(exc)
    options = _form_options()
    tracker = Tracker(g.user, filters)
    query, agencies = filters.query, options["agencies"]
    total = tracker.total()
    pagination = Pagination(query.page, query.per_page, total)
    args = filters.as_args()
    paging = {**args, **({"per_page": str(query.per_page)}
                         if query.per_page != PER_PAGE_DEFAULT else {})}
    due = query.due_before
    return render_template(
        "learning/tracker.html", errors={}, args=request.args, tracker=tracker, total=total,
        due_parts={"day": due.day, "month": due.month, "year": due.year} if due else {},
        items=tracker.page(), by_agency=tracker.by_agency(agencies), by_csp=tracker.by_csp(),
        pagination=pagination,
        url_for_page=lambda number: url_for("web.recommendation_tracker", **paging,
                                            page=number),
        export_args=args, **options,
    )


@bp.get("/recommendations/export")
def recommendation_tracker_export() -> ResponseReturnValue:
    try:
        kind = export_format(request.args.get("format"))
        filters = _filters(request.args)
    except DomainError as exc:
        return _refused(exc)
    return export_response(Tracker(g.user, filters), kind)
