"""The review-page partials and the published view: each role sees only what it may."""

from __future__ import annotations

import pytest
from flask import g, render_template

from dhr.extensions import db
from dhr.workflow import agency_requests as request_ops
from dhr.workflow import documents
from learning import recommendations as recs
from tests.conftest import sign_in


@pytest.fixture
def full_review(make_review, make_user):
    """A review with every kind of document, a request and a recommendation."""
    admin = make_user("admin")
    review = make_review(identifying_terms=["Jane Realname"])
    review.state = "drafting"
    db.session.commit()
    for kind, body in [("terms_of_reference", "ToR text"),
                       ("overview_report", "Draft overview naming Jane Realname"),
                       ("overview_report", "# Overview\n\nAdult A was known to **housing**."),
                       ("executive_summary", "Summary for publication"),
                       ("action_plan", "Plan"), ("ho_letter", "Letter from the panel")]:
        documents.save_markdown(review, kind, body, admin)
    request_ops.create_request(review, admin, agency="police", kind="imr")
    recs.create_recommendation(review, admin, {
        "number": "4.1", "text": "Housing should ask about abuse at every tenancy visit.",
        "level": "local", "agency": "housing", "themes": ["housing_and_homelessness"]})
    db.session.commit()
    return review


def render_partials(app, user, review) -> str:
    with app.test_request_context():
        g.user = user
        return "".join(render_template(f"reviews/_{name}.html", review=review)
                       for name in ("documents", "agency_requests", "recommendations"))


def test_insiders_see_documents_requests_and_recommendations(app, make_user, full_review):
    html = render_partials(app, make_user("csp_manager", csps=["Dacorum"]), full_review)
    assert "Terms of reference" in html and "Home Office letter" in html
    assert "Version 2" in html  # the overview report
    assert "Information from agencies" in html and "Police" in html
    assert "Request information from an agency" in html
    assert "4.1" in html and "Add a recommendation" in html


def test_subgroup_sees_but_cannot_act(app, make_user, full_review):
    html = render_partials(app, make_user("subgroup_member"), full_review)
    assert "Police" in html
    assert "Request information from an agency" not in html
    assert "Add a recommendation" not in html
    assert "Write or upload" not in html and "Change" not in html


def test_practitioner_sees_nothing_before_publication(app, make_user, full_review):
    assert render_partials(app, make_user("practitioner"), full_review).strip() == ""


def test_practitioner_sees_only_published_material(app, make_user, full_review):
    full_review.state = "published"
    db.session.commit()
    html = render_partials(app, make_user("practitioner"), full_review)
    assert "Read the executive summary, overview report and recommendations" in html
    assert "Housing should ask about abuse" in html
    for hidden in ("Police", "Terms of reference", "Home Office letter", "agencies",
                   "Version", "Add a recommendation"):
        assert hidden not in html


def test_the_anonymisation_check_is_shown_to_editors_before_publication(
        app, make_user, full_review):
    full_review.state = "publication_pending"
    db.session.commit()
    manager = make_user("csp_manager", csps=["Dacorum"])
    assert "Passed" in render_partials(app, manager, full_review)
    documents.save_markdown(full_review, "executive_summary", "About Jane Realname.",
                            make_user("admin"))
    db.session.commit()
    html = render_partials(app, manager, full_review)
    assert "Restricted identifying terms were found" in html
    assert "appears in the executive summary (version 2)" in html
    subgroup_html = render_partials(app, make_user("subgroup_member"), full_review)
    assert "Jane Realname" not in subgroup_html  # only editors see the terms


def test_the_published_page_for_practitioners(client, make_user, full_review):
    full_review.state = "published"
    full_review.published_url = "https://www.dacorum.gov.uk/dhr-adult-a"
    db.session.commit()
    sign_in(client, make_user("practitioner"))
    response = client.get(f"/reviews/{full_review.id}/published")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Summary for publication" in page
    assert "<strong>housing</strong>" in page  # the latest overview report, rendered
    assert "Housing should ask about abuse at every tenancy visit." in page
    assert "Housing and homelessness" in page
    for never in ("Jane Realname", "Letter from the panel", "ToR text", "Draft overview",
                  "Police", "History"):
        assert never not in page


def test_no_published_page_before_publication_or_when_withheld(client, make_user, full_review):
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    assert client.get(f"/reviews/{full_review.id}/published").status_code == 404
    full_review.state, full_review.is_withheld = "published", True
    db.session.commit()
    assert client.get(f"/reviews/{full_review.id}/published").status_code == 404
    client.post("/sign-out")
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{full_review.id}/published").status_code == 404


def test_the_review_page_includes_the_partials(client, make_user, full_review):
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    page = client.get(f"/reviews/{full_review.id}").get_data(as_text=True)
    assert 'id="documents"' in page
    assert 'id="agency-requests"' in page
    assert 'id="recommendations"' in page


def test_the_published_api_gives_the_same_view(api_as, full_review):
    practitioner = api_as("practitioner")
    assert practitioner.get(f"/reviews/{full_review.id}/published").status_code == 404
    full_review.state = "published"
    db.session.commit()
    for role in ("practitioner", "csp_manager"):
        response = api_as(role).get(f"/reviews/{full_review.id}/published")
        assert response.status_code == 200, response.json
        body = response.json
        assert body["executive_summary"]["body"] == "Summary for publication"
        assert body["overview_report"]["version"] == 2
        assert [v["version"] for v in body["overview_report"]["versions"]] == [2]
        [item] = body["recommendations"]
        assert item["number"] == "4.1" and item["updates"] is None and item["owner"] is None
        text = str(body)
        for never in ("Jane Realname", "Letter from the panel", "ToR text", "identifying",
                      "history", "Police"):
            assert never not in text, (role, never)
