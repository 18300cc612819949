"""/recommendations: the tracker page for people (filters, counts, list, pages, downloads), and
the reopen form on a recommendation's page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from dhr.extensions import db
from dhr.web.templating import format_date
from learning.models import Recommendation
from tests.conftest import sign_in
from tests.support.tracker import SUPPORT, TODAY, build_scene


@pytest.fixture
def scene(make_review, make_user):
    return build_scene(make_review, make_user)


def page_as(client, user, query: str = "") -> str:
    sign_in(client, user)
    response = client.get(f"/recommendations{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """The list's rows, as the review references and numbers they show."""
    table = html.split('id="recommendations"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return re.findall(r'data-label="Number">([^<]+)<', body)


def test_the_page_lists_counts_and_links(client, make_user, scene):
    html = page_as(client, make_user("coordinator"))
    assert "<h1 class=\"govuk-heading-l\">Recommendation tracker</h1>" in html
    assert rows(html) == ["3.1", "1.1", "1.2", "2.1", "1.3", "3.2"]
    assert "Overdue by 100 days" in html and "Overdue by 5 days" in html
    assert f'href="/recommendations/{scene.recs["B1"].id}"' in html
    assert scene.watford.reference in html
    by_agency = html.split("By agency", 1)[1].split("</table>", 1)[0]
    police = by_agency.split(">Police</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">(\d+%?)</td>", police) == ["3", "2", "2", "1", "0", "33%"]
    by_csp = html.split("By CSP", 1)[1].split("</table>", 1)[0]
    assert ">Dacorum</th>" in by_csp and ">25%</td>" in by_csp
    # In the service navigation, marked as the current page.
    assert 'href="/recommendations" aria-current="page"' in html


def test_filters_from_the_form(client, make_user, scene):
    user = make_user("admin")
    assert rows(page_as(client, user, "?agency=police&status=open")) == ["3.1", "1.1"]
    assert rows(page_as(client, user, "?overdue=true&csp=Dacorum")) == ["1.1", "1.2"]
    html = page_as(client, user, "?theme=routine_enquiry&year=&level=")
    assert rows(html) == ["3.1", "1.2"]
    assert '<option value="routine_enquiry" selected>' in html  # the choice stays selected
    due = TODAY - timedelta(days=20)
    query = f"?due_before-day={due.day}&due_before-month={due.month}&due_before-year={due.year}"
    assert rows(page_as(client, user, query)) == ["3.1", "1.1", "1.3"]
    # A link with the ISO date (from the pages or the API) fills the three boxes.
    html = page_as(client, user, f"?due_before={due.isoformat()}")
    assert f'name="due_before-year" type="text" inputmode="numeric" value="{due.year}"' in html


@pytest.mark.parametrize(("query", "message"), [
    ("?status=ongoing", "Input should be"),
    ("?due_before-day=31&due_before-month=2&due_before-year=2025", "must be a real date"),
    ("?agency=unicorns", "unknown agency: unicorns"),
])
def test_bad_filters_show_an_error_summary(client, make_user, scene, query, message):
    sign_in(client, make_user("admin"))
    response = client.get(f"/recommendations{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'id="recommendations"' not in html


def test_pagination_links_keep_the_filters(client, make_user, scene):
    html = page_as(client, make_user("admin"), "?per_page=2&page=2&agency=police")
    assert 'class="govuk-pagination"' in html
    links = html.split('class="govuk-pagination"', 1)[1]
    assert "agency=police" in links and "per_page=2" in links
    assert 'aria-label="Page 2" aria-current="page">2</a>' in links
    assert rows(html) == ["1.3"]


def test_practitioners_see_published_recommendations_without_due_dates_or_owners(
        client, make_user, scene):
    html = page_as(client, make_user("practitioner"))
    assert rows(html) == ["3.1", "3.2"]
    assert SUPPORT in html and scene.dacorum.reference not in html
    assert "Named officer" not in html and "Overdue by" not in html
    assert 'name="overdue"' not in html and "due_before-day" not in html
    assert f'href="/reviews/{scene.watford.id}/published"' in html


def test_csp_manager_of_another_csp_sees_none_of_this_csps(client, make_user, scene):
    html = page_as(client, make_user("csp_manager", csps=["Stevenage"]))
    assert rows(html) == [] and "No recommendations match." in html
    assert scene.watford.reference not in html and scene.dacorum.reference not in html


def test_anonymous_visitors_are_sent_to_sign_in(client, scene):
    for path in ("/recommendations", "/recommendations/export?format=csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_download_links_carry_the_filters(client, make_user, scene):
    html = page_as(client, make_user("admin"), "?csp=Watford")
    link = re.search(r'href="(/recommendations/export\?[^"]*format=csv[^"]*)"', html).group(1)
    assert "csp=Watford" in link
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    exported = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["Number"] for r in exported] == ["3.1", "3.2"]
    xlsx = client.get("/recommendations/export?format=xlsx&csp=Watford")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    assert client.get("/recommendations/export?format=pdf").status_code == 400


def test_the_subgroup_reopens_from_the_recommendation_page(client, make_user, scene):
    item = scene.recs["A3"]
    sign_in(client, make_user("subgroup_member"))
    page = client.get(f"/recommendations/{item.id}").get_data(as_text=True)
    assert "Reopen the recommendation" in page
    refused = client.post(f"/recommendations/{item.id}/reopen", data={"reason": ""})
    assert refused.status_code == 400
    assert "Enter why the recommendation is reopened" in refused.get_data(as_text=True)
    done = client.post(f"/recommendations/{item.id}/reopen",
                       data={"reason": "Training had lapsed"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Recommendation 1.3 reopened." in html
    assert "Reason: Training had lapsed" in html
    assert f"It had been completed on {format_date(TODAY - timedelta(days=10))}" in html
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == "open"


def test_a_csp_manager_gets_no_reopen_button_and_is_refused(client, make_user, scene):
    item = scene.recs["A3"]
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    assert "Reopen the recommendation" not in client.get(
        f"/recommendations/{item.id}").get_data(as_text=True)
    assert client.post(f"/recommendations/{item.id}/reopen",
                       data={"reason": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Recommendation, item.id).status == "completed"
