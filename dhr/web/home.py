"""The signed-in home page (`/`): each role's day's work, every item linking to where it is
done. The list of every review (the dashboard) is at /reviews; practitioners land on the
learning search instead (learning.search_pages).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import AgencyRequest, Notification, Review, User
from dhr.permissions import can_create_reviews
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.pagination import page_number
from dhr.workflow import worklist
from dhr.workflow.allocation import invitations_for_user
from dhr.workflow.declarations import may_send
from dhr.workflow.review_items import can_manage_requests
from learning.tracker import Tracker, parse_filters

# Query arguments of the review list: an old link to `/?state=...` goes on to the list.
DASHBOARD_ARGS = frozenset({"state", "csp", "sort", "overdue"})
WAITING_PER_PAGE = 10
# Which lists each role's home shows, in order.
SECTIONS = {
    "csp_manager": ("decisions", "requests", "letters", "waiting"),
    "chair": ("invitations", "requests", "letters", "waiting"),
    "subgroup_member": ("local_qa", "recommendations", "stages"),
    "coordinator": ("stages", "pool", "chairs_needed", "local_qa", "requests"),
    "admin": ("stages", "pool", "requests", "decisions"),
}


def _action(review: Review, event: str) -> str:
    """The event's form when the user may send it, else the review's page."""
    if may_send(g.user, review, event):
        return url_for("web.review_event", review_id=review.id, event=event)
    return url_for("web.review_page", review_id=review.id)


def _request_action(item: AgencyRequest) -> str:
    if can_manage_requests(g.user, item.review):
        return url_for("web.move_request", request_id=item.id, event="submit")
    return url_for("web.requests_page", review_id=item.review_id)


def _sections(user: User, today: date) -> dict[str, Any]:
    wanted = SECTIONS.get(user.role, ())
    found: dict[str, Any] = {}
    if "decisions" in wanted:
        found["decisions"] = worklist.decisions_due(user, today)
    if "requests" in wanted:
        found["requests"] = worklist.overdue_requests(user, today)
    if "letters" in wanted:
        found["letters"] = worklist.letters_awaited(user, today)
    if "local_qa" in wanted:
        found["local_qa"] = worklist.in_stages(user, today, ("local_qa",))
    if "chairs_needed" in wanted:
        found["chairs_needed"] = worklist.in_stages(user, today, ("chair_appointment",))
    if "stages" in wanted:
        found["stages"] = worklist.stage_counts(user, today)
    if "pool" in wanted:
        found["pool"] = worklist.pool_alerts(user, today)
    if "invitations" in wanted:
        found["invitations"] = [i for i in invitations_for_user(user) if i.state == "invited"]
    if "recommendations" in wanted:
        tracker = Tracker(user, parse_filters({"overdue": "true",
                                               "per_page": str(worklist.LIMIT)}, user), today)
        found["recommendations"] = worklist.Listed(tracker.page(), tracker.total())
    if "waiting" in wanted:
        total = worklist.live_count(user)
        pages = page_number(request.args.get("page"), WAITING_PER_PAGE, total)
        found["waiting"] = worklist.waiting_reviews(user, today, pages.offset, pages.per_page,
                                                    total)
        found["waiting_pages"] = pages
    return found


@bp.get("/")
def home() -> ResponseReturnValue:
    if DASHBOARD_ARGS & request.args.keys():
        return redirect(url_for("web.dashboard", **request.args.to_dict(flat=True)))
    user = g.user
    today = date.today()
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_dt.is_(None))
        .order_by(Notification.id.desc()).limit(3)).all()
    return render_template(
        "reviews/home.html", sections=_sections(user, today), order=SECTIONS.get(user.role, ()),
        today=today, notices=notices, can_create=can_create_reviews(user),
        action=_action, request_action=_request_action, letter_events=worklist.LETTER_EVENTS,
        agency_labels=agency_codes(),
        url_for_page=lambda number: url_for("web.home", page=number if number > 1 else None,
                                            _anchor="waiting"),
    )
