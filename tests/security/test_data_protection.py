"""Data protection: everything held about one review exported for a subject access or legal
request, and finished reviews past retention anonymised without changing the statistics."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.identifying_terms import TermMatcher
from dhr.models import AgencyRequest, AuditEntry, Document, Review
from dhr.workflow import documents
from dhr.workflow.retention import anonymise, past_retention
from learning.recommendations import add_progress, create_recommendation
from learning.stats import annual_rows
from tests.support.documents import PDF_BYTES
from tests.support.foundation import publish, row_counts

TERMS = ["Margaret Doyle", "14 Larch Avenue"]


@pytest.fixture
def held(app, make_review, make_user):
    """A published review holding terms, a draft, an uploaded IMR-like file, an agency
    request with a named contact, and a recommendation with progress."""
    admin = make_user("admin")
    review = make_review(victim_pseudonym="Adult K", identifying_terms=TERMS)
    documents.save_markdown(review, "terms_of_reference",
                            "Margaret Doyle lived at 14 Larch Avenue.", admin)
    documents.save_markdown(review, "executive_summary", "Adult K was killed in 2024.", admin)
    documents.save_upload(review, "action_plan", "Doyle plan.pdf", io.BytesIO(PDF_BYTES), admin)
    db.session.add(AgencyRequest(review_id=review.id, agency="police", kind="imr",
                                 requested_date=date(2024, 3, 1), due_date=date(2024, 4, 12),
                                 contact_name="Sam Officer", contact_email="sam@police.example"))
    db.session.commit()
    recommendation = create_recommendation(review, admin, {
        "number": "1", "level": "local", "agency": "police", "themes": ["risk_assessment_dash"],
        "text": "Police to review DASH risk assessments after every repeat call."})
    add_progress(recommendation, admin, {"impact": "Audit of 50 cases in March."})
    publish(review)
    return review, admin


def export_as(api, review: Review):
    return api.get(f"/reviews/{review.id}/export")


def test_an_export_holds_the_review_every_related_row_and_the_files(held, api_as):
    review, admin = held
    response = export_as(api_as(admin), review)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{review.reference}-export.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    record = json.loads(archive.read("review.json"))
    assert record["review"]["reference"] == review.reference
    assert record["review"]["identifying_terms"] == TERMS
    related = record["related"]
    assert {"documents", "document_versions", "agency_requests", "recommendations",
            "recommendation_updates", "recommendation_themes", "audit_entries"} <= set(related)
    assert related["agency_requests"][0]["contact_email"] == "sam@police.example"
    assert related["recommendation_updates"][0]["impact"] == "Audit of 50 cases in March."
    bodies = [v["body"] for v in related["document_versions"] if v["body"]]
    assert "Margaret Doyle lived at 14 Larch Avenue." in bodies
    files = [name for name in archive.namelist() if name.startswith("files/")]
    assert [archive.read(name) for name in files] == [PDF_BYTES]
    exported = db.session.scalars(select(AuditEntry).where(
        AuditEntry.review_id == review.id, AuditEntry.action == "review.exported")).all()
    assert [entry.actor_id for entry in exported] == [admin.id]


@pytest.mark.parametrize(("who", "status"), [
    ("coordinator", 200), ("csp_manager", 403), ("subgroup_member", 403),
    ("practitioner", 403), ("other_coordinator", 404)])
def test_only_an_admin_or_the_areas_coordinator_may_export(held, api_as, who, status):
    """The review is published: a practitioner may know it exists (403), another county may
    not (404)."""
    review, _ = held
    other_area = who == "other_coordinator"
    api = api_as("coordinator", area="Herefordshire") if other_area else api_as(who)
    assert export_as(api, review).status_code == status
    exports = db.session.scalars(select(AuditEntry.actor_id).where(
        AuditEntry.action == "review.exported")).all()
    assert exports == ([api.user.id] if status == 200 else [])


def test_without_a_token_an_export_is_refused(held, client):
    review, _ = held
    assert client.get(f"/api/v1/reviews/{review.id}/export").status_code == 401


def test_the_command_line_export_checks_the_user_too(app, held, make_user, tmp_path):
    review, admin = held
    runner = app.test_cli_runner()
    chair = make_user("chair")
    refused = runner.invoke(args=["review", "export", review.reference, str(tmp_path / "x.zip"),
                                  "--as", chair.email])
    assert refused.exit_code != 0
    assert not (tmp_path / "x.zip").exists()
    done = runner.invoke(args=["review", "export", review.reference, str(tmp_path / "x.zip"),
                               "--as", admin.email])
    assert done.exit_code == 0, done.output
    assert zipfile.ZipFile(tmp_path / "x.zip").read("review.json")
    assert (tmp_path / "x.zip").stat().st_mode & 0o077 == 0


def close(review: Review, on: date) -> None:
    review.state, review.closed_date = "closed", on
    db.session.commit()


def test_the_report_lists_finished_reviews_past_retention_only(held, make_review, app):
    review, _ = held
    recent = make_review(csp="Watford")
    publish(recent)
    close(review, date(2004, 6, 30))
    close(recent, date(2024, 6, 30))
    app.config["RETENTION_YEARS"] = 20
    assert [o.review.id for o in past_retention(date(2024, 6, 30))] == []
    overdue = past_retention(date(2024, 7, 1))
    assert [(o.review.id, o.due) for o in overdue] == [(review.id, date(2024, 6, 30))]
    result = app.test_cli_runner().invoke(args=["retention", "report", "--today", "2030-01-01"])
    assert review.reference in result.output
    assert recent.reference not in result.output


def test_anonymising_leaves_no_term_and_the_same_statistics(held, app, api_as):
    review, admin = held
    close(review, date(2000, 1, 31))
    uploads = [documents.stored_path(v) for d in db.session.scalars(select(Document))
               for v in d.versions if v.stored_name]
    assert all(path.is_file() for path in uploads) and uploads
    statistics = annual_rows(admin)

    result = app.test_cli_runner().invoke(
        args=["retention", "anonymise", review.reference, "--as", admin.email, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    assert annual_rows(admin) == statistics
    assert not any(path.exists() for path in uploads)
    kept = {d.kind: [v.version for v in d.versions] for d in db.session.scalars(select(Document))}
    assert kept == {"executive_summary": [1]}
    exported = zipfile.ZipFile(io.BytesIO(export_as(api_as(admin), review).data))
    text = exported.read("review.json").decode()
    assert TermMatcher(TERMS).found_in(text) == []
    assert "sam@police.example" not in text
    assert past_retention(date(2100, 1, 1)) == []


def test_a_live_review_is_not_anonymised_and_nothing_changes(held):
    review, admin = held
    review.state = "drafting"
    db.session.commit()
    before = row_counts()
    with pytest.raises(Exception, match="finished review"):
        anonymise(review, admin)
    db.session.rollback()
    assert row_counts() == before
    assert db.session.get(Review, review.id).identifying_terms == TERMS


def test_anonymising_asks_for_confirmation_and_an_admin(held, app, make_user):
    review, admin = held
    close(review, date(2000, 1, 31))
    runner = app.test_cli_runner()
    unconfirmed = runner.invoke(args=["retention", "anonymise", review.reference,
                                      "--as", admin.email])
    coordinator = make_user("coordinator")
    not_admin = runner.invoke(args=["retention", "anonymise", review.reference,
                                    "--as", coordinator.email, "--yes"])
    assert unconfirmed.exit_code != 0 and "--yes" in unconfirmed.output
    assert not_admin.exit_code != 0
    db.session.expire_all()
    assert db.session.get(Review, review.id).identifying_terms == TERMS
