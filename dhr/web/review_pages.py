"""A review's page and the form to record a new notification."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from sqlalchemy import select

from dhr.api.errors import pydantic_details
from dhr.api.schemas import ReviewCreate
from dhr.api.serialize import review_history
from dhr.extensions import db
from dhr.models import Csp, Review, VocabularyTerm
from dhr.permissions import (
    can_create_review_in,
    can_create_reviews,
    can_edit_review,
    can_view_review,
    sees_restricted_detail,
)
from dhr.reviews import NotPermitted, ReviewInputError, agency_codes, create_review
from dhr.web import bp
from dhr.web.forms import NotificationForm
from dhr.workflow.clocks import clocks_for


def visible_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or not can_view_review(g.user, review):
        abort(404)
    return review


@bp.get("/reviews/<int:review_id>")
def review_page(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    restricted = sees_restricted_detail(g.user)
    agencies = agency_codes()
    return render_template(
        "review.html", review=review, clocks=clocks_for(review),
        history=review_history(review) if restricted else [],
        restricted=restricted, can_edit=can_edit_review(g.user, review),
        agency_labels=agencies,
    )


def _apply_errors(form: NotificationForm, details: dict[str, str]) -> None:
    for field, message in details.items():
        name = field.split(".")[0]
        target = getattr(form, name, None)
        if target is None:
            target = form.notification_date if "date" in message else form.csp
        target.errors = [*target.errors, message[0].upper() + message[1:]]


@bp.route("/reviews/new", methods=["GET", "POST"])
def new_review() -> ResponseReturnValue:
    if not can_create_reviews(g.user):
        abort(403)
    form = NotificationForm()
    csps = [c for c in db.session.scalars(select(Csp).order_by(Csp.name))
            if can_create_review_in(g.user, c)]
    form.csp.choices = [("", "Select a CSP")] + [(c.slug, c.name) for c in csps]
    form.agencies.choices = [
        (t.code, t.label) for t in db.session.scalars(
            select(VocabularyTerm).where(VocabularyTerm.vocabulary == "agency",
                                         VocabularyTerm.is_active)
            .order_by(VocabularyTerm.position))
    ]
    if form.validate_on_submit():
        terms = [line.strip() for line in (form.identifying_terms.data or "").splitlines()]
        raw = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        raw["identifying_terms"] = [t for t in terms if t]
        raw["agencies"] = raw["agencies"] or []
        try:
            fields = ReviewCreate.model_validate(raw).model_dump(exclude_none=True)
            review = create_review(g.user, fields)
        except ValidationError as exc:
            db.session.rollback()
            _apply_errors(form, pydantic_details(exc))
        except ReviewInputError as exc:
            db.session.rollback()
            _apply_errors(form, exc.details)
        except NotPermitted:
            db.session.rollback()
            abort(403)
        else:
            db.session.commit()
            flash(f"Notification recorded as {review.reference}.")
            return redirect(url_for("web.review_page", review_id=review.id))
    status = 400 if form.errors else 200
    return render_template("review_new.html", form=form), status
