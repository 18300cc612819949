"""Repeated recommendations on the pages: the section on a recommendation's page and the
/recommendations/repeats list, for each role."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.support.repeats import make_county

HUB_LINK = 'href="/recommendations/repeats">Repeated recommendations</a>'
CURRENT = 'href="/learning" aria-current="page"'


@pytest.fixture
def county(make_review):
    return make_county(make_review)


def page(client, user, path):
    sign_in(client, user)
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_the_recommendation_page_lists_similar_ones_in_other_reviews(client, make_user, county):
    manager = make_user("csp_manager", csps=["Watford", "Dacorum", "Broxbourne"])
    status, html = page(client, manager, f"/recommendations/{county['gp_watford'].id}")
    assert status == 200
    section = html.split('id="similar"')[1].split('id="progress"')[0]
    assert "Similar recommendations in other reviews" in html
    assert f'href="/recommendations/{county["gp_dacorum"].id}"' in section
    assert f'href="/recommendations/{county["gp_broxbourne"].id}"' in section
    assert "Very similar" in section and "Completed" in section
    assert "DHR-DACORUM-2021-01, recommendation 2.1" in section
    # the Broxbourne copy (word for word) comes before the Dacorum rewording
    assert section.index("DHR-BROXBOURNE") < section.index("DHR-DACORUM")
    for hidden in ("audit_dacorum", "dash_watford", "gp_hertsmere", "gp_hereford"):
        assert f'href="/recommendations/{county[hidden].id}"' not in section, hidden


def test_nothing_similar_is_said_plainly(client, make_user, county):
    manager = make_user("csp_manager", csps=["Broxbourne"])
    status, html = page(client, manager, f"/recommendations/{county['housing_broxbourne'].id}")
    assert status == 200
    assert "No recommendation in another review you can see says much the same thing." in html


def test_the_repeats_page_for_the_sub_group(client, make_user, county):
    status, html = page(client, make_user("subgroup_member"), "/recommendations/repeats")
    assert status == 200
    assert "<h1 class=\"govuk-heading-l\">Repeated recommendations</h1>" in html
    assert CURRENT in html  # the menu shows the page is under "Learning"
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)
    assert headings == ["Written 4 times, completed 1 time", "Written 2 times, completed 0 times"]
    assert "DHR-WATFORD-2019-01, recommendation 1.1" in html
    assert "2019 · GP/primary care" in html and "2022 · Police" in html
    assert f'href="/recommendations/{county["gp_hertsmere"].id}"' in html
    assert "DHR-HEREFORDSHIRE" not in html and "DHR-STEVENAGE" not in html
    assert "<script" not in html.split("</main>")[0].split('id="main-content"')[1]


def test_the_repeats_page_for_a_practitioner_is_published_only(client, make_user, county):
    status, html = page(client, make_user("practitioner"), "/recommendations/repeats")
    assert status == 200 and CURRENT in html
    assert "Only published reviews are included." in html
    assert "DHR-HERTSMERE" not in html and "Named GP lead" not in html
    assert f'href="/reviews/{county["gp_watford"].review_id}/published"' in html
    assert 'href="/recommendations/' not in html.replace(
        'href="/recommendations/repeats"', "")


@pytest.mark.parametrize("role, linked", [
    ("admin", True), ("coordinator", True), ("subgroup_member", True), ("csp_manager", True),
    ("practitioner", True), ("chair", False)])
def test_the_learning_page_links_it(client, make_user, role, linked):
    """Reached from the menu's "Learning" on the page each role lands on after signing in
    (practitioners: the search)."""
    sign_in(client, make_user(role))
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert 'href="/learning"' in response.get_data(as_text=True)
    assert (HUB_LINK in client.get("/learning").get_data(as_text=True)) is linked


def test_a_chair_sees_no_repeats_outside_their_reviews(client, make_user, county):
    status, html = page(client, make_user("chair"), "/recommendations/repeats")
    assert status == 200
    assert "No recommendation you can see is repeated in another review." in html
    assert "DHR-" not in html
