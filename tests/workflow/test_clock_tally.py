"""How reviews stand against each statutory clock, and the dashboard that counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dhr.extensions import db
from dhr.workflow.clocks import add_months, clocks_for, tally_clocks
from tests.conftest import sign_in

TODAY = date(2026, 11, 23)


def set_fields(review, **fields):
    for name, value in fields.items():
        setattr(review, name, value)
    db.session.commit()
    return review


@pytest.mark.parametrize("notified, decided, outcome", [
    (date(2024, 1, 31), date(2024, 2, 29), "met"),   # due 29 Feb in a leap year
    (date(2024, 1, 31), date(2024, 3, 1), "missed"),
    (date(2023, 1, 31), date(2023, 2, 28), "met"),   # due 28 Feb otherwise
])
def test_the_decision_clock_is_met_on_or_before_a_month(app, make_review, notified, decided,
                                                        outcome):
    review = set_fields(make_review(notification_date=notified, date_of_death=notified),
                        state="chair_appointment", decision_date=decided)
    assert clocks_for(review, TODAY).decision == outcome


def test_an_undecided_review_is_on_time_then_late_by_the_days_past_due(app, make_review):
    review = make_review(notification_date=date(2026, 10, 31), date_of_death=date(2026, 10, 30))
    assert clocks_for(review, date(2026, 11, 30)).decision == "on_time"
    late = clocks_for(review, date(2026, 12, 3))
    assert (late.decision, late.days_late, late.overdue) == ("late", 3, True)
    assert clocks_for(review, TODAY).statutory is None  # not started before a decision


def test_a_pause_can_turn_a_missed_statutory_clock_into_a_met_adjusted_one(app, make_review):
    review = set_fields(make_review(), state="home_office_qa", decision_date=date(2024, 3, 1),
                        paused_days=40, submitted_date=date(2024, 9, 20))
    clocks = clocks_for(review, TODAY)
    assert (clocks.statutory_due, clocks.adjusted_due) == (date(2024, 9, 1), date(2024, 10, 11))
    assert (clocks.statutory, clocks.adjusted) == ("missed", "met")
    assert clocks.days_late == 0  # submitted: no longer running


def test_a_withdrawn_review_without_a_decision_counts_for_no_clock(app, make_review):
    review = set_fields(make_review(), state="withdrawn")
    clocks = clocks_for(review, TODAY)
    assert (clocks.decision, clocks.statutory, clocks.adjusted) == (None, None, None)


def test_tallies_count_each_outcome(app, make_review):
    reviews = [
        set_fields(make_review(), state="drafting", decision_date=date(2024, 2, 20)),
        set_fields(make_review(), state="published", decision_date=date(2024, 3, 20),
                   submitted_date=date(2024, 8, 1)),
        make_review(notification_date=TODAY - timedelta(days=3),
                    date_of_death=TODAY - timedelta(days=5)),
    ]
    decision, statutory, adjusted = tally_clocks([clocks_for(r, TODAY) for r in reviews])
    assert "Decision within 1 month" in decision.label
    assert (decision.met, decision.missed, decision.on_time, decision.late) == (1, 1, 1, 0)
    assert (statutory.met, statutory.missed, statutory.on_time, statutory.late) == (1, 0, 0, 1)
    assert adjusted.counted == 2


def test_the_dashboard_shows_the_tallies_and_sorts_by_lateness(client, make_user, make_review):
    today = date.today()
    make_review(victim_pseudonym="Adult On-time",
                          notification_date=today - timedelta(days=2),
                          date_of_death=today - timedelta(days=4))
    a_bit_late = make_review(victim_pseudonym="Adult Late",
                             notification_date=today - timedelta(days=40),
                             date_of_death=today - timedelta(days=41))
    very_late = set_fields(make_review(victim_pseudonym="Adult Very-late",
                                       notification_date=today - timedelta(days=400),
                                       date_of_death=today - timedelta(days=401)),
                           state="drafting", decision_date=today - timedelta(days=380))
    sign_in(client, make_user("coordinator"))

    page = client.get("/reviews?sort=lateness").get_data(as_text=True)
    order = [page.index(f"Adult {name}") for name in ("Very-late", "Late", "On-time")]
    assert order == sorted(order)
    very_late_days = (today - add_months(very_late.decision_date, 6)).days
    a_bit_late_days = (today - add_months(a_bit_late.notification_date, 1)).days
    assert f"Overdue by {very_late_days} days" in page
    assert f"Overdue by {a_bit_late_days} days" in page
    tally = page[page.index('id="clock-tally"'):page.index("</table>", page.index("clock-tally"))]
    assert "Decision within 1 month of notification" in tally
    cells = [line.strip() for line in tally.splitlines() if "numeric" in line and "<td" in line]
    decision_counts = [cell.split(">")[1].split("<")[0] for cell in cells[:4]]
    assert decision_counts == ["1", "0", "1", "1"]  # met, missed, on time, late
    assert "Overdue by" not in page[page.index("Adult On-time"):]

    newest_first = client.get("/reviews").get_data(as_text=True)
    assert newest_first.index("Adult On-time") < newest_first.index("Adult Very-late")


def test_an_unknown_sort_falls_back_to_newest_first(client, make_user, make_review):
    make_review()
    sign_in(client, make_user("coordinator"))
    response = client.get("/reviews?sort=%27;drop")
    assert response.status_code == 200
    assert '<option value="notified" selected>' in response.get_data(as_text=True)


def test_a_submitted_review_shows_when_it_went_to_the_home_office(client, make_user,
                                                                   make_review):
    set_fields(make_review(victim_pseudonym="Adult Late"), state="published",
               decision_date=date(2024, 3, 1), submitted_date=date(2025, 1, 10))
    set_fields(make_review(victim_pseudonym="Adult Paused"), state="home_office_qa",
               decision_date=date(2024, 3, 1), paused_days=60, submitted_date=date(2024, 10, 1))
    sign_in(client, make_user("coordinator"))
    page = client.get("/reviews").get_data(as_text=True)
    assert "Submitted 10 January 2025 (late)" in page
    assert "Submitted 1 October 2024 (within the pause-adjusted date)" in page
