"""The dashboard: every review the user may see, with stage and lateness."""

from __future__ import annotations

from datetime import date

from flask import g, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dhr.assets import govuk_dist
from dhr.bounds import positive_id
from dhr.extensions import db
from dhr.models import Csp, Notification, Review
from dhr.models.states import STATE_LABELS, STATES
from dhr.permissions import can_create_reviews, visible_csps_clause, visible_reviews_clause
from dhr.web.blueprint import bp
from dhr.workflow.clocks import Clocks, clocks_for, tally_clocks

SORTS = {"notified": "Most recently notified", "lateness": "Most overdue first",
         "due": "Next due date first"}


def _next_due(review: Review, clocks: Clocks) -> date | None:
    """The deadline the review is working towards now, if any."""
    if review.state == "notified":
        return clocks.decision_due
    return clocks.adjusted_due if clocks.adjusted in {"on_time", "late"} else None


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    return send_from_directory(govuk_dist() / "assets" / "images", "favicon.ico")


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    user = g.user
    state = request.args.get("state") or ""
    csp_id = positive_id(request.args.get("csp"))  # "abc" or 10**18: no such CSP, no filter
    overdue_only = request.args.get("overdue") == "1"
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "notified"
    stmt = select(Review).where(visible_reviews_clause(user))
    if state in STATES:
        stmt = stmt.where(Review.state == state)
    if csp_id:
        stmt = stmt.where(Review.csp_id == csp_id)
    reviews = db.session.scalars(stmt.order_by(Review.notification_date.desc())).all()
    rows = [(review, clocks_for(review)) for review in reviews]
    tallies = tally_clocks([clocks for _, clocks in rows])
    if sort == "lateness":
        rows.sort(key=lambda row: row[1].days_late, reverse=True)  # stable: newest first next
    elif sort == "due":
        rows.sort(key=lambda row: _next_due(*row) or date.max)
    if overdue_only:
        rows = [row for row in rows if row[1].overdue]
    csps = db.session.scalars(select(Csp).where(visible_csps_clause(user)).order_by(Csp.name))
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc()).limit(3)
    ).all()
    return render_template(
        "dashboard.html", rows=rows, csps=list(csps), states=STATE_LABELS, state=state,
        csp_id=csp_id, overdue_only=overdue_only, notices=notices, sort=sort, sorts=SORTS,
        tallies=tallies,
        can_create=can_create_reviews(user),
    )
