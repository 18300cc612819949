"""Pages for a review's artefacts: documents (write, upload, versions, download), agency
requests, recommendations, and the read-only published view practitioners get.

Also registers the Jinja helper `artefacts(review)` that the review-page partials
(templates/review/_documents.html, _requests.html, _recommendations.html) use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from dhr.bounds import form_version
from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import AgencyRequest, DocumentVersion, Review, User, VocabularyTerm
from dhr.models.agency_requests import AGENCY_REQUEST_KIND_LABELS
from dhr.models.documents import DOCUMENT_KINDS, DOCUMENT_LABELS
from dhr.permissions import can_edit_review
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.date_input import DateInputField
from dhr.web.forms import CheckboxesField, Form, MaxLength, put_error, restored_fields
from dhr.web.review_pages import visible_review_or_404
from dhr.wording import sentence_case
from dhr.workflow import agency_requests as request_ops
from dhr.workflow import documents
from dhr.workflow.anonymisation import (
    CHECK_SHOWN_STATES,
    AnonymisationCheck,
    anonymisation_check,
)
from dhr.workflow.artefacts import (
    FINAL_REVIEW_STATES,
    FROZEN_REVIEW_STATES,
    PUBLISHED_DOCUMENT_KINDS,
    can_draft_recommendations,
    can_manage_requests,
    can_read_document,
    can_read_working_papers,
    can_track_recommendations,
    can_write_document,
)
from dhr.workflow.drafting import terms_of_reference_template
from dhr.workflow.request_files import attach_submission
from learning import recommendations as recommendation_ops
from learning.models import CLOSED_REASON_LABELS, LEVELS, Recommendation

REQUEST_TAGS = {"requested": "govuk-tag--blue", "submitted": "govuk-tag--light-blue",
                "returned": "govuk-tag--orange", "accepted": "govuk-tag--green",
                "waived": "govuk-tag--grey"}
RECOMMENDATION_TAGS = {"open": "govuk-tag--blue", "completed": "govuk-tag--green",
                       "closed": "govuk-tag--grey"}


# --- what the partials see -------------------------------------------------------------------


@dataclass
class DocumentRow:
    kind: str
    label: str
    latest: DocumentVersion | None
    can_write: bool


@dataclass
class Artefacts:
    """Everything the review-page partials show, already filtered for the signed-in user."""

    review: Review
    user: User
    labels: dict[str, str] = field(default_factory=dict)

    @cached_property
    def insider(self) -> bool:
        return can_read_working_papers(self.user, self.review)

    @cached_property
    def documents(self) -> list[DocumentRow]:
        kinds = DOCUMENT_KINDS if self.insider else PUBLISHED_DOCUMENT_KINDS
        return [DocumentRow(kind, DOCUMENT_LABELS[kind], documents.latest(self.review, kind),
                            can_write_document(self.user, self.review, kind)
                            and not _frozen(self.review, kind))
                for kind in kinds if can_read_document(self.user, self.review, kind)]

    @cached_property
    def requests(self) -> list[AgencyRequest]:
        return request_ops.requests_for(self.review) if self.insider else []

    @cached_property
    def recommendations(self) -> list[Recommendation]:
        if not (self.insider or self.review.is_published):
            return []
        return recommendation_ops.recommendations_for(self.review)

    @cached_property
    def can_manage_requests(self) -> bool:
        return (can_manage_requests(self.user, self.review)
                and self.review.state not in FINAL_REVIEW_STATES and not self.review.is_paused)

    @cached_property
    def can_draft_recommendations(self) -> bool:
        return (can_draft_recommendations(self.user, self.review)
                and self.review.state not in FINAL_REVIEW_STATES | FROZEN_REVIEW_STATES
                and not self.review.is_paused)

    @cached_property
    def can_track_recommendations(self) -> bool:
        return can_track_recommendations(self.user, self.review)

    @cached_property
    def anonymisation(self) -> AnonymisationCheck | None:
        """Shown to editors from publication pending on (after publication it reflects any
        identifying terms added since); None otherwise."""
        if self.review.state not in CHECK_SHOWN_STATES or not can_edit_review(self.user,
                                                                               self.review):
            return None
        return anonymisation_check(self.review)

    def agency_label(self, code: str) -> str:
        return self.labels.get(code, code)


def artefacts(review: Review) -> Artefacts:
    """Each partial asks once and reads only its own part, so nothing is loaded twice."""
    return Artefacts(review, g.user, agency_codes())


@bp.app_context_processor
def _artefact_helpers() -> dict[str, Any]:
    return {
        "artefacts": artefacts,
        "request_tags": REQUEST_TAGS,
        "recommendation_tags": RECOMMENDATION_TAGS,
        "closed_reason_labels": CLOSED_REASON_LABELS,
        "request_event_labels": {name: move.label for name, move in request_ops.EVENTS.items()},
        "request_events": request_ops.events_for,
    }


# --- forms -----------------------------------------------------------------------------------


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MarkdownForm(Form):
    body = TextAreaField("Text (Markdown)", description=(
        "Use Markdown: # for headings, * for bullet points, **bold**, [link text](https://...). "
        "HTML is not allowed."), validators=[DataRequired("Enter the text of the document")])
    base_version = HiddenField()


class UploadForm(Form):
    file = FileField("Upload a PDF or Word document (.docx)")
    base_version = HiddenField()


class RequestForm(Form):
    agency = SelectField("Agency", validators=[DataRequired("Select the agency")])
    kind = RadioField("What is requested", default="imr",
                      choices=_choices(AGENCY_REQUEST_KIND_LABELS),
                      validators=[DataRequired("Select what is requested")])
    due_date = DateInputField("Due date", past=False, years_ahead=2,
                              description="Leave empty for the standard time allowed.")
    contact_name = StringField("Contact's name (optional)",
                               description="The person at the agency who is to send it.",
                               validators=[Optional(), MaxLength(request_ops.CONTACT_NAME_MAX)])
    contact_email = StringField("Contact's email address (optional)",
                                description="Reminders go to this address when it is late.",
                                validators=[Optional()])


class RequestEventForm(Form):
    date = DateInputField("Date", description="Leave empty for today.")
    comments = TextAreaField("What the agency must change", validators=[MaxLength(5000)])
    due_date = DateInputField("New due date", past=False, years_ahead=2,
                              description="Leave empty to keep the current due date.")
    reason = TextAreaField("Why it is not needed", validators=[MaxLength(5000)])
    file = FileField("Attach what the agency sent (optional)",
                     description="A PDF or Word document (.docx).")
    expected_version = IntegerField(validators=[Optional()])


class RecommendationForm(Form):
    number = StringField("Number", description="For example 3.2",
                         validators=[DataRequired("Enter the number"), MaxLength(20)])
    text = TextAreaField("Recommendation", validators=[
        DataRequired("Enter the recommendation"), MaxLength(10000)])
    level = RadioField("Level", default="local",
                       choices=_choices({v: v.capitalize() for v in LEVELS}))
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
                        choices=_choices(CLOSED_REASON_LABELS),
                        validators=[DataRequired("Select why it is closed")])
    note = TextAreaField("Note", id="close_note", validators=[Optional(), MaxLength(10000)])


def _agency_choices() -> list[SelectChoice]:
    terms = db.session.scalars(
        select(VocabularyTerm).where(VocabularyTerm.vocabulary == "agency",
                                     VocabularyTerm.is_active)
        .order_by(VocabularyTerm.position))
    return [SelectChoice("", "Select an agency")] + [SelectChoice(t.code, t.label)
                                                     for t in terms]


def _apply_errors(form: Form, exc: DomainError, fallback: str) -> str | None:
    """Put an operation's field errors on the form; return any message that has no field."""
    details = exc.details if exc.code == "validation_error" and isinstance(exc.details,
                                                                          dict) else {}
    leftover = None
    for name, message in details.items():
        target = getattr(form, name.split(".")[0], None)
        if target is not None and target.name != "csrf_token":
            put_error(target, str(message))
        else:
            leftover = sentence_case(str(message))
    if details and not leftover:
        return None
    return leftover or sentence_case(exc.message) or fallback


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Form data as the operations take it: empty values left out."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


