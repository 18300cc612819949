"""What practitioners read of a published review: frozen after publication, and free of every
identifying term and word, on every page and API answer they can reach."""

from __future__ import annotations

import html
import io
import zipfile

import pytest

from dhr.extensions import db
from dhr.identifying_terms import TermMatcher
from dhr.models.documents import DOCUMENT_KINDS
from dhr.workflow import agency_requests as request_ops
from dhr.workflow import documents
from dhr.workflow.engine import send_event
from dhr.workflow.table import EVENTS
from learning import recommendations as recs
from learning.public import reference_slug
from tests.conftest import Api, sign_in
from tests.support.workflow import put_in_state, valid_data

TERMS = ["Margaret Doyle", "14 Larkspur Road"]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def clean_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document {W}><w:body><w:p><w:r><w:t>"
                                              "Adult A was known to housing.</w:t></w:r></w:p>"
                                              "</w:body></w:document>")
    return buffer.getvalue()


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def published(make_review, make_user, admin):
    """A review published through the publish event (so its check passed), whose working
    papers and post-publication tracking do name the victim."""
    review = make_review(identifying_terms=TERMS)
    documents.save_markdown(review, "terms_of_reference", "Review of Margaret Doyle's death",
                            admin)
    request_ops.create_request(review, admin, agency="police", kind="imr")
    put_in_state(review, "publication_pending", admin)
    documents.save_upload(review, "overview_report", "overview final.docx",
                          io.BytesIO(clean_docx()), admin)
    documents.save_markdown(review, "ho_letter", "Letter about 14 Larkspur Road.", admin)
    db.session.commit()
    send_event(review, admin, "publish", valid_data("publish"))
    db.session.commit()
    assert review.state == "published"
    [item] = recs.recommendations_for(review)
    subgroup = make_user("subgroup_member")
    recs.add_progress(item, subgroup, {"impact": "Mrs Doyle's sister was told of the change."})
    recs.update_recommendation(item, admin, {"owner": "Margaret's GP practice"})
    recs.complete(item, subgroup, {"evidence": "Audit of 14 Larkspur Road visits."})
    db.session.commit()
    return review


def test_the_facts_of_a_published_review_cannot_change(api_as, published):
    manager = api_as("csp_manager", csps=["Dacorum"])
    for change in ({"victim_pseudonym": "Adult B"}, {"legal_basis": "Other"},
                   {"victim_pseudonym": "Adult B", "identifying_terms": [*TERMS, "Doyle"]}):
        response = manager.patch(f"/reviews/{published.id}", json=change)
        assert response.status_code == 409, change
        assert response.json["error"]["code"] == "read_only"
    removed = manager.patch(f"/reviews/{published.id}", json={"identifying_terms": TERMS[:1]})
    assert removed.status_code == 409
    assert "identifying_terms" in removed.json["error"]["details"]
    db.session.refresh(published)
    assert published.victim_pseudonym == "Adult A" and published.identifying_terms == TERMS


def test_adding_a_term_after_publication_checks_again(client, api_as, make_user, published):
    manager = api_as("csp_manager", csps=["Dacorum"])
    response = manager.patch(f"/reviews/{published.id}",
                             json={"identifying_terms": [*TERMS, "Housing"]})
    assert response.status_code == 200, response.json
    check = response.json["anonymisation_check"]
    assert check["passed"] is False
    version = documents.latest(published, "overview_report").version
    assert check["hits"] == [f'"Housing" appears in the overview report (version {version})']
    assert check["searched"].startswith("Searched for 3 restricted identifying terms")
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    page = client.get(f"/reviews/{published.id}").get_data(as_text=True)
    assert "Restricted identifying terms were found in what practitioners can read" in page
    assert f"appears in the overview report (version {version})" in page


def test_published_reports_and_wording_are_frozen_but_tracking_goes_on(api_as, published):
    manager = api_as("csp_manager", csps=["Dacorum"])
    saved = manager.put(f"/reviews/{published.id}/documents/executive_summary",
                        json={"format": "markdown", "body": "Margaret Doyle"})
    assert saved.status_code == 409 and saved.json["error"]["code"] == "read_only"
    [item] = recs.recommendations_for(published)
    reworded = manager.patch(f"/recommendations/{item.id}", json={"text": "Mrs Doyle"})
    assert reworded.status_code == 409 and reworded.json["error"]["code"] == "read_only"
    progress = manager.post(f"/recommendations/{item.id}/updates",
                            json={"impact": "Second audit done."})
    assert progress.status_code == 201


