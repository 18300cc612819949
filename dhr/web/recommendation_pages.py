"""Pages for a review's recommendations: the action plan's list, adding one, and tracking
each to completion or closure (a dated progress log, never overwritten)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import Review, User
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.date_input import DateInputField
from dhr.web.forms import (
    CheckboxesField,
    Form,
    MaxLength,
    agency_choices,
    apply_errors,
    operation_data,
    restored_fields,
    select_choices,
)
from dhr.web.review_pages import visible_review_or_404
from dhr.workflow.review_items import (
    can_draft_recommendations,
    can_read_working_papers,
    can_track_recommendations,
)
from learning import recommendations as recommendation_ops
from learning.models import CLOSED_REASON_LABELS, LEVELS, Recommendation


class RecommendationForm(Form):
    number = StringField("Number", description="For example 3.2",
                         validators=[DataRequired("Enter the number"), MaxLength(20)])
    text = TextAreaField("Recommendation", validators=[
        DataRequired("Enter the recommendation"), MaxLength(10000)])
    level = RadioField("Level", default="local",
                       choices=select_choices((v, v.capitalize()) for v in LEVELS))
    agency = SelectField("Agency responsible", validators=[DataRequired("Select the agency")])
    owner = StringField("Owner", description="The person or post responsible",
                        validators=[Optional(), MaxLength(200)])
    due_date = DateInputField("Due date", past=False, years_ahead=10)
    themes = CheckboxesField("Learning themes", validators=[Optional()])


class ProgressForm(Form):
    date = DateInputField("Date", id="progress_date", description="Leave empty for today.")
    impact = TextAreaField("Impact of actions taken", validators=[
        DataRequired("Describe the impact of the actions taken"), MaxLength(10000)])


class CompleteForm(Form):
    date = DateInputField("Date completed", id="completed_date",
                          description="Leave empty for today.")
    evidence = TextAreaField("Evidence of completion", validators=[
        DataRequired("Enter the evidence that it is complete"), MaxLength(10000)])


class ReopenForm(Form):
    reason = TextAreaField("Why is it reopened?", id="reopen_reason", validators=[
        DataRequired("Enter why the recommendation is reopened"), MaxLength(10000)])


class CloseForm(Form):
    reason = RadioField("Why is it closed without being completed?", id="close_reason",
                        choices=select_choices(CLOSED_REASON_LABELS.items()),
                        validators=[DataRequired("Select why it is closed")])
    note = TextAreaField("Note", id="close_note", validators=[Optional(), MaxLength(10000)])


@bp.get("/reviews/<int:review_id>/recommendations")
def recommendations_page(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    if not (can_read_working_papers(g.user, review) or review.is_published):
        abort(404)
    return render_template("learning/recommendations.html", review=review)


@bp.route("/reviews/<int:review_id>/recommendations/new", methods=["GET", "POST"])
def new_recommendation(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    if not can_draft_recommendations(g.user, review):
        abort(403 if can_read_working_papers(g.user, review) or review.is_published else 404)
    form = RecommendationForm()
    form.agency.choices = agency_choices()
    form.themes.choices = select_choices(recommendation_ops.offered_themes().items())
    problem = None
    if form.validate_on_submit():
        data = {name: f.data for name, f in form._fields.items() if name != "csrf_token"}
        try:
            created = recommendation_ops.create_recommendation(review, g.user, operation_data(data))
        except DomainError as exc:
            db.session.rollback()
            problem = apply_errors(form, exc, "The recommendation could not be added")
        else:
            db.session.commit()
            flash(f"Recommendation {created.number} added.")
            return redirect(url_for("web.recommendations_page", review_id=review.id))
    status = 400 if (form.errors or problem) else 200
    return render_template("learning/recommendation_new.html", review=review, form=form,
                           problem=problem), status


def _recommendation_or_404(recommendation_id: int) -> tuple[Recommendation, Review]:
    item = db.session.get(Recommendation, recommendation_id)
    if item is None or not can_read_working_papers(g.user, item.review):
        abort(404)
    return item, item.review


# (the page's name for it, the form, where it is posted)
_TRACKING_FORMS = (
    ("progress_form", ProgressForm, "web.add_recommendation_progress"),
    ("complete_form", CompleteForm, "web.complete_recommendation"),
    ("close_form", CloseForm, "web.close_recommendation"),
    ("reopen_form", ReopenForm, "web.reopen_recommendation"),
)


def _render_recommendation(item: Recommendation, review: Review, *, status: int = 200,
                           problem: str | None = None, **forms: Form) -> ResponseReturnValue:
    for name, form_class, endpoint in _TRACKING_FORMS:
        if name not in forms:
            forms[name] = form_class(formdata=restored_fields(endpoint))
    error_form = next((f for f in forms.values() if f.errors), forms["progress_form"])
    return render_template(
        "learning/recommendation.html", review=review, item=item, problem=problem,
        can_track=can_track_recommendations(g.user, review) and review.state != "withdrawn",
        can_reopen=recommendation_ops.can_reopen(g.user, review) and review.state != "withdrawn",
        history=recommendation_ops.history_of(item),
        history_labels=recommendation_ops.HISTORY_LABELS,
        agency_labels=agency_codes(), theme_labels=recommendation_ops.theme_labels(),
        error_form=error_form, **forms,
    ), status


@bp.get("/recommendations/<int:recommendation_id>")
def recommendation_page(recommendation_id: int) -> ResponseReturnValue:
    item, review = _recommendation_or_404(recommendation_id)
    return _render_recommendation(item, review)


def _track(recommendation_id: int, form_name: str, form_class: type[Form],
           operation: Any, done: str,
           allowed: Callable[[User, Review], bool] = can_track_recommendations,
           ) -> ResponseReturnValue:
    item, review = _recommendation_or_404(recommendation_id)
    if not allowed(g.user, review):
        abort(403)
    form = form_class()
    problem = None
    if form.validate_on_submit():
        data = {name: f.data for name, f in form._fields.items() if name != "csrf_token"}
        try:
            operation(item, g.user, operation_data(data))
        except DomainError as exc:
            db.session.rollback()
            problem = apply_errors(form, exc, "The change could not be saved")
            return _render_recommendation(item, review, status=exc.status, problem=problem,
                                          **{form_name: form})
        db.session.commit()
        flash(done.format(number=item.number))
        return redirect(url_for("web.recommendation_page", recommendation_id=item.id))
    return _render_recommendation(item, review, status=400, **{form_name: form})


@bp.post("/recommendations/<int:recommendation_id>/updates")
def add_recommendation_progress(recommendation_id: int) -> ResponseReturnValue:
    return _track(recommendation_id, "progress_form", ProgressForm,
                  recommendation_ops.add_progress, "Progress recorded on {number}.")


@bp.post("/recommendations/<int:recommendation_id>/complete")
def complete_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _track(recommendation_id, "complete_form", CompleteForm,
                  recommendation_ops.complete, "Recommendation {number} marked completed.")


@bp.post("/recommendations/<int:recommendation_id>/close")
def close_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _track(recommendation_id, "close_form", CloseForm,
                  recommendation_ops.close, "Recommendation {number} closed.")


@bp.post("/recommendations/<int:recommendation_id>/reopen")
def reopen_recommendation(recommendation_id: int) -> ResponseReturnValue:
    return _track(recommendation_id, "reopen_form", ReopenForm, recommendation_ops.reopen,
                  "Recommendation {number} reopened.", allowed=recommendation_ops.can_reopen)
