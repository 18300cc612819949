"""The themes page: how often each theme appears, by year and CSP, each count a link to the
tracker filtered to exactly the recommendations behind it (and the numbers agree)."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import sign_in
from tests.support.tracker import build_scene

LINK = re.compile(r'<a class="govuk-link" href="(/recommendations\?[^"]+)">(\d+)<span')


@pytest.fixture
def scene(make_review, make_user):
    return build_scene(make_review, make_user)


def _links(html: str) -> list[tuple[str, int]]:
    return [(html_lib.unescape(href), int(n)) for href, n in LINK.findall(html)]


@pytest.mark.parametrize("role", ["subgroup_member", "practitioner"])
def test_every_count_matches_the_tracker_it_links_to(client, make_user, api_as, scene, role):
    user = make_user(role)
    sign_in(client, user)
    page = client.get("/themes")
    assert page.status_code == 200
    links = _links(page.get_data(as_text=True))
    assert links
    api = api_as(user)
    for href, count in links:
        query = urlsplit(href).query
        assert api.get(f"/recommendations?{query}").json["total"] == count, href
        tracker = client.get(href).get_data(as_text=True)
        assert f"{count} recommendation" in tracker, href


def test_counts_by_year_and_csp(client, make_user, scene):
    sign_in(client, make_user("subgroup_member"))
    links = dict(_links(client.get("/themes").get_data(as_text=True)))
    assert links["/recommendations?theme=routine_enquiry"] == 2
    assert links["/recommendations?theme=routine_enquiry&year=2022"] == 1
    assert links["/recommendations?theme=routine_enquiry&year=2023"] == 1
    assert links["/recommendations?theme=routine_enquiry&csp=Watford"] == 1
    assert links["/recommendations?theme=information_sharing&csp=Dacorum"] == 1
    filtered = dict(_links(client.get("/themes?csp=Dacorum").get_data(as_text=True)))
    assert filtered["/recommendations?csp=Dacorum&theme=routine_enquiry"] == 1
    assert not any("Watford" in href for href in filtered)


def test_practitioners_count_published_recommendations_only(client, make_user, scene):
    sign_in(client, make_user("practitioner"))
    links = dict(_links(client.get("/themes").get_data(as_text=True)))
    assert links == {"/recommendations?theme=routine_enquiry&year=2022": 1,
                     "/recommendations?theme=routine_enquiry": 1,
                     "/recommendations?theme=routine_enquiry&csp=Watford": 1}


@pytest.mark.parametrize(("query", "field"), [("csp=Atlantis", "csp"), ("year=20x", "year")])
def test_bad_filters_are_form_errors(client, make_user, scene, query, field):
    sign_in(client, make_user("subgroup_member"))
    response = client.get(f"/themes?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'href="#filter-{field}"' in html and f'id="filter-{field}-error"' in html
