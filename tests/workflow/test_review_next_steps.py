"""'What you can do next' leads with what can be done now (issue 13, finding 5), and a paused
review offers nothing the pause forbids, nor does the server accept it (finding 7)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import AgencyRequest, DocumentVersion
from learning.models import Recommendation
from tests.conftest import sign_in
from tests.support.workflow import pool_member, put_in_state


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _steps(page: str) -> list[tuple[str, str]]:
    """(label, href) of each step under 'What you can do next', in order."""
    section = page[page.index('id="next-steps"'):]
    section = section[:section.index("<h2", 1)]  # up to the next section
    return [(label, href) for href, label in re.findall(
        r'<a href="([^"]+)" role="button"[^>]*>([^<]+)</a>', section)]


def test_at_the_imr_stage_requesting_information_comes_first(client, make_user, make_review,
                                                              admin):
    review = put_in_state(make_review(), "information_gathering", admin, chair=pool_member(),
                          review_items=False)
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    labels = [label for label, _ in _steps(page)]
    assert labels[0] == "Request information from an agency"
    assert labels.index("Complete information gathering") > 0
    assert labels[-1] == "Pause the review"
    blocked = page[page.index('id="waiting-steps"'):]
    assert "No agency has been asked for an IMR" in blocked
    task = re.search(r'govuk-task-list__link" href="([^"]+)"[^>]*>Gather information', page)
    assert task.group(1) == f"/reviews/{review.id}/requests/new"


def test_the_sub_group_local_qa_link_opens_the_qa_decision(client, make_user, make_review,
                                                           admin):
    review = put_in_state(make_review(), "local_qa", admin, chair=pool_member())
    sign_in(client, make_user("subgroup_member"))
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    task = re.search(r'govuk-task-list__link" href="([^"]+)"[^>]*>Local quality assurance', page)
    assert task.group(1) == f"/reviews/{review.id}/events/approve_local_qa"
    labels = [label for label, _ in _steps(page)]
    assert labels == ["Approve after local quality assurance", "Return the report to the chair"]


def test_a_paused_review_offers_and_accepts_nothing_but_resuming(client, make_user,
                                                                  make_review, admin):
    review = put_in_state(make_review(), "drafting", admin, chair=pool_member())
    manager = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, manager)
    paused = client.post(f"/reviews/{review.id}/events/pause", data={
        "reason": "criminal_trial", "date": "2024-06-01",
        "expected_version": str(review.lock_version)})
    assert paused.status_code == 303
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Nothing else can happen until the review is resumed" in page
    assert [label for label, _ in _steps(page)] == ["Resume the review"]
    for offer in (">Change<", "Request information from an agency", "Add a recommendation",
                  "Write or upload<"):
        assert offer not in page, offer
    before = {model: db.session.scalar(select(func.count()).select_from(model))
              for model in (AgencyRequest, DocumentVersion, Recommendation)}
    refused = [
        client.post(f"/reviews/{review.id}/requests/new",
                    data={"agency": "police", "kind": "imr"}),
        client.post(f"/reviews/{review.id}/documents/overview_report",
                    data={"body": "# Overview\n\nNew text.", "base_version": "1"}),
        client.post(f"/reviews/{review.id}/recommendations/new", data={
            "number": "9.1", "text": "Ask about abuse.", "level": "local",
            "agency": "police"}),
    ]
    for response in refused:
        assert response.status_code in {400, 409}, response.status_code
        assert "The review is paused" in response.get_data(as_text=True)
    db.session.expire_all()
    after = {model: db.session.scalar(select(func.count()).select_from(model))
             for model in (AgencyRequest, DocumentVersion, Recommendation)}
    assert after == before
