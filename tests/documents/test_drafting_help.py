"""Drafting help: the terms of reference started from the review's facts when empty (the
pseudonym only, never an identifying term), a Markdown preview that saves nothing, and the
agencies recorded at notification ticked on the panel form."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import DocumentVersion
from dhr.workflow.documents import save_markdown
from tests.conftest import sign_in
from tests.support.workflow import put_in_state


@pytest.fixture
def review(make_review, make_user):
    created = make_review(victim_pseudonym="Adult A", agencies=["police", "housing"],
                          identifying_terms=["Jane Realname", "12 Orchard Close"])
    return put_in_state(created, "panel_and_scope", make_user("admin"), review_items=False)


@pytest.fixture
def manager(client, make_user):
    user = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, user)
    return user


def textarea(page: str) -> str:
    found = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no text box on the page"
    return unescape(found.group(1)).removeprefix("\r\n")


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(DocumentVersion))


def test_empty_terms_of_reference_start_from_the_reviews_facts(client, manager, review):
    page = client.get(f"/reviews/{review.id}/documents/terms_of_reference").get_data(
        as_text=True)
    draft = textarea(page)
    assert "# Terms of reference" in draft
    assert "* Police\n* Housing" in draft  # the agencies in scope, by name
    death = review.date_of_death
    assert f"to {death.strftime('%B %Y')}" in draft  # the period under review
    assert f"from {death.strftime('%B')} {death.year - 5}" in draft
    assert "Adult A" in draft and "Dacorum" in draft
    for term in ("Jane", "Realname", "Orchard"):
        assert term not in draft
    assert 'id="drafted"' in page
    assert versions() == 0  # offered, not saved


def test_a_pseudonym_holding_an_identifying_term_is_not_used(client, manager, review):
    review.victim_pseudonym = "Jane"
    db.session.commit()
    draft = textarea(client.get(
        f"/reviews/{review.id}/documents/terms_of_reference").get_data(as_text=True))
    assert "Jane" not in draft and "the person who died" in draft


def test_no_template_once_saved_nor_for_other_documents(client, manager, review):
    save_markdown(review, "terms_of_reference", "Our own terms.", manager)
    db.session.commit()
    page = client.get(f"/reviews/{review.id}/documents/terms_of_reference").get_data(
        as_text=True)
    assert textarea(page) == "Our own terms." and 'id="drafted"' not in page
    other = client.get(f"/reviews/{review.id}/documents/overview_report").get_data(as_text=True)
    assert textarea(other) == ""


def test_preview_renders_the_markdown_safely_and_saves_nothing(client, manager, review):
    text = "## Scope\n\n**Police** and <script>alert(1)</script> [x](javascript:alert(1))"
    response = client.post(f"/reviews/{review.id}/documents/terms_of_reference/preview",
                           data={"body": text, "base_version": "0"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    preview = page.split('id="preview"', 1)[1].split("<form", 1)[0]
    assert '<h3 class="govuk-heading-s">Scope</h3>' in preview
    assert "<strong>Police</strong>" in preview
    assert "&lt;script&gt;" in preview and "<script" not in preview  # shown, never run
    assert 'href="javascript' not in preview
    assert textarea(page) == text  # the text stays in the box
    assert versions() == 0


def test_preview_of_nothing_is_a_form_error(client, manager, review):
    response = client.post(f"/reviews/{review.id}/documents/terms_of_reference/preview",
                           data={"body": "", "base_version": "0"})
    assert response.status_code == 400
    assert "Enter the text of the document" in response.get_data(as_text=True)


def test_preview_needs_the_right_to_write(client, make_user, review):
    sign_in(client, make_user("subgroup_member"))
    url = f"/reviews/{review.id}/documents/terms_of_reference/preview"
    assert client.post(url, data={"body": "x"}).status_code == 403
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    assert client.post(url, data={"body": "x"}).status_code == 404


def test_agencies_recorded_at_notification_are_ticked_for_the_panel(client, manager, review):
    page = client.get(f"/reviews/{review.id}/events/agree_terms_of_reference").get_data(
        as_text=True)
    ticked = set(re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|'
                            r'<input[^>]*value="([^"]+)"[^>]*checked', page))
    values = {a or b for a, b in ticked}
    assert {"police", "housing"} <= values
    assert "idva_service" not in values
