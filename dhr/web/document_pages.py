"""Pages for a review's documents: write, upload, preview, versions, download, and the
read-only published view practitioners get."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.file import FileField
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from dhr.bounds import form_version
from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import DocumentVersion, Review
from dhr.models.documents import DOCUMENT_KINDS, DOCUMENT_LABELS
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.forms import Form, apply_errors, restored_fields
from dhr.web.review_pages import visible_review_or_404
from dhr.web.review_sections import document_frozen
from dhr.workflow import documents
from dhr.workflow.drafting import terms_of_reference_template
from dhr.workflow.review_items import (
    PUBLISHED_DOCUMENT_KINDS,
    can_read_document,
    can_read_working_papers,
    can_write_document,
)
from learning import recommendations as recommendation_ops


class MarkdownForm(Form):
    body = TextAreaField("Text (Markdown)", description=(
        "Use Markdown: # for headings, * for bullet points, **bold**, [link text](https://...). "
        "HTML is not allowed."), validators=[DataRequired("Enter the text of the document")])
    base_version = HiddenField()


class UploadForm(Form):
    file = FileField("Upload a PDF or Word document (.docx)")
    base_version = HiddenField()


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
    can_write = can_write_document(g.user, review, kind) and not document_frozen(review, kind)
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
        problem = apply_errors(form, exc, "The document could not be saved")
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
        problem = apply_errors(form, exc, "The file could not be uploaded")
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
    review = visible_review_or_404(review_id)
    if not review.is_published:
        abort(404)
    return render_template("documents/published.html", **published_view(
        review, lambda kind, saved: url_for("web.download_document", review_id=review.id,
                                            kind=kind, number=saved.version)))


def published_view(review: Review,
                   download_url: Callable[[str, DocumentVersion], str]) -> dict[str, Any]:
    """What anyone may read once a review is published: the executive summary, the overview
    report and the recommendations with their status. Never identifying terms, letters,
    history or requests. Shared by this page and the public learning pages, which differ only
    in where an uploaded report is downloaded from (`download_url`)."""
    reports = []
    for kind in PUBLISHED_DOCUMENT_KINDS:
        current = documents.latest(review, kind)
        if current is not None:
            html = documents.render_markdown(current.body) if current.body else None
            link = download_url(kind, current) if current.is_file else None
            reports.append((kind, DOCUMENT_LABELS[kind], current, html, link))
    return {"review": review, "reports": reports,
            "recommendations": recommendation_ops.recommendations_for(review),
            "agency_labels": agency_codes(), "theme_labels": recommendation_ops.theme_labels()}

