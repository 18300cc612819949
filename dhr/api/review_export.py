"""Exporting everything held about one review (a subject access or legal request)."""

from __future__ import annotations

from flask import Response, g
from flask.typing import ResponseReturnValue

from dhr.api.blueprint import bp
from dhr.api.errors import forbidden
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.extensions import db
from dhr.permissions import can_export_review
from dhr.workflow.review_export import export_review


@bp.get("/reviews/<int:review_id>/export")
@documented("A zip of everything held about the review: review.json (the review and every "
            "row that refers to it) and the uploaded files. Admins and the area's "
            "coordinators; audited.")
def get_review_export(review_id: int) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    if not can_export_review(g.user, review):
        raise forbidden("only an administrator or the area's coordinator can export a review")
    data = export_review(review, g.user)
    db.session.commit()
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{review.reference}-export.zip"'})
