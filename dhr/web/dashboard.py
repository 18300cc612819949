"""The dashboard (/reviews): the reviews the user may see, a page at a time, with stage and
lateness.

Filtering by lateness, sorting, paging and the clock tallies all run in the database
(dhr.workflow.clock_sql); only the rows of the page shown are loaded.
"""

from __future__ import annotations

from datetime import date

from flask import g, render_template, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dhr.assets import govuk_dist
from dhr.bounds import positive_id
from dhr.extensions import db
from dhr.models import Csp, Notification, Review
from dhr.models.states import STATE_LABELS, STATES
from dhr.permissions import can_create_reviews, visible_csps_clause, visible_reviews_clause
from dhr.web.blueprint import bp
from dhr.web.pagination import page_number
from dhr.workflow.clock_sql import clock_sql, clock_tallies
from dhr.workflow.clocks import clocks_for

SORTS = {"notified": "Most recently notified", "lateness": "Most overdue first",
         "due": "Next due date first"}
PER_PAGE = 50


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    return send_from_directory(govuk_dist() / "assets" / "images", "favicon.ico")


@bp.get("/reviews")
def dashboard() -> ResponseReturnValue:
    user = g.user
    today = date.today()
    state = request.args.get("state") or ""
    csp_id = positive_id(request.args.get("csp"))  # "abc" or 10**18: no such CSP, no filter
    overdue_only = request.args.get("overdue") == "1"
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "notified"
    criteria = [visible_reviews_clause(user)]
    if state in STATES:
        criteria.append(Review.state == state)
    if csp_id:
        criteria.append(Review.csp_id == csp_id)
    tallies = clock_tallies(criteria, today)
    clocks = clock_sql(today)
    if overdue_only:
        criteria.append(clocks.overdue)
    total = db.session.scalar(select(func.count()).select_from(Review).where(*criteria))
    pagination = page_number(request.args.get("page"), PER_PAGE, total)
    newest_first = (Review.notification_date.desc(), Review.id.desc())
    order = {
        "notified": newest_first,
        "lateness": (clocks.days_late.desc(), *newest_first),
        "due": (clocks.due_in_days.asc().nulls_last(), *newest_first),
    }[sort]
    reviews = db.session.scalars(
        select(Review).where(*criteria).options(joinedload(Review.csp, innerjoin=True))
        .order_by(*order).offset(pagination.offset).limit(pagination.per_page)
    ).all()
    rows = [(review, clocks_for(review, today)) for review in reviews]
    csps = db.session.scalars(select(Csp).where(visible_csps_clause(user)).order_by(Csp.name))
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc()).limit(3)
    ).all()
    filters = {"state": state or None, "csp": csp_id, "sort": sort if sort != "notified" else None,
               "overdue": "1" if overdue_only else None}

    def url_for_page(number: int) -> str:
        return url_for("web.dashboard", page=number if number > 1 else None, **filters)

    return render_template(
        "reviews/dashboard.html", rows=rows, total=total, pagination=pagination,
        url_for_page=url_for_page, csps=list(csps), states=STATE_LABELS, state=state,
        csp_id=csp_id, overdue_only=overdue_only, notices=notices, sort=sort, sorts=SORTS,
        tallies=tallies, can_create=can_create_reviews(user),
    )
