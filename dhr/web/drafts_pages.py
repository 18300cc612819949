"""Bringing a kept form post back (dhr.drafts): /drafts/<token> leads to the form's page,
which shows what was typed, with a banner saying so."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.routing import BuildError

from dhr.drafts import find_draft, take_draft
from dhr.extensions import db
from dhr.web.blueprint import bp
from dhr.web.forms import RestoredDraft

# Forms posted to an address of their own, and the page that shows them.
DRAFT_PAGES = {
    "web.add_recommendation_progress": "web.recommendation_page",
    "web.complete_recommendation": "web.recommendation_page",
    "web.close_recommendation": "web.recommendation_page",
    "web.reopen_recommendation": "web.recommendation_page",
    "web.upload_document": "web.document_page",
}


def _page_of(endpoint: str) -> str:
    return DRAFT_PAGES.get(endpoint, endpoint)


def _shown_by_get(endpoint: str) -> bool:
    return any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))


@bp.get("/drafts/<token>")
def resume_draft(token: str) -> ResponseReturnValue:
    draft = find_draft(token, g.user)
    if draft is None:
        abort(404, "What you typed was kept for a day and can be brought back once. This "
                   "link has been used, has expired, or is not yours.")
    page = _page_of(draft.endpoint)
    try:
        target = url_for(page, **draft.view_args, draft=token)
    except BuildError:
        abort(404)
    if not _shown_by_get(page):
        abort(404)
    return redirect(target, 303)


@bp.before_request
def _restore_draft() -> None:
    """A page opened from /drafts/<token>: its form is filled with what was typed."""
    token = request.args.get("draft")
    if request.method != "GET" or not token or g.get("user") is None:
        return
    draft = find_draft(token, g.user)
    if draft is None or _page_of(draft.endpoint) != request.endpoint:
        return
    g.restored_draft = RestoredDraft(draft.endpoint, take_draft(draft))
    db.session.commit()
