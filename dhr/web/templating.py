"""Jinja helpers shared by all templates."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g

from dhr.models.states import STATE_LABELS
from dhr.models.users import ROLE_LABELS
from dhr.notifications import PREFERENCE_LABELS, unread_count
from dhr.reminders.scan import chases_of
from dhr.wording import date_in_words as format_date
from dhr.wording import lower_first, sentence_case


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y, %H:%M')}"


def humanise(code: str | None) -> str:
    return (code or "").replace("_", " ").capitalize()


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["humanise"] = humanise
    app.jinja_env.filters["sentence_case"] = sentence_case
    app.jinja_env.filters["lower_first"] = lower_first
    app.jinja_env.filters["role_label"] = lambda r: ROLE_LABELS.get(r, humanise(r))
    app.jinja_env.filters["state_label"] = lambda s: STATE_LABELS.get(s, humanise(s))

    @app.context_processor
    def _globals() -> dict:
        user = g.get("user")
        return {"review_label": app.config["REVIEW_LABEL"], "user": user,
                "request_chases": chases_of, "preference_labels": PREFERENCE_LABELS,
                "unread_notifications": unread_count(user) if user is not None else 0,
                "draft_restored": g.get("restored_draft") is not None}
