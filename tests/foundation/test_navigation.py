"""The service menu: short for every role (learning and administration pages behind a page
each), every link it offers opens for that role, the hub pages offer only what the role may
open, and the current page is marked for screen readers."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROLES_ALL, sign_in

MENU_LINK = re.compile(r'<a class="govuk-service-navigation__link" href="([^"]+)"[^>]*>')
HUB_LINK = re.compile(r'<h2 class="govuk-heading-m[^"]*"><a class="govuk-link" href="([^"]+)"')


def menu(client) -> list[str]:
    """The menu's links on the page the user lands on after signing in."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    navigation = page.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    return MENU_LINK.findall(navigation)


def account_links(client) -> list[str]:
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    bar = page.split('class="dhr-account-links"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<a class="govuk-link[^"]*" href="([^"]+)"', bar)


@pytest.mark.parametrize("role", ROLES_ALL)
def test_every_role_gets_a_short_menu_whose_every_link_opens(client, make_user, role):
    sign_in(client, make_user(role))
    links = menu(client)
    assert 3 <= len(links) <= 6, links
    assert account_links(client) == ["/notifications", "/account"]
    for href in links + account_links(client):
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(("role", "hub", "expected"), [
    ("admin", "/administration", ["/users", "/imports", "/vocabularies", "/audit"]),
    ("coordinator", "/administration", ["/users", "/imports"]),
    ("practitioner", "/learning", ["/recommendations/repeats", "/themes", "/stats/annual"]),
    ("chair", "/learning", ["/stats/annual"]),
])
def test_a_hub_page_offers_only_what_the_role_may_open(client, make_user, role, hub,
                                                       expected):
    sign_in(client, make_user(role))
    assert hub in menu(client)
    links = HUB_LINK.findall(client.get(hub).get_data(as_text=True))
    assert links == expected
    for href in links:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("role", ["csp_manager", "subgroup_member", "chair", "practitioner"])
def test_administration_is_neither_offered_nor_open_to_other_roles(client, make_user, role):
    sign_in(client, make_user(role))
    assert "/administration" not in menu(client)
    assert client.get("/administration").status_code == 403


def test_the_menu_marks_the_section_of_the_current_page(client, make_user):
    sign_in(client, make_user("admin"))
    page = client.get("/vocabularies").get_data(as_text=True)
    current = re.findall(r'href="([^"]+)" aria-current="page"', page)
    assert current == ["/administration"]
    page = client.get("/reviews").get_data(as_text=True)
    assert re.findall(r'href="([^"]+)" aria-current="page"', page) == ["/reviews"]
