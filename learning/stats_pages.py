"""The stats page (/stats/annual): the annual table with its chart and CSV download, and the
timeliness of reviews by CSP and year."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Csp
from dhr.permissions import visible_csps_clause
from dhr.reviews import find_csp
from dhr.web.blueprint import bp
from learning.stats import annual_rows, csv_response, death_type_labels, totals
from learning.stats_chart import annual_chart
from learning.timeliness import CLOCK_LABELS, STAGES, timeliness


def _csp_filter() -> tuple[int | None, str | None]:
    """(CSP id or None, error message or None) from ?csp=."""
    name = (request.args.get("csp") or "").strip()
    if not name:
        return None, None
    csp = find_csp(name)
    return (csp.id, None) if csp else (None, f"Unknown CSP: {name}")


@bp.get("/stats/annual")
def annual_table() -> ResponseReturnValue:
    csp_id, error = _csp_filter()
    csps = db.session.scalars(select(Csp.name).where(visible_csps_clause(g.user))
                              .order_by(Csp.name))
    rows = [] if error else annual_rows(g.user, csp_id)
    timely, timely_total = ([], None) if error else timeliness(g.user, csp_id)
    return render_template("learning/annual.html", rows=rows, totals=totals(rows),
                           error=error, csps=list(csps), csp=request.args.get("csp", ""),
                           death_labels=death_type_labels(), chart=annual_chart(rows),
                           timely=timely, timely_total=timely_total,
                           clock_labels=CLOCK_LABELS,
                           stage_labels={k: v[0] for k, v in STAGES.items()}), \
        400 if error else 200


@bp.get("/stats/annual.csv")
def annual_table_csv() -> ResponseReturnValue:
    csp_id, error = _csp_filter()
    if error:
        return annual_table()
    return csv_response(annual_rows(g.user, csp_id))
