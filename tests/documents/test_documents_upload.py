"""Writing and uploading documents in the browser: type and size checks, storage, downloads."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dhr.errors import InvalidInput
from dhr.extensions import db
from dhr.models import DocumentVersion
from dhr.workflow import documents
from tests.conftest import sign_in
from tests.support.documents import PDF_BYTES

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def docx_bytes(text: str = "The overview report.") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml",
                         f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
                         "</w:body></w:document>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(client, review, data: bytes, filename: str, kind: str = "overview_report"):
    return client.post(f"/reviews/{review.id}/documents/{kind}/upload",
                       data={"file": (io.BytesIO(data), filename), "base_version": ""},
                       content_type="multipart/form-data")


def file_versions() -> list[DocumentVersion]:
    return list(db.session.scalars(select(DocumentVersion).where(
        DocumentVersion.format == "file")))


def uploads_folder(app) -> Path:
    return Path(app.config["DATA_DIR"]) / "uploads"


def stored_files(app) -> list[Path]:
    folder = uploads_folder(app)
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def manager_client(client, make_user):
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    return client


def test_a_pdf_is_stored_under_a_random_name_and_recorded(app, manager_client, make_review):
    review = make_review()
    response = upload(manager_client, review, PDF_BYTES, "Overview report v3.pdf")
    assert response.status_code == 302
    [saved] = file_versions()
    assert saved.version == 1
    assert saved.original_filename == "Overview report v3.pdf"
    assert saved.content_type == "application/pdf"
    assert saved.size_bytes == len(PDF_BYTES)
    assert saved.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    [path] = stored_files(app)
    assert re.fullmatch(r"[0-9a-f]{32}", path.name)
    assert path.read_bytes() == PDF_BYTES
    assert path.parent == Path(app.config["DATA_DIR"]) / "uploads"
    page = manager_client.get(f"/reviews/{review.id}/documents/overview_report")
    assert "Overview report v3.pdf" in page.get_data(as_text=True)


def test_a_docx_is_accepted(manager_client, make_review):
    review = make_review()
    assert upload(manager_client, review, docx_bytes(), "ToR.docx",
                  kind="terms_of_reference").status_code == 302
    assert documents.latest(review, "terms_of_reference").content_type == documents.DOCX


@pytest.mark.parametrize("data, filename, message", [
    (EXE_BYTES, "report.pdf", "is called .pdf but is not a PDF"),
    (PDF_BYTES, "report.exe", "must be a PDF or a Word document"),
    (PDF_BYTES, "report.docx", "is not a Word document"),
    (xlsx_bytes(), "report.docx", "is not a Word document"),
    (b"<html><script>alert(1)</script></html>", "report.pdf", "is not a PDF"),
    (b"plain text", "report.txt", "must be a PDF or a Word document"),
    (b"", "report.pdf", "empty"),
])
def test_files_that_are_not_really_pdf_or_docx_are_refused(app, manager_client, make_review,
                                                           data, filename, message):
    review = make_review()
    response = upload(manager_client, review, data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert file_versions() == []
    assert stored_files(app) == []


def test_a_file_over_the_configured_size_is_refused(app, manager_client, make_review):
    review = make_review()
    app.config["MAX_CONTENT_LENGTH"] = 4096
    big = PDF_BYTES + b"0" * 5000
    response = upload(manager_client, review, big, "big.pdf")
    assert response.status_code == 413
    assert "The file must be smaller than 4 KB" in response.get_data(as_text=True)
    assert file_versions() == []
    assert stored_files(app) == []


def test_the_size_check_in_the_operation_itself(app, make_review, make_user):
    review = make_review()
    app.config["MAX_CONTENT_LENGTH"] = 1024
    with pytest.raises(InvalidInput) as refused:
        documents.save_upload(review, "overview_report", "big.pdf",
                              io.BytesIO(PDF_BYTES + b"0" * 2000), make_user("admin"))
    assert refused.value.details == {"file": "The file must be smaller than 1 KB"}
    assert stored_files(app) == []


def test_an_uploaded_file_is_removed_if_the_transaction_is_rolled_back(app, make_review,
                                                                      make_user):
    review = make_review()
    admin = make_user("admin")
    documents.save_upload(review, "overview_report", "x.pdf", io.BytesIO(PDF_BYTES), admin)
    assert len(stored_files(app)) == 1
    db.session.rollback()
    assert stored_files(app) == []
    documents.save_upload(review, "overview_report", "x.pdf", io.BytesIO(PDF_BYTES), admin)
    db.session.commit()
    assert len(stored_files(app)) == 1


def test_download_is_an_attachment_named_from_the_reference(manager_client, make_review):
    """The uploader's file name may carry a real name: the download never uses it, while
    the document page still shows it to the people running the review."""
    review = make_review()
    upload(manager_client, review, PDF_BYTES, "Margaret Doyle final.pdf")
    page = manager_client.get(f"/reviews/{review.id}/documents/overview_report")
    assert "Margaret Doyle final.pdf" in page.get_data(as_text=True)
    response = manager_client.get(
        f"/reviews/{review.id}/documents/overview_report/versions/1/download")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition == (f"attachment; filename={review.reference}-overview-report-v1.pdf")
    assert review.reference.startswith("DHR-DACORUM-")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_is_permission_checked(client, app, make_review, make_user):
    review = make_review()
    admin = make_user("admin")
    documents.save_upload(review, "overview_report", "r.pdf", io.BytesIO(PDF_BYTES), admin)
    documents.save_upload(review, "ho_letter", "letter.pdf", io.BytesIO(PDF_BYTES), admin)
    db.session.commit()
    url = f"/reviews/{review.id}/documents/overview_report/versions/1/download"
    for outsider in (make_user("csp_manager", csps=["Watford"]), make_user("practitioner"),
                     make_user("chair")):
        client.post("/sign-out")
        sign_in(client, outsider)
        assert client.get(url).status_code == 404, outsider.role
    client.post("/sign-out")
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    # no public folder serves the uploads
    [path] = stored_files(app)[:1]
    assert client.get(f"/static/{path.name}").status_code == 404
    assert client.get(f"/uploads/{path.name}").status_code in {302, 404}


def test_practitioner_downloads_only_the_latest_published_report(client, make_review, make_user):
    review = make_review()
    admin = make_user("admin")
    for name in ("draft.pdf", "final.pdf"):
        documents.save_upload(review, "overview_report", name, io.BytesIO(PDF_BYTES), admin)
    documents.save_upload(review, "ho_letter", "letter.pdf", io.BytesIO(PDF_BYTES), admin)
    review.state = "published"
    db.session.commit()
    sign_in(client, make_user("practitioner"))
    base = f"/reviews/{review.id}/documents"
    assert client.get(f"{base}/overview_report/versions/2/download").status_code == 200
    assert client.get(f"{base}/overview_report/versions/1/download").status_code == 404
    assert client.get(f"{base}/ho_letter/versions/1/download").status_code == 404
    assert client.get(f"{base}/overview_report").status_code == 404  # no working pages


def test_write_markdown_in_the_browser_makes_versions(manager_client, make_review):
    review = make_review()
    url = f"/reviews/{review.id}/documents/executive_summary"
    page = manager_client.get(url)
    assert page.status_code == 200
    assert 'name="base_version" type="hidden" value="0"' in page.get_data(as_text=True)
    response = manager_client.post(url, data={"body": "# Summary\n\nFirst", "base_version": "0"})
    assert response.status_code == 302
    manager_client.post(url, data={"body": "# Summary\n\nSecond", "base_version": "1"})
    page = manager_client.get(url).get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page
    assert '<h2 class="govuk-heading-m">Summary</h2>' in page
    old = manager_client.get(f"{url}/versions/1").get_data(as_text=True)
    assert "First" in old


def test_a_stale_browser_save_keeps_the_authors_text(manager_client, make_review):
    review = make_review()
    url = f"/reviews/{review.id}/documents/executive_summary"
    manager_client.post(url, data={"body": "Theirs v1", "base_version": "0"})
    manager_client.post(url, data={"body": "Theirs v2", "base_version": "1"})
    response = manager_client.post(url, data={"body": "My careful edit", "base_version": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved a newer version" in page
    assert "My careful edit" in page
    assert documents.latest(review, "executive_summary").body == "Theirs v2"


def test_empty_text_shows_an_error_summary(manager_client, make_review):
    review = make_review()
    response = manager_client.post(f"/reviews/{review.id}/documents/overview_report",
                                   data={"body": "", "base_version": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and "Enter the text of the document" in page


def test_subgroup_member_may_read_but_not_write_or_upload(client, make_review, make_user):
    review = make_review()
    sign_in(client, make_user("subgroup_member"))
    url = f"/reviews/{review.id}/documents/overview_report"
    page = client.get(url)
    assert page.status_code == 200
    assert "Save as a new version" not in page.get_data(as_text=True)
    assert client.post(url, data={"body": "x", "base_version": "0"}).status_code == 403
    assert upload(client, review, PDF_BYTES, "x.pdf").status_code == 403
    assert db.session.scalar(select(func.count(DocumentVersion.id))) == 0


def test_forms_need_the_csrf_token(app, client, make_review, make_user):
    review = make_review()
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/reviews/{review.id}/documents/overview_report"
    assert client.post(url, data={"body": "x", "base_version": "0"}).status_code == 400
    assert upload(client, review, PDF_BYTES, "x.pdf").status_code == 400
    assert db.session.scalar(select(func.count(DocumentVersion.id))) == 0
