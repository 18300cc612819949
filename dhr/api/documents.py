"""A review's documents: read the latest version (with every version listed) and save a new one."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import forbidden, not_found
from dhr.api.openapi import documented
from dhr.api.reviews import load_visible_review
from dhr.api.schemas import UtcDateTime
from dhr.extensions import db
from dhr.models import DocumentVersion, Review, User
from dhr.models.documents import DOCUMENT_KINDS
from dhr.workflow import documents
from dhr.workflow.review_items import (
    can_read_document,
    can_read_working_papers,
    can_write_document,
)

Body = Annotated[str, StringConstraints(min_length=1, max_length=documents.MAX_MARKDOWN_CHARS)]


class DocumentPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["markdown"]
    body: Body
    base_version: int | None = Field(
        default=None, ge=0,
        description="the version you started from; the save is refused (409) if newer exists",
    )


class VersionOut(BaseModel):
    version: int
    format: str
    created_at: UtcDateTime
    author: str | None
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None


class DocumentOut(BaseModel):
    kind: str
    version: int
    format: str
    body: str | None = Field(description="the Markdown text; null for an uploaded file")
    html: str | None = Field(description="the text rendered and sanitised; null for a file")
    created_at: UtcDateTime
    author: str | None
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    versions: list[VersionOut]


def _version_out(review: Review, saved: DocumentVersion, insider: bool) -> VersionOut:
    """Who wrote it and the uploader's file name for insiders only; practitioners get the
    name the download has (from the review's reference)."""
    filename = None
    if saved.is_file:
        filename = saved.original_filename if insider else documents.download_name(review, saved)
    return VersionOut(
        version=saved.version, format=saved.format, created_at=saved.created_dt,
        author=saved.author.display_name if saved.author and insider else None,
        filename=filename, content_type=saved.content_type,
        size=saved.size_bytes, sha256=saved.sha256,
    )


def document_out(review: Review, kind: str, user: User, *,
                 public: bool = False) -> DocumentOut | None:
    """The latest version. `public` (and any practitioner) gets the published text only:
    not the drafts, not who wrote what."""
    saved = documents.latest(review, kind)
    if saved is None:
        return None
    insider = not public and can_read_working_papers(user, review)
    head = _version_out(review, saved, insider)
    history = documents.versions(review, kind) if insider else [saved]
    return DocumentOut(
        kind=kind, body=saved.body,
        html=str(documents.render_markdown(saved.body)) if saved.format == "markdown" else None,
        versions=[_version_out(review, v, insider) for v in history],
        **head.model_dump(),
    )


def _readable_kind(review: Review, kind: str) -> None:
    if kind not in DOCUMENT_KINDS or not can_read_document(g.user, review, kind):
        raise not_found("document")


@bp.get("/reviews/<int:review_id>/documents/<kind>")
@documented("The latest version of one of a review's documents, and the list of versions.",
            response=DocumentOut)
def get_document(review_id: int, kind: str) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    _readable_kind(review, kind)
    out = document_out(review, kind, g.user)
    if out is None:
        raise not_found("document")
    return jsonify(out.model_dump(mode="json"))


@bp.put("/reviews/<int:review_id>/documents/<kind>")
@documented("Save Markdown text as a new version of the document (201 for the first version).",
            body=DocumentPut, response=DocumentOut)
def put_document(review_id: int, kind: str) -> ResponseReturnValue:
    review = load_visible_review(review_id)
    _readable_kind(review, kind)
    if not can_write_document(g.user, review, kind):
        raise forbidden("you cannot change this document")
    body = parse_body(DocumentPut)
    saved = documents.save_markdown(review, kind, body.body, g.user,
                                    base_version=body.base_version)
    db.session.commit()
    out = document_out(review, kind, g.user)
    assert out is not None
    return jsonify(out.model_dump(mode="json")), 201 if saved.version == 1 else 200