# --- documents -------------------------------------------------------------------------------


def _document_or_404(review: Review, kind: str) -> None:
    if kind not in DOCUMENT_KINDS or not can_read_working_papers(g.user, review):
        abort(404)


@bp.get("/reviews/<int:review_id>/documents")
def documents_page(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    if not can_read_working_papers(g.user, review):
        abort(404)
    return render_template("documents/index.html", review=review)


def _render_document(review: Review, kind: str, *, markdown_form: MarkdownForm | None = None,
                     upload_form: UploadForm | None = None, problem: str | None = None,
                     status: int = 200, preview: Markup | None = None) -> ResponseReturnValue:
    current = documents.latest(review, kind)
    base = str(current.version) if current else "0"
    can_write = can_write_document(g.user, review, kind) and not _frozen(review, kind)
    drafted = current is None and kind == "terms_of_reference" and can_write
    if markdown_form is None:
        markdown_form = MarkdownForm(formdata=restored_fields("web.document_page"))
        if markdown_form.body.data is None:  # nothing typed to bring back
            markdown_form.body.data = (
                terms_of_reference_template(review) if drafted
                else current.body if current and current.format == "markdown" else "")
            markdown_form.base_version.data = base
    if upload_form is None:
        upload_form = UploadForm(formdata=None)
        upload_form.base_version.data = base
    return render_template(
        "documents/document.html", review=review, kind=kind, label=DOCUMENT_LABELS[kind],
        current=current, versions=documents.versions(review, kind),
        html=documents.render_markdown(current.body) if current and current.body else None,
        can_write=can_write, drafted=drafted and not markdown_form.is_submitted(),
        preview=preview, markdown_form=markdown_form, upload_form=upload_form, problem=problem,
        max_size=documents.describe_size(documents.max_upload_bytes()),
    ), status


def _frozen(review: Review, kind: str) -> bool:
    """No new version can be saved now (the review is finished, published or paused)."""
    frozen = FINAL_REVIEW_STATES if kind == "ho_letter" else FINAL_REVIEW_STATES | (
        FROZEN_REVIEW_STATES)
    return review.state in frozen or review.is_paused


@bp.route("/reviews/<int:review_id>/documents/<kind>", methods=["GET", "POST"])
def document_page(review_id: int, kind: str) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    _document_or_404(review, kind)
    if request.method == "GET":
        return _render_document(review, kind)
    if not can_write_document(g.user, review, kind):
        abort(403)
    form = MarkdownForm()
    if not form.validate_on_submit():
        return _render_document(review, kind, markdown_form=form, status=400)
    try:
        saved = documents.save_markdown(review, kind, form.body.data, g.user,
                                        base_version=form_version(form.base_version.data))
    except DomainError as exc:
        db.session.rollback()
        problem = _apply_errors(form, exc, "The document could not be saved")
        if exc.code == "conflict":
            problem = ("Someone else saved a newer version while you were editing. Your text "
                       "is below: compare it with the latest version and save again.")
            latest = documents.latest(review, kind)
            form.base_version.data = str(latest.version) if latest else ""
        return _render_document(review, kind, markdown_form=form, problem=problem,
                                status=exc.status)
    db.session.commit()
    flash(f"{DOCUMENT_LABELS[kind]} saved as version {saved.version}.")
    return redirect(url_for("web.document_page", review_id=review.id, kind=kind))


@bp.post("/reviews/<int:review_id>/documents/<kind>/upload")
def upload_document(review_id: int, kind: str) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    _document_or_404(review, kind)
    if not can_write_document(g.user, review, kind):
        abort(403)
    limit = documents.describe_size(documents.max_upload_bytes())
    try:
        form = UploadForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _render_document(review, kind, problem=f"The file must be smaller than {limit}",
                                status=413)
    if not valid:
        return _render_document(review, kind, upload_form=form, status=400)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = ["Select a PDF or Word document to upload"]
        return _render_document(review, kind, upload_form=form, status=400)
    try:
        saved = documents.save_upload(review, kind, upload.filename, upload.stream, g.user,
                                      base_version=form_version(form.base_version.data))
    except DomainError as exc:
        db.session.rollback()
        problem = _apply_errors(form, exc, "The file could not be uploaded")
        return _render_document(review, kind, upload_form=form, problem=problem,
                                status=exc.status)
    db.session.commit()
    flash(f"{DOCUMENT_LABELS[kind]} uploaded as version {saved.version}.")
    return redirect(url_for("web.document_page", review_id=review.id, kind=kind))


@bp.post("/reviews/<int:review_id>/documents/<kind>/preview")
def preview_document(review_id: int, kind: str) -> ResponseReturnValue:
    """The text as it will read, rendered and sanitised as a saved version is, without
    saving it; the text stays in the box."""
    review = visible_review_or_404(review_id)
    _document_or_404(review, kind)
    if not can_write_document(g.user, review, kind):
        abort(403)
    form = MarkdownForm()
    if not form.validate_on_submit():
        return _render_document(review, kind, markdown_form=form, status=400)
    return _render_document(review, kind, markdown_form=form,
                            preview=documents.render_markdown(form.body.data))


@bp.get("/reviews/<int:review_id>/documents/<kind>/versions/<int:number>")
def document_version_page(review_id: int, kind: str, number: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    _document_or_404(review, kind)
    saved = documents.version(review, kind, number)
    if saved is None:
        abort(404)
    return render_template(
        "documents/version.html", review=review, kind=kind,
        label=DOCUMENT_LABELS[kind], saved=saved,
        html=documents.render_markdown(saved.body) if saved.body else None,
    )


@bp.get("/reviews/<int:review_id>/documents/<kind>/versions/<int:number>/download")
def download_document(review_id: int, kind: str, number: int) -> ResponseReturnValue:
    """An uploaded file, as an attachment, only after the permission check (never a public
    folder). Practitioners may download the latest published report, nothing else. The file
    is named from the review's reference, never the uploader's file name."""
    review = visible_review_or_404(review_id)
    if kind not in DOCUMENT_KINDS or not can_read_document(g.user, review, kind):
        abort(404)
    saved = documents.version(review, kind, number)
    if saved is None or not saved.is_file:
        abort(404)
    if not can_read_working_papers(g.user, review):
        current = documents.latest(review, kind)
        if current is None or current.id != saved.id:
            abort(404)
    try:
        path = documents.stored_path(saved)
        handle = path.open("rb")
    except OSError:
        abort(404)
    return send_file(handle, mimetype=saved.content_type, as_attachment=True,
                     download_name=documents.download_name(review, saved), max_age=0)


# --- published view --------------------------------------------------------------------------


@bp.get("/reviews/<int:review_id>/published")
def published_page(review_id: int) -> ResponseReturnValue:
    """What anyone may read once a review is published: the executive summary, the overview
    report and the recommendations. Never identifying terms, letters, history or requests."""
    review = visible_review_or_404(review_id)
    if not review.is_published:
        abort(404)
    reports = []
    for kind in ("executive_summary", "overview_report"):
        current = documents.latest(review, kind)
        if current is not None:
            html = documents.render_markdown(current.body) if current.body else None
            reports.append((kind, DOCUMENT_LABELS[kind], current, html))
    return render_template(
        "documents/published.html", review=review, reports=reports,
        recommendations=recommendation_ops.recommendations_for(review),
        agency_labels=agency_codes(), theme_labels=recommendation_ops.theme_labels(),
    )


# --- agency requests -------------------------------------------------------------------------


def _review_with_requests(review_id: int) -> Review:
    review = visible_review_or_404(review_id)
    if not can_read_working_papers(g.user, review):
        abort(404)
    return review


@bp.get("/reviews/<int:review_id>/requests")
def requests_page(review_id: int) -> ResponseReturnValue:
    review = _review_with_requests(review_id)
    return render_template("agency_requests/index.html", review=review)


@bp.route("/reviews/<int:review_id>/requests/new", methods=["GET", "POST"])
def new_request(review_id: int) -> ResponseReturnValue:
    review = _review_with_requests(review_id)
    if not can_manage_requests(g.user, review):
        abort(403)
    form = RequestForm()
    form.agency.choices = _agency_choices()
    problem = None
    if form.validate_on_submit():
        try:
            created = request_ops.create_request(
                review, g.user, agency=form.agency.data, kind=form.kind.data,
                due_date=form.due_date.data, contact_name=form.contact_name.data,
                contact_email=form.contact_email.data)
        except DomainError as exc:
            db.session.rollback()
            problem = _apply_errors(form, exc, "The request could not be recorded")
        else:
            db.session.commit()
            flash(f"{created.kind_label} requested from {created.agency_label}, due "
                  f"{created.due_date.day} {created.due_date.strftime('%B %Y')}.")
            return redirect(url_for("web.requests_page", review_id=review.id))
    status = 400 if (form.errors or problem) else 200
    return render_template("agency_requests/new.html", review=review, form=form,
                           problem=problem), status


@bp.route("/agency-requests/<int:request_id>/<event>", methods=["GET", "POST"])
def move_request(request_id: int, event: str) -> ResponseReturnValue:
    item = db.session.get(AgencyRequest, request_id)
    review = db.session.get(Review, item.review_id) if item else None
    if item is None or review is None or not can_read_working_papers(g.user, review) \
            or event not in request_ops.EVENTS:
        abort(404)
    if not can_manage_requests(g.user, review):
        abort(403)
    problem, status = None, 200
    try:
        form = RequestEventForm()
    except RequestEntityTooLarge:
        form = RequestEventForm(formdata=None)
        form.file.errors = [f"The file must be smaller than "
                            f"{documents.describe_size(documents.max_upload_bytes())}"]
        status = 413
    if request.method == "GET":
        form.expected_version.data = item.lock_version
    elif status == 200:
        status = 400
    if request.method == "POST" and status == 400 and form.validate_on_submit():
        data = {"date": form.date.data}
        if event == "return":
            data |= {"comments": form.comments.data, "due_date": form.due_date.data}
        elif event == "waive":
            data["reason"] = form.reason.data
        upload = form.file.data if event == "submit" else None
        try:
            request_ops.send_request_event(item, g.user, event, _clean(data),
                                           expected_version=form.expected_version.data)
            if upload is not None and getattr(upload, "filename", ""):
                attach_submission(item, g.user, upload.filename, upload.stream)
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            problem = _apply_errors(form, exc, "The request could not be changed")
            if exc.code == "conflict":
                problem = "Someone else changed this request first. Check it and try again."
        else:
            db.session.commit()
            flash(f"{item.kind_label} from {item.agency_label}: {item.state}.")
            return redirect(url_for("web.requests_page", review_id=review.id))
    return render_template("agency_requests/event.html", review=review, item=item,
                           event=event, label=request_ops.EVENTS[event].label, form=form,
                           problem=problem,
                           possible=event in request_ops.events_for(item)), status


# --- recommendations -------------------------------------------------------------------------


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
    form.agency.choices = _agency_choices()
    form.themes.choices = _choices(recommendation_ops.offered_themes())
    problem = None
    if form.validate_on_submit():
        data = {name: f.data for name, f in form._fields.items() if name != "csrf_token"}
        try:
            created = recommendation_ops.create_recommendation(review, g.user, _clean(data))
        except DomainError as exc:
            db.session.rollback()
            problem = _apply_errors(form, exc, "The recommendation could not be added")
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
            operation(item, g.user, _clean(data))
        except DomainError as exc:
            db.session.rollback()
            problem = _apply_errors(form, exc, "The change could not be saved")
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