def _urls(review, recommendation_id: int, request_id: int, app) -> list[str]:
    """Every GET route of the app, with this review's ids filled in."""
    values = {"review_id": [review.id], "recommendation_id": [recommendation_id],
              "request_id": [request_id], "kind": list(DOCUMENT_KINDS), "number": [1, 2, 3],
              "event": [*EVENTS, *request_ops.EVENTS],
              "slug": [reference_slug(review.reference)]}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "filename" in rule.arguments:
            continue
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: v} for c in combos for v in values.get(name, [1])]
        urls += [rule.build(c, append_unknown=False)[1] for c in combos]
    return urls


def test_a_practitioner_reads_no_identifying_term_anywhere(app, client, make_user, published):
    app.config["PUBLIC_LEARNING"] = True  # the public pages are walked too
    matcher = TermMatcher(TERMS)
    practitioner = make_user("practitioner")
    api = Api(client, practitioner)
    sign_in(client, practitioner)
    [item] = recs.recommendations_for(published)
    [request] = request_ops.requests_for(published)
    version = documents.latest(published, "overview_report").version
    statuses = {}
    for url in _urls(published, item.id, request.id, app):
        if url.startswith("/api/"):
            response = api.get(url.removeprefix("/api/v1"))
        else:
            response = client.get(url)
        statuses[url] = response.status_code
        readable = html.unescape(response.get_data(as_text=True) if response.mimetype.startswith(
            ("text/", "application/json")) else "")
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        assert matcher.found_in(readable + "\n" + headers) == [], url
        if "download" in url and response.status_code == 200:
            assert response.headers["Content-Disposition"] == (
                f"attachment; filename={published.reference}-overview-report-v{version}.docx")
            with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
                text = " ".join(archive.read(n).decode() for n in archive.namelist())
            assert matcher.found_in(text) == []
    reached = [url for url, status in statuses.items() if status == 200]
    for must in (f"/reviews/{published.id}", f"/reviews/{published.id}/published",
                 f"/reviews/{published.id}/recommendations",
                 f"/reviews/{published.id}/documents/overview_report/versions/{version}/download",
                 f"/api/v1/reviews/{published.id}", f"/api/v1/reviews/{published.id}/published",
                 f"/api/v1/recommendations/{item.id}",
                 f"/api/v1/reviews/{published.id}/documents/overview_report",
                 f"/learning/public/reviews/{reference_slug(published.reference)}",
                 f"/learning/public/reviews/{reference_slug(published.reference)}"
                 "/overview_report/download"):
        assert must in reached, (must, statuses.get(must))
    body = api.get(f"/reviews/{published.id}/published").json
    assert body["overview_report"]["filename"] == (
        f"{published.reference}-overview-report-v{version}.docx")


def test_editors_add_identifying_terms_on_a_page(client, make_user, make_review, published):
    for role in ("practitioner", "subgroup_member"):
        client.post("/sign-out")
        sign_in(client, make_user(role))
        assert client.get(f"/reviews/{published.id}/identifying-terms").status_code == 404
    client.post("/sign-out")
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    page = client.get(f"/reviews/{published.id}/identifying-terms").get_data(as_text=True)
    assert "Margaret Doyle" in page and "14 Larkspur Road" in page
    response = client.post(f"/reviews/{published.id}/identifying-terms",
                           data={"terms": "margaret doyle\nAdult A\n"})
    assert response.status_code == 303
    db.session.refresh(published)
    assert published.identifying_terms == [*TERMS, "Adult A"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 identifying term added" in page
    assert '"Adult A" appears in the victim pseudonym' in html.unescape(page)

    unpublished = make_review(identifying_terms=[])
    refused = client.post(f"/reviews/{unpublished.id}/identifying-terms",
                          data={"terms": "Adult A"})
    assert refused.status_code == 400
    assert "The victim pseudonym must not contain" in refused.get_data(as_text=True)
    db.session.refresh(unpublished)
    assert unpublished.identifying_terms == []
