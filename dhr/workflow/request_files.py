"""The document an agency sends (its IMR, chronology or short report), attached to the request
when it is recorded as submitted. The same checks and storage as a review's uploaded documents
(dhr.workflow.documents); the same permissions as the requests themselves."""

from __future__ import annotations

from typing import BinaryIO

from dhr.audit import record
from dhr.errors import IllegalMove, NotPermitted
from dhr.extensions import db
from dhr.models import AgencyRequest, AgencyRequestFile, Review, User
from dhr.workflow.documents import ALLOWED_UPLOADS, read_upload, write_upload
from dhr.workflow.review_items import can_manage_requests, refuse_if_final


def attach_submission(agency_request: AgencyRequest, actor: User, filename: str,
                      stream: BinaryIO) -> AgencyRequestFile:
    """Attach what the agency sent to a submitted request. Flushes and audits; the file is
    kept only if the transaction commits."""
    review = db.session.get(Review, agency_request.review_id)
    assert review is not None
    if not can_manage_requests(actor, review):
        raise NotPermitted("you cannot change the agency requests of this review")
    refuse_if_final(review, "its agency requests")
    if agency_request.state != "submitted":
        raise IllegalMove("a document can only be attached to a submitted request",
                          {"state": agency_request.state})
    display_name, content_type, data = read_upload(filename, stream)
    stored = write_upload(display_name, content_type, data)
    attached = AgencyRequestFile(
        request_id=agency_request.id, original_filename=stored.display_name,
        content_type=stored.content_type, size_bytes=stored.size,
        stored_name=stored.stored_name, sha256=stored.sha256, author=actor)
    db.session.add(attached)
    db.session.flush()
    record("agency_request.file_attached", agency_request, actor,
           {"agency": agency_request.agency, "kind": agency_request.kind,
            "file_id": attached.id, "content_type": stored.content_type, "size": stored.size,
            "sha256": stored.sha256}, review_id=review.id)
    return attached


def download_name(review: Review, agency_request: AgencyRequest,
                  attached: AgencyRequestFile) -> str:
    """From the review's reference, never the sender's file name (which may carry a real
    name): 'DHR-DACORUM-2024-01-imr-police-1.pdf'."""
    extension = next((ext for ext, kind in ALLOWED_UPLOADS.items()
                      if kind == attached.content_type), "")
    kind = agency_request.kind.replace("_", "-")
    agency = agency_request.agency.replace("_", "-")
    return f"{review.reference}-{kind}-{agency}-{attached.id}{extension}"
