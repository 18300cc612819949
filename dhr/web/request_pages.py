"""Agency requests as people make them: one request, or the same request to every panel
agency in one step, each with its named contact; moving a request through its lifecycle;
changing a contact; downloading what an agency sent."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import AgencyRequest, AgencyRequestFile, Review
from dhr.models.agency_requests import AGENCY_REQUEST_KIND_LABELS
from dhr.web.blueprint import bp
from dhr.web.date_input import DateInputField
from dhr.web.forms import (
    Form,
    MaxLength,
    agency_choices,
    apply_errors,
    operation_data,
    select_choices,
)
from dhr.web.review_pages import visible_review_or_404
from dhr.workflow import agency_requests as request_ops
from dhr.workflow.documents import describe_size, max_upload_bytes, stored_file_path
from dhr.workflow.panel_requests import panel_agencies, request_from_panel
from dhr.workflow.request_files import attach_submission, download_name
from dhr.workflow.review_items import can_manage_requests, can_read_working_papers


class PanelRequestForm(FlaskForm):
    """What is asked of every agency; the agencies and their contacts are fields named
    `agency`, `contact_name-<code>` and `contact_email-<code>`, read from the form data."""

    kind = RadioField("What is requested", default="imr",
                      choices=select_choices(AGENCY_REQUEST_KIND_LABELS.items()),
                      validators=[DataRequired("Select what is requested")])
    due_date = DateInputField("Due date", past=False, years_ahead=2,
                              description="Leave empty for the standard time allowed.")


class ContactForm(FlaskForm):
    contact_name = StringField("Contact's name (optional)", validators=[
        Optional(), Length(max=request_ops.CONTACT_NAME_MAX)])
    contact_email = StringField("Contact's email address (optional)",
                                description="Reminders go to this address when it is late.",
                                validators=[Optional()])


class RequestForm(Form):
    agency = SelectField("Agency", validators=[DataRequired("Select the agency")])
    kind = RadioField("What is requested", default="imr",
                      choices=select_choices(AGENCY_REQUEST_KIND_LABELS.items()),
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


@bp.app_context_processor
def _request_helpers() -> dict[str, Any]:
    return {"describe_size": describe_size}


def _review_with_requests(review_id: int) -> Review:
    review = visible_review_or_404(review_id)
    if not can_read_working_papers(g.user, review):
        abort(404)
    return review


def _managed_review(review_id: int) -> Review:
    review = _review_with_requests(review_id)
    if not can_manage_requests(g.user, review):
        abort(403)
    return review


def _managed_request(request_id: int) -> tuple[AgencyRequest, Review]:
    item = db.session.get(AgencyRequest, request_id)
    review = db.session.get(Review, item.review_id) if item else None
    if item is None or review is None or not can_read_working_papers(g.user, review):
        abort(404)
    return item, review


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _for_agency(field: str, message: str, labels: dict[str, str]) -> str:
    """'Police: enter an email address ...' for a contact field, so that each error in the
    summary says which agency it is about."""
    code = field.partition("-")[2]
    return f"{labels[code]}: {message}" if code in labels else _sentence(message)


@bp.route("/reviews/<int:review_id>/requests/panel", methods=["GET", "POST"])
def panel_requests(review_id: int) -> ResponseReturnValue:
    review = _managed_review(review_id)
    form = PanelRequestForm()
    kind = form.kind.data if form.kind.data in AGENCY_REQUEST_KIND_LABELS else "imr"
    agencies = panel_agencies(review, kind)
    errors: dict[str, str] = {}
    problem = None
    if request.method == "POST":
        chosen = set(request.form.getlist("agency"))
        contacts = {a.code: (request.form.get(f"contact_name-{a.code}"),
                             request.form.get(f"contact_email-{a.code}"))
                    for a in agencies if a.code in chosen and not a.already_asked}
        if form.validate_on_submit():
            try:
                created = request_from_panel(review, g.user, kind, contacts, form.due_date.data)
            except DomainError as exc:
                db.session.rollback()
                details = exc.details if isinstance(exc.details, dict) else {}
                labels = {a.code: a.label for a in agencies}
                errors = {name: _for_agency(name, str(message), labels)
                          for name, message in details.items()}
                problem = None if errors else _sentence(exc.message)
            else:
                db.session.commit()
                flash(f"{AGENCY_REQUEST_KIND_LABELS[kind]} requested from {len(created)} "
                      f"agenc{'y' if len(created) == 1 else 'ies'}.")
                return redirect(url_for("web.requests_page", review_id=review.id))
    status = 400 if (form.errors or errors or problem) else 200
    return render_template("agency_requests/panel.html", review=review, form=form,
                           agencies=agencies, errors=errors, problem=problem,
                           values=request.form, posted=request.method == "POST"), status


@bp.route("/agency-requests/<int:request_id>/contact", methods=["GET", "POST"])
def request_contact(request_id: int) -> ResponseReturnValue:
    item, review = _managed_request(request_id)
    if not can_manage_requests(g.user, review):
        abort(403)
    form = ContactForm(obj=item if request.method == "GET" else None)
    problem = None
    if form.validate_on_submit():
        try:
            request_ops.change_contact(item, g.user, contact_name=form.contact_name.data,
                                       contact_email=form.contact_email.data)
        except DomainError as exc:
            db.session.rollback()
            details = exc.details if isinstance(exc.details, dict) else {}
            for name, message in details.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [*target.errors, _sentence(str(message))]
            problem = None if details else _sentence(exc.message)
        else:
            db.session.commit()
            flash(f"Contact for the {item.kind_label.lower()} from {item.agency_label} saved.")
            return redirect(url_for("web.requests_page", review_id=review.id))
    status = 400 if (form.errors or problem) else 200
    return render_template("agency_requests/contact.html", review=review, item=item,
                           form=form, problem=problem), status


@bp.get("/agency-requests/<int:request_id>/files/<int:file_id>")
def request_file(request_id: int, file_id: int) -> ResponseReturnValue:
    """What an agency sent, as an attachment, after the permission check (working papers:
    never practitioners), named from the review's reference."""
    item, review = _managed_request(request_id)
    attached = db.session.get(AgencyRequestFile, file_id)
    if attached is None or attached.request_id != item.id:
        abort(404)
    try:
        handle = stored_file_path(attached.stored_name).open("rb")
    except OSError:
        abort(404)
    return send_file(handle, mimetype=attached.content_type, as_attachment=True,
                     download_name=download_name(review, item, attached), max_age=0)



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
    form.agency.choices = agency_choices()
    problem = None
    if form.validate_on_submit():
        try:
            created = request_ops.create_request(
                review, g.user, agency=form.agency.data, kind=form.kind.data,
                due_date=form.due_date.data, contact_name=form.contact_name.data,
                contact_email=form.contact_email.data)
        except DomainError as exc:
            db.session.rollback()
            problem = apply_errors(form, exc, "The request could not be recorded")
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
    item, review = _managed_request(request_id)
    if event not in request_ops.EVENTS:
        abort(404)
    if not can_manage_requests(g.user, review):
        abort(403)
    problem, status = None, 200
    try:
        form = RequestEventForm()
    except RequestEntityTooLarge:
        form = RequestEventForm(formdata=None)
        form.file.errors = [f"The file must be smaller than "
                            f"{describe_size(max_upload_bytes())}"]
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
            request_ops.send_request_event(item, g.user, event, operation_data(data),
                                           expected_version=form.expected_version.data)
            if upload is not None and getattr(upload, "filename", ""):
                attach_submission(item, g.user, upload.filename, upload.stream)
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            problem = apply_errors(form, exc, "The request could not be changed")
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
