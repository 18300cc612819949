"""The themes page (/themes): how often each learning theme appears, by year and by CSP, each
count a link to the tracker filtered to the recommendations behind it."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import Csp
from dhr.permissions import visible_csps_clause
from dhr.web.blueprint import bp
from learning.themes import theme_table
from learning.tracker import parse_filters

FILTERS = ("csp", "year")


@bp.get("/themes")
def themes_page() -> ResponseReturnValue:
    given = {name: request.args.get(name, "") for name in FILTERS}
    csps = list(db.session.scalars(select(Csp.name).where(visible_csps_clause(g.user))
                                   .order_by(Csp.name)))
    try:
        filters = parse_filters(given, g.user)
    except DomainError as exc:
        errors = exc.details if isinstance(exc.details, dict) else {"csp": exc.message}
        return render_template("learning/themes.html", table=None, errors=errors, args=given,
                               csps=csps, base={}), 400
    base = {k: v for k, v in filters.as_args().items() if k in FILTERS}
    return render_template("learning/themes.html", table=theme_table(g.user, filters),
                           errors={}, args=given, csps=csps, base=base)
