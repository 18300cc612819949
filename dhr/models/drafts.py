"""What someone typed into a form whose post could not be accepted (their session had ended,
or the form's CSRF token had): kept for a day so that signing in again brings it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db
from dhr.models.types import JsonType, TZDateTime, utcnow


class FormDraft(db.Model):
    """One kept form post. The browser is given a random token; only its SHA-256 digest is
    stored. `user_id` is the person whose session had ended, when the cookie still named
    them: only they may take the draft back."""

    __tablename__ = "form_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(100))
    view_args: Mapped[dict[str, Any]] = mapped_column(JsonType)
    fields: Mapped[list[list[str]]] = mapped_column(JsonType)  # [name, value] in post order
    created_dt: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
