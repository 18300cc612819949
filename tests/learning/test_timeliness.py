"""Timeliness (GET /api/v1/stats/timeliness and the stats page), checked by hand on four reviews.

Dacorum, died 2023:
  R1 notified 10 Jan, decided 5 Feb (due 10 Feb: met), chair 7 Mar, submitted 1 Jul (due 5 Aug:
     met), Home Office letter 1 Sep, published 1 Oct.
  R2 notified 1 Mar, decided 15 Apr (due 1 Apr: missed), chair 15 May, submitted 15 Jan 2024
     (due 15 Oct: missed; plus 100 days paused, due 23 Jan 2024: met).
  R3 notified 1 Jun, never decided: late (due 1 Jul).
Watford, died 2023: R4 notified 1 Feb, decided 20 Feb (met), not submitted (due 20 Aug: late).
"""

from __future__ import annotations

from datetime import date

import pytest

from dhr.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def reviews(make_review):
    def review(csp, notified, state, **fields):
        made = make_review(csp=csp, date_of_death=date(2023, 1, 1), notification_date=notified)
        made.state = state
        for name, value in fields.items():
            setattr(made, name, value)
        return made

    review("Dacorum", date(2023, 1, 10), "published", decision_date=date(2023, 2, 5),
           chair_appointed_date=date(2023, 3, 7), submitted_date=date(2023, 7, 1),
           ho_letter_date=date(2023, 9, 1), published_date=date(2023, 10, 1))
    review("Dacorum", date(2023, 3, 1), "home_office_qa", decision_date=date(2023, 4, 15),
           chair_appointed_date=date(2023, 5, 15), submitted_date=date(2024, 1, 15),
           paused_days=100)
    review("Dacorum", date(2023, 6, 1), "notified")
    review("Watford", date(2023, 2, 1), "drafting", decision_date=date(2023, 2, 20))
    db.session.commit()


def test_shares_and_medians_by_csp_and_year(api_as, reviews):
    body = api_as("coordinator").get("/stats/timeliness").json
    dacorum, watford = body["rows"]
    assert (dacorum["csp"], dacorum["year"], dacorum["reviews"]) == ("Dacorum", 2023, 3)
    assert dacorum["decided_within_a_month"] == {
        "met": 1, "missed": 1, "late": 1, "on_time": 0, "share": 0.333}
    assert dacorum["submitted_within_six_months"]["share"] == 0.5
    assert dacorum["submitted_within_six_months_plus_paused"]["share"] == 1.0
    assert dacorum["median_days"]["notification_to_decision"] == 35.5  # 26 and 45 days
    assert dacorum["median_days"]["decision_to_chair"] == 30
    assert dacorum["median_days"]["decision_to_submission"] == (146 + 275) / 2
    assert dacorum["median_days"]["outcome_to_publication"] == 30
    assert dacorum["median_days"]["chair_to_terms"] is None
    assert watford["decided_within_a_month"]["share"] == 1.0
    assert watford["submitted_within_six_months"] == {
        "met": 0, "missed": 0, "late": 1, "on_time": 0, "share": 0.0}
    totals = body["totals"]
    assert totals["reviews"] == 4 and totals["decided_within_a_month"]["share"] == 0.5


def test_filters_and_permissions(api_as, reviews):
    admin = api_as("admin")
    assert [r["csp"] for r in admin.get("/stats/timeliness?csp=Watford").json["rows"]] == [
        "Watford"]
    assert admin.get("/stats/timeliness?year=2022").json["rows"] == []
    assert admin.get("/stats/timeliness?year=2023").json["totals"]["reviews"] == 4
    own = api_as("csp_manager", csps=["Watford"]).get("/stats/timeliness").json
    assert own["totals"]["reviews"] == 1
    published = api_as("practitioner").get("/stats/timeliness").json
    assert published["totals"]["reviews"] == 1  # R1 only


@pytest.mark.parametrize(("query", "field"), [
    ("csp=Atlantis", "csp"), ("year=twenty", "year"), ("year=99999", "year"),
    ("state=open", "state")])
def test_bad_input_is_400(api_as, reviews, query, field):
    response = api_as("admin").get(f"/stats/timeliness?{query}")
    assert response.status_code == 400 and field in response.json["error"]["details"]


def test_the_stats_page_shows_timeliness(client, make_user, reviews):
    sign_in(client, make_user("subgroup_member"))
    html = client.get("/stats/annual").get_data(as_text=True)
    assert 'id="timeliness"' in html
    assert "Decided within a month" in html and "33%" in html and "35.5" in html
