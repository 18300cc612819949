"""Never lose what someone typed: a page's form post that cannot be accepted (the session
ended, or the form's CSRF token did) is kept on the server under a one-time token, and the
form shows it again once they are signed in.

Kept for a day, password fields never; a draft kept for a named person (the ended session's
cookie still said who) comes back only to them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import request
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from dhr.extensions import db
from dhr.models import FormDraft, User
from dhr.models.types import utcnow

KEEP_FOR = timedelta(days=1)
NEVER_KEPT = frozenset({"csrf_token", "password"})
# Only the pages' forms: the API answers its callers itself; sign-in holds only a password.
KEPT_BLUEPRINTS = frozenset({"web", "search"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep_lost_post(user_id: int | None, *, token_checked: bool) -> str | None:
    """Keep this request's form post if it is a page's form with something typed; return
    the token that brings it back (None when there is nothing worth keeping).

    A post whose CSRF token was not checked (or failed) is kept only when the browser says
    it came from one of our own pages (Sec-Fetch-Site): another site's forged post must
    not turn up as someone's own words in their form."""
    if request.method != "POST" or request.blueprint not in KEPT_BLUEPRINTS:
        return None
    if not token_checked and request.headers.get("Sec-Fetch-Site") != "same-origin":
        return None
    fields = [[name, value] for name, value in request.form.items(multi=True)
              if name not in NEVER_KEPT]
    if not any(value.strip() for _, value in fields):
        return None
    db.session.execute(delete(FormDraft).where(FormDraft.created_dt < utcnow() - KEEP_FOR))
    token = secrets.token_urlsafe(32)
    db.session.add(FormDraft(digest=_digest(token), user_id=user_id,
                             endpoint=request.endpoint or "",
                             view_args=dict(request.view_args or {}), fields=fields))
    db.session.flush()
    return token


def find_draft(token: str, user: User) -> FormDraft | None:
    """The live draft behind `token` that `user` may take back, or None."""
    if not token or len(token) > 100:
        return None
    draft = db.session.scalar(select(FormDraft).where(FormDraft.digest == _digest(token)))
    if draft is None or utcnow() - _aware(draft) > KEEP_FOR:
        return None
    if draft.user_id is not None and draft.user_id != user.id:
        return None
    return draft


def take_draft(draft: FormDraft) -> MultiDict:
    """The typed fields, once: the draft is deleted (the caller commits)."""
    fields = MultiDict([(name, value) for name, value in draft.fields])
    db.session.delete(draft)
    return fields


def _aware(draft: FormDraft) -> datetime:
    created = draft.created_dt
    return created if created.tzinfo else created.replace(tzinfo=UTC)
