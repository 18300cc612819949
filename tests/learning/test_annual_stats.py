"""The annual table of seed 001 (GET /api/v1/stats/annual and /stats/annual), computed from the
records by calendar year of death, with a totals row added up from the rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dhr.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def reviews(make_review):
    def held(state, csp, died, **fields):
        review = make_review(csp=csp, date_of_death=died, notification_date=died, **fields)
        review.state = state
        return review

    made = [
        held("drafting", "Dacorum", date(2012, 3, 1), deceased_16_plus=1, children_under_16=2),
        held("published", "Watford", date(2012, 9, 1), review_type="proportionate",
             deceased_16_plus=2, children_under_16=0, death_type="homicide_suicide"),
        held("closed", "Dacorum", date(2014, 5, 1), deceased_16_plus=1, children_under_16=3),
        held("notified", "Stevenage", date(2014, 6, 1)),  # not yet decided: not held
        held("withdrawn", "Watford", date(2013, 1, 1)),  # merged into another review
    ]
    db.session.commit()
    return made


def test_rows_by_calendar_year_and_totals_summed_from_them(api_as, reviews):
    body = api_as("coordinator").get("/stats/annual").json
    assert [r["year"] for r in body["rows"]] == [2012, 2014]
    first = body["rows"][0]
    assert (first["reviews"], first["proportionate"], first["deceased_16_plus"],
            first["children_under_16"]) == (2, 1, 3, 2)
    assert first["csp_areas"] == ["Dacorum", "Watford"]
    assert first["death_types"] == {"intimate_partner_homicide": 1, "homicide_suicide": 1}
    totals = body["totals"]
    assert (totals["reviews"], totals["deceased_16_plus"], totals["children_under_16"]) == (
        3, 4, 5)
    assert totals["children_under_16"] == sum(r["children_under_16"] for r in body["rows"])
    assert totals["csp_areas"] == ["Dacorum", "Watford", "Dacorum"]


def test_filtered_by_csp_and_by_what_the_caller_may_see(api_as, reviews):
    dacorum = api_as("admin").get("/stats/annual?csp=Dacorum").json
    assert [(r["year"], r["reviews"]) for r in dacorum["rows"]] == [(2012, 1), (2014, 1)]
    watford = api_as("csp_manager", csps=["Watford"]).get("/stats/annual").json
    assert watford["totals"]["reviews"] == 1
    published = api_as("practitioner").get("/stats/annual").json  # published and closed only
    assert published["totals"]["csp_areas"] == ["Watford", "Dacorum"]


@pytest.mark.parametrize(("query", "field"), [
    ("csp=Atlantis", "csp"), ("format=pdf", "format"), ("year=2012", "year")])
def test_bad_input_is_400(api_as, reviews, query, field):
    response = api_as("admin").get(f"/stats/annual?{query}")
    assert response.status_code == 400 and field in response.json["error"]["details"]


def test_csv_has_the_rows_and_the_totals(api_as, reviews):
    response = api_as("admin").get("/stats/annual?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert lines[0][:6] == ["Calendar year", "Reviews", "Proportionate", "Deceased (16+)",
                            "Children (under 16)", "CSP areas"]
    assert lines[1][:6] == ["2012", "2", "1", "3", "2", "Dacorum, Watford"]
    assert lines[-1][:5] == ["Total", "3", "1", "4", "5"]


def test_the_page_and_its_download(client, make_user, reviews):
    assert client.get("/api/v1/stats/annual").status_code == 401
    assert client.get("/stats/annual").status_code == 302
    sign_in(client, make_user("subgroup_member"))
    html = client.get("/stats/annual").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Reviews by year</h1>" in html
    assert ">2012</th>" in html and ">Total</th>" in html and "Dacorum, Watford" in html
    download = client.get("/stats/annual.csv?csp=Watford")
    assert download.status_code == 200 and b"Watford" in download.get_data()
    assert client.get("/stats/annual?csp=Atlantis").status_code == 400


def test_the_page_draws_a_chart_beside_the_table(client, make_user, reviews):
    """An SVG bar per year (drawn on the server, no script), full and proportionate stacked,
    with a title and a text summary; the table stays as the accessible alternative."""
    sign_in(client, make_user("subgroup_member"))
    html = client.get("/stats/annual").get_data(as_text=True)
    chart = html[html.index('<svg id="annual-chart"'):html.index("</svg>")]
    assert 'role="img"' in chart and 'aria-labelledby="annual-chart-title annual-chart-desc"' \
        in chart
    assert "from 2012 to 2014; the most, 2, in 2012" in chart
    assert chart.count('fill="#00703c"') == 2
    assert ">2012</text>" in chart and ">2014</text>" in chart
    assert html.index('id="annual-chart"') < html.index('id="annual"')
    empty = client.get("/stats/annual?csp=Stevenage").get_data(as_text=True)
    assert "annual-chart" not in empty  # nothing to draw
