"""The notifications page: the user's own notifications, newest first, a page at a time,
each marked read on its own or all at once."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dhr.extensions import db
from dhr.notifications import (
    mark_all_read,
    mark_read,
    notification_count,
    notifications_for,
    openable_reviews,
)
from dhr.web.account_forms import ConfirmForm
from dhr.web.blueprint import bp
from dhr.web.pagination import page_number

PER_PAGE = 20


def _list_url(page: int | None, unread_only: bool) -> str:
    return url_for("web.notifications", page=page if page and page > 1 else None,
                   show="unread" if unread_only else None)


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    user = g.user
    unread_only = request.args.get("show") == "unread"
    total = notification_count(user, unread_only=unread_only)
    pagination = page_number(request.args.get("page"), PER_PAGE, total)
    items = notifications_for(user, unread_only=unread_only, offset=pagination.offset,
                              limit=PER_PAGE)
    return render_template(
        "notifications/index.html", items=items, total=total, pagination=pagination,
        unread_only=unread_only, openable=openable_reviews(user, items), form=ConfirmForm(),
        url_for_page=lambda number: _list_url(number, unread_only))


def _back() -> ResponseReturnValue:
    """To the list the button was on (its page and filter, sent as hidden fields)."""
    page = request.form.get("page", "")
    return redirect(_list_url(int(page) if page.isdigit() and len(page) < 10 else None,
                              request.form.get("show") == "unread"))


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        mark_read(g.user, notification_id)
        db.session.commit()
        flash("Notification marked as read.")
    return _back()


@bp.post("/notifications/read-all")
def read_all_notifications() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        marked = mark_all_read(g.user)
        db.session.commit()
        flash(f"Marked {marked} {'notification' if marked == 1 else 'notifications'} as read.")
    return _back()
