"""The caller's own notifications: list (newest first, paged), mark one read, mark all read."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field, ValidationError

from dhr.api.blueprint import bp
from dhr.api.errors import pydantic_details, validation_error
from dhr.api.openapi import documented
from dhr.api.schemas import Strict, UtcDateTime
from dhr.bounds import DB_INT_MAX
from dhr.extensions import db
from dhr.models import Notification
from dhr.notifications import (
    mark_all_read,
    mark_read,
    notification_count,
    notifications_for,
    unread_count,
)


class NotificationQuery(Strict):
    unread: bool = False
    page: int = Field(default=1, ge=1, le=DB_INT_MAX)
    per_page: int = Field(default=50, ge=1, le=200)


class NotificationOut(BaseModel):
    id: int
    at: UtcDateTime
    subject: str
    body: str
    review_id: int | None
    read: bool


class NotificationList(BaseModel):
    unread: int = Field(description="How many of the caller's notifications are unread")
    total: int = Field(description="How many match the query (all pages)")
    page: int
    per_page: int
    items: list[NotificationOut]


class MarkedRead(BaseModel):
    marked: int = Field(description="How many notifications were unread and are now read")
    unread: int


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(id=row.id, at=row.created_dt, subject=row.subject,
                           body=row.message, review_id=row.review_id,
                           read=row.read_dt is not None)


@bp.get("/notifications")
@documented("The caller's notifications, newest first (unread=true: only those not read).",
            query=NotificationQuery, response=NotificationList)
def list_notifications() -> ResponseReturnValue:
    try:
        query = NotificationQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise validation_error(pydantic_details(exc)) from None
    items = notifications_for(g.user, unread_only=query.unread,
                              offset=(query.page - 1) * query.per_page, limit=query.per_page)
    body = NotificationList(
        unread=unread_count(g.user), total=notification_count(g.user, unread_only=query.unread),
        page=query.page, per_page=query.per_page, items=[_out(row) for row in items])
    return jsonify(body.model_dump(mode="json"))


@bp.post("/notifications/<int:notification_id>/read")
@documented("Mark one of the caller's notifications read (404 for anyone else's).",
            response=NotificationOut)
def read_notification(notification_id: int) -> ResponseReturnValue:
    row = mark_read(g.user, notification_id)
    db.session.commit()
    return jsonify(_out(row).model_dump(mode="json"))


@bp.post("/notifications/read-all")
@documented("Mark every one of the caller's notifications read.", response=MarkedRead)
def read_all_notifications() -> ResponseReturnValue:
    marked = mark_all_read(g.user)
    db.session.commit()
    return jsonify(MarkedRead(marked=marked, unread=unread_count(g.user)).model_dump())
