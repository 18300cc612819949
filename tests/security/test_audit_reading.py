"""The audit of reading and the audit page: who opened, downloaded or was refused which
unpublished review, for administrators to filter and export; audit rows never change."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, select, update

from dhr.audit import READ_ACTIONS
from dhr.extensions import db
from dhr.models import AuditEntry
from dhr.workflow import documents
from tests.conftest import sign_in
from tests.support.documents import PDF_BYTES
from tests.support.foundation import error_summary, publish, row_counts


def reads(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action.in_([action] if action else READ_ACTIONS))
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def manager(app, client, make_user):
    user = make_user("csp_manager")
    sign_in(client, user)
    return user


def test_opening_an_unpublished_review_is_recorded_with_who_and_how(manager, client, api_as,
                                                                    make_review):
    review = make_review()
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert api_as(manager).get(f"/reviews/{review.id}").status_code == 200
    entries = reads("review.viewed")
    assert [(e.actor_id, e.review_id, e.data["via"]) for e in entries] == [
        (manager.id, review.id, "page"), (manager.id, review.id, "api")]
    # The review's own history tells what happened to it, not who looked at it.
    history = api_as(manager).get(f"/reviews/{review.id}").get_json()["history"]
    assert [item["action"] for item in history] == ["review.notified"]


def test_downloads_and_identifying_terms_are_recorded_as_such(manager, client, make_review,
                                                             make_user):
    review = make_review()
    documents.save_upload(review, "overview_report", "draft.pdf", io.BytesIO(PDF_BYTES),
                          make_user("admin"))
    db.session.commit()
    client.get(f"/reviews/{review.id}/identifying-terms")
    response = client.get(f"/reviews/{review.id}/documents/overview_report/versions/1/download")
    assert response.status_code == 200
    assert [e.action for e in reads()] == ["identifying_terms.viewed", "document.downloaded"]


def test_a_refusal_is_recorded_for_the_review_asked_for(client, make_user, make_review):
    review = make_review(csp="Watford")
    outsider = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, outsider)
    assert client.get(f"/reviews/{review.id}").status_code == 404
    entries = reads()
    assert [(e.action, e.actor_id, e.review_id, e.data["status"]) for e in entries] == [
        ("review.refused", outsider.id, review.id, 404)]


def test_reading_published_material_is_not_recorded(client, make_user, make_review):
    review = publish(make_review())
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert reads() == []


def test_an_entry_cannot_be_changed_or_deleted(manager, client, make_review):
    review = make_review()
    client.get(f"/reviews/{review.id}")
    entry = reads()[0]
    before = row_counts()
    entry.data = {"path": "/nothing-to-see"}
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.execute(update(AuditEntry).values(action="review.nothing"))
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()
    assert row_counts() == before
    assert db.session.get(AuditEntry, entry.id).data["path"] == f"/reviews/{review.id}"


@pytest.fixture
def history(app, client, make_user, make_review):
    """Two managers each open a review; an admin is signed in on `client`."""
    first, second = make_user("csp_manager"), make_user("csp_manager", csps=["Watford"])
    mine, theirs = make_review(), make_review(csp="Watford")
    for user, review in ((first, mine), (second, theirs)):
        sign_in(client, user)
        client.get(f"/reviews/{review.id}")
        client.post("/sign-out")
    admin = make_user("admin")
    sign_in(client, admin)
    return first, second, mine, theirs


def test_the_page_filters_by_who_what_review_and_day(history, client):
    first, _, mine, theirs = history
    page = client.get("/audit", query_string={"actor": first.email, "action": "review.viewed"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert mine.reference in html and theirs.reference not in html
    assert "Showing 1 to 1 of 1 entries." in html
    by_reference = client.get("/audit", query_string={"reference": theirs.reference.lower()})
    assert theirs.reference in by_reference.get_data(as_text=True)
    assert mine.reference not in by_reference.get_data(as_text=True)
    long_ago = client.get("/audit", query_string={"since": "1/1/2001", "until": "31/12/2001"})
    assert "No entries match." in long_ago.get_data(as_text=True)


def test_wrong_filters_are_explained_and_nothing_is_shown(history, client):
    page = client.get("/audit", query_string={"since": "31/02/2026", "until": "yesterday"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Error: " in html
    assert error_summary(html) == ["'From' must be a real date, for example 27/11/2026",
                                   "'To' must be a real date, for example 27/11/2026"]
    assert "summary-card" not in html
    backwards = client.get("/audit", query_string={"since": "2/11/2026", "until": "1/11/2026"})
    assert error_summary(backwards.get_data(as_text=True)) == [
        "'To' must be the same as or after 'From'"]


def test_the_csv_holds_exactly_the_filtered_entries(history, client):
    first, _, mine, _ = history
    response = client.get("/audit.csv", query_string={"actor": first.email,
                                                      "action": "review.viewed"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["when (UTC)", "who", "e-mail", "action", "review"]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [(first.email, "review.viewed",
                                                      mine.reference)]


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(client, make_user, make_review):
    sly = make_user("csp_manager")
    sly.name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    sign_in(client, sly)
    client.get(f"/reviews/{make_review().id}")
    client.post("/sign-out")
    sign_in(client, make_user("admin"))
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").get_data(as_text=True))))
    assert "'=HYPERLINK(\"http://evil.example\")" in [row[1] for row in rows]
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("role", ["coordinator", "csp_manager", "subgroup_member", "chair",
                                  "practitioner"])
def test_only_administrators_see_the_audit(client, make_user, role):
    sign_in(client, make_user(role))
    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403
    assert "Audit history" not in client.get("/account").get_data(as_text=True)
