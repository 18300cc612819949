"""Versioned documents of a review: Markdown written in the browser or an uploaded PDF/DOCX.

Every save is a new version (nothing is overwritten) and is audited. Operations flush and
audit but never commit. An uploaded file is written before the commit; if the transaction
ends without committing, the file is deleted again.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from dhr.audit import record
from dhr.errors import InvalidInput, NotPermitted, Stale
from dhr.extensions import db
from dhr.models import Document, DocumentVersion, Review, User
from dhr.models.documents import DOCUMENT_KINDS, DOCUMENT_LABELS
from dhr.wording import lower_first
from dhr.workflow.docx_reading import docx_texts
from dhr.workflow.review_items import (
    can_write_document,
    refuse_if_final,
    refuse_if_paused,
    refuse_if_published,
)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_UPLOADS = {".pdf": PDF, ".docx": DOCX}
MAX_MARKDOWN_CHARS = 400_000
_PENDING_FILES = "dhr_uploaded_files"

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}
_GOVUK_CLASSES = {
    "p": "govuk-body", "h2": "govuk-heading-m",
    "h3": "govuk-heading-s", "h4": "govuk-heading-s", "h5": "govuk-heading-s",
    "h6": "govuk-heading-s", "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number", "a": "govuk-link", "table": "govuk-table",
    "tr": "govuk-table__row", "th": "govuk-table__header", "td": "govuk-table__cell",
    "blockquote": "govuk-inset-text",
}


def sanitise_html(rendered: str) -> Markup:
    """Keep only plain formatting tags, http(s)/mailto links (rel="noopener noreferrer")
    and no attribute that could run script or load anything."""
    cleaned = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={tag: {"class": cls} for tag, cls in _GOVUK_CLASSES.items()},
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


def render_markdown(text: str) -> Markup:
    """Markdown to HTML safe to show. Raw HTML in the text is escaped by the parser (shown as
    text, never as markup) and the result is sanitised again by nh3. Headings move one level
    down (# -> h2): the page around a document already has its h1."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return sanitise_html(_markdown.renderer.render(tokens, _markdown.options, {}))


_TAG = re.compile(r"<[^>]*>")


def markdown_plain_text(text: str) -> str:
    """The words a reader sees (no markup), e.g. 'Jane **Realname**' -> 'Jane Realname'."""
    return html.unescape(_TAG.sub(" ", _markdown.render(text or "")))


def kind_label(kind: str) -> str:
    return DOCUMENT_LABELS[kind]


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput(f"unknown document kind: {kind}",
                           {"kind": f"must be one of {', '.join(DOCUMENT_KINDS)}"})


def latest(review: Review, kind: str) -> DocumentVersion | None:
    """The newest version of the review's document of this kind, or None if never saved."""
    return db.session.scalar(
        select(DocumentVersion)
        .join(Document)
        .where(Document.review_id == review.id, Document.kind == kind)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )


def versions(review: Review, kind: str) -> list[DocumentVersion]:
    """Every version, newest first."""
    return list(db.session.scalars(
        select(DocumentVersion)
        .join(Document)
        .where(Document.review_id == review.id, Document.kind == kind)
        .order_by(DocumentVersion.version.desc())
    ))


def version(review: Review, kind: str, number: int) -> DocumentVersion | None:
    return db.session.scalar(
        select(DocumentVersion)
        .join(Document)
        .where(Document.review_id == review.id, Document.kind == kind,
               DocumentVersion.version == number)
    )


def _document_for(review: Review, kind: str) -> Document:
    """The review's document of this kind, created on first save (safe against a race)."""
    stmt = select(Document).where(Document.review_id == review.id, Document.kind == kind)
    document = db.session.scalar(stmt)
    if document is not None:
        return document
    try:
        with db.session.begin_nested():
            document = Document(review_id=review.id, kind=kind)
            db.session.add(document)
    except IntegrityError:
        document = db.session.scalar(stmt)
        if document is None:
            raise
    return document


def _next_version(document: Document, base_version: int | None) -> int:
    """Claim the next version number with one conditional UPDATE.

    With `base_version` (the version the author started from) the save is refused when
    someone else saved a newer version meanwhile, so nobody's edits are silently buried.
    """
    stmt = update(Document).where(Document.id == document.id)
    if base_version is not None:
        stmt = stmt.where(Document.latest_version == base_version)
    number = db.session.scalar(
        stmt.values(latest_version=Document.latest_version + 1)
        .returning(Document.latest_version),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(document, ["latest_version"])
    if number is None:
        raise Stale(
            f"someone saved a newer version of the {lower_first(kind_label(document.kind))} "
            f"since version {base_version}: read it and save again",
            {"base_version": f"the latest version is now {document.latest_version}"},
        )
    return number


def _check_may_write(review: Review, kind: str, actor: User) -> None:
    _check_kind(kind)
    if not can_write_document(actor, review, kind):
        raise NotPermitted(f"you cannot change the {lower_first(kind_label(kind))} of this review")
    if kind == "ho_letter":
        refuse_if_final(review, "its documents")
    else:
        refuse_if_published(review, "its reports")
    refuse_if_paused(review, "its documents")


def save_markdown(review: Review, kind: str, body: str, actor: User, *,
                  base_version: int | None = None) -> DocumentVersion:
    """Save Markdown text as the next version of the review's document of this kind."""
    _check_may_write(review, kind, actor)
    if not body or not body.strip():
        raise InvalidInput("the document is empty", {"body": "enter the text of the document"})
    if len(body) > MAX_MARKDOWN_CHARS:
        raise InvalidInput("the document is too long",
                           {"body": f"must be at most {MAX_MARKDOWN_CHARS} characters"})
    document = _document_for(review, kind)
    saved = DocumentVersion(document=document, version=_next_version(document, base_version),
                            format="markdown", body=body, author=actor)
    db.session.add(saved)
    db.session.flush()
    record("document.saved", saved, actor,
           {"kind": kind, "version": saved.version, "format": "markdown", "chars": len(body)},
           review_id=review.id)
    return saved


def max_upload_bytes() -> int:
    """DHR_MAX_UPLOAD_BYTES (MAX_CONTENT_LENGTH): the largest file accepted."""
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{size / 1024:.3g} KB" if size >= 1024 else f"{size} bytes"


def clean_filename(name: str) -> str:
    """The uploader's file name without folders or control characters (only for display)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-200:]


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def detect_upload_type(filename: str, data: bytes) -> str:
    """The content type of an accepted upload; InvalidInput for anything else.

    The extension must say PDF or DOCX *and* the bytes must be one: a renamed program or
    a spreadsheet called .docx is refused.
    """
    extension = os.path.splitext(filename.lower())[1]
    expected = ALLOWED_UPLOADS.get(extension)
    if expected is None:
        raise InvalidInput("only PDF and DOCX files can be uploaded",
                           {"file": "The file must be a PDF or a Word document (.docx)"})
    looks_like = PDF if data.startswith(b"%PDF-") else DOCX if _is_docx(data) else None
    if looks_like != expected:
        raise InvalidInput(
            "the file's contents do not match its name",
            {"file": f"The file is called {extension} but is not a "
                     f"{'PDF' if expected == PDF else 'Word document'}"},
        )
    return expected


def uploads_dir() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_path(saved: DocumentVersion) -> Path:
    return stored_file_path(saved.stored_name)


@dataclass(frozen=True)
class StoredUpload:
    """An accepted upload written under DATA_DIR/uploads (deleted again if the transaction
    does not commit)."""

    display_name: str
    content_type: str
    size: int
    stored_name: str
    sha256: str


def read_upload(filename: str, stream: BinaryIO) -> tuple[str, str, bytes]:
    """(display name, content type, bytes) of an upload that passes every check: size,
    not empty, a name, a real PDF or DOCX. InvalidInput on the field `file` otherwise."""
    limit = max_upload_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("the file is too large",
                           {"file": f"The file must be smaller than {describe_size(limit)}"})
    if not data:
        raise InvalidInput("the file is empty", {"file": "The selected file is empty"})
    display_name = clean_filename(filename)
    if not display_name:
        raise InvalidInput("the file has no name", {"file": "Select a file"})
    return display_name, detect_upload_type(display_name, data), data


def write_upload(display_name: str, content_type: str, data: bytes) -> StoredUpload:
    """Write checked bytes (from read_upload) under a random name, kept only on commit."""
    stored_name = secrets.token_hex(16)
    target = uploads_dir() / stored_name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    db.session.info.setdefault(_PENDING_FILES, []).append(target)
    return StoredUpload(display_name, content_type, len(data), stored_name,
                        hashlib.sha256(data).hexdigest())


def stored_file_path(stored_name: str | None) -> Path:
    """Where an upload stored by write_upload lives (refusing anything but its own names)."""
    if not stored_name or not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise FileNotFoundError("no stored file")
    return uploads_dir() / stored_name


def save_upload(review: Review, kind: str, filename: str, stream: BinaryIO, actor: User, *,
                base_version: int | None = None) -> DocumentVersion:
    """Store an uploaded PDF or DOCX as the next version of the review's document."""
    _check_may_write(review, kind, actor)
    display_name, content_type, data = read_upload(filename, stream)
    document = _document_for(review, kind)
    number = _next_version(document, base_version)
    stored = write_upload(display_name, content_type, data)
    saved = DocumentVersion(
        document=document, version=number, format="file", original_filename=display_name,
        content_type=content_type, size_bytes=stored.size, stored_name=stored.stored_name,
        sha256=stored.sha256, author=actor,
    )
    db.session.add(saved)
    db.session.flush()
    record("document.uploaded", saved, actor,
           {"kind": kind, "version": number, "format": "file", "content_type": content_type,
            "size": len(data), "sha256": saved.sha256}, review_id=review.id)
    return saved


@event.listens_for(Session, "after_commit")
def _keep_uploaded_files(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for path in session.info.pop(_PENDING_FILES, []):
            path.unlink(missing_ok=True)


def checkable_texts(saved: DocumentVersion) -> list[str] | None:
    """Texts of a version to search for identifying terms: for Markdown the source and the
    words as rendered (so 'Jane **Realname**' is found too); for a Word document every part
    of the package (see docx_reading); None when the file cannot be read (a PDF)."""
    if saved.format == "markdown":
        body = saved.body or ""
        return [body, markdown_plain_text(body)]
    if saved.content_type == DOCX:
        try:
            data = stored_path(saved).read_bytes()
        except OSError:
            return None
        return docx_texts(data)
    return None


def download_name(review: Review, saved: DocumentVersion) -> str:
    """The name a downloaded file gets, from the review's reference, never the uploader's
    file name (which may carry a real name): 'DHR-DACORUM-2024-01-overview-report-v3.docx'."""
    extension = next((ext for ext, kind in ALLOWED_UPLOADS.items()
                      if kind == saved.content_type), "")
    kind = saved.document.kind.replace("_", "-")
    return f"{review.reference}-{kind}-v{saved.version}{extension}"
