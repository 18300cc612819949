"""Stored due dates and the clocks in SQL: the stored columns follow the clock rules, and the
SQL filter, lateness, sort key and tallies say what `clocks_for` says, review by review."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, true

from dhr.demo.demo import load_demo
from dhr.extensions import db
from dhr.models import AuditEntry, Review
from dhr.workflow.clock_sql import clock_sql, clock_tallies
from dhr.workflow.clocks import STORED_COLUMNS, clocks_for, due_dates, tally_clocks
from dhr.workflow.engine import send_event
from tests.conftest import sign_in


def stored(review: Review) -> dict[str, date | None]:
    return {name: getattr(review, column) for name, column in STORED_COLUMNS.items()}


def expected(review: Review) -> dict[str, date | None]:
    dues = due_dates(review)
    return {name: getattr(dues, name) for name in STORED_COLUMNS}


def days_to_check(reviews: list[Review]) -> list[date]:
    """Today, long before and after, and either side of every due date and pause start."""
    today = date.today()
    days = {today, today - timedelta(days=400), today + timedelta(days=400)}
    for review in reviews:
        for day in (*stored(review).values(), review.paused_since_date, review.submitted_date):
            if day is not None:
                days.update({day - timedelta(days=1), day, day + timedelta(days=1)})
    return sorted(days)


def sql_clocks(today: date) -> dict[int, tuple]:
    sql = clock_sql(today)
    rows = db.session.execute(select(
        Review.id, sql.overdue, sql.decision_overdue, sql.completion_overdue, sql.days_late,
        sql.due_in_days, sql.decision, sql.statutory, sql.adjusted))
    return {row[0]: tuple(row[1:]) for row in rows}


def python_clocks(review: Review, today: date) -> tuple:
    clocks = clocks_for(review, today)
    due_in = (clocks.next_due - today).days if clocks.next_due else None
    return (clocks.overdue, clocks.decision_overdue, clocks.completion_overdue, clocks.days_late,
            due_in, clocks.decision, clocks.statutory, clocks.adjusted)


def test_every_demo_review_stores_its_due_dates_and_sql_agrees_with_the_clock_rules(app):
    assert load_demo()
    db.session.commit()
    db.session.expire_all()  # read back what the database holds
    reviews = db.session.scalars(select(Review).order_by(Review.id)).all()
    # The demo must exercise the hard cases, or this test proves little.
    assert any(r.is_paused for r in reviews), "no review paused in the demo"
    assert any(r.paused_days and not r.is_paused for r in reviews), "no completed pause"
    assert any(r.submitted_date for r in reviews) and any(r.state == "notified" for r in reviews)

    for review in reviews:
        assert stored(review) == expected(review), review.reference
        clocks = clocks_for(review)
        assert (review.decision_due_date, review.statutory_due_date) == (
            clocks.decision_due, clocks.statutory_due), review.reference

    days = days_to_check(reviews)
    assert len(days) > 20
    for today in days:
        in_sql = sql_clocks(today)
        for review in reviews:
            assert in_sql[review.id] == python_clocks(review, today), (review.reference, today)
        assert clock_tallies([true()], today) == tally_clocks(
            [clocks_for(r, today) for r in reviews]), today
        sql = clock_sql(today)
        by_lateness = db.session.scalars(select(Review.id).order_by(
            sql.days_late.desc(), Review.notification_date.desc(), Review.id.desc())).all()
        newest_first = sorted(reviews, key=lambda r: (r.notification_date, r.id), reverse=True)
        assert by_lateness == [r.id for r in sorted(
            newest_first, key=lambda r: clocks_for(r, today).days_late, reverse=True)], today
        by_due = db.session.scalars(select(Review.id).order_by(
            sql.due_in_days.asc().nulls_last(), Review.notification_date.desc(),
            Review.id.desc())).all()
        assert by_due == [r.id for r in sorted(
            newest_first, key=lambda r: clocks_for(r, today).next_due or date.max)], today


def test_a_lifecycle_event_moves_the_stored_dates(app, make_user, make_review):
    """The engine writes the state with an UPDATE statement; the dates follow all the same."""
    review = make_review(notification_date=date(2026, 1, 10), date_of_death=date(2026, 1, 8))
    assert (review.decision_due_date, review.statutory_due_date) == (date(2026, 2, 10), None)
    assert review.next_due_date == date(2026, 2, 10)
    send_event(review, make_user("csp_manager"), "decide_to_review", {
        "decision_date": "2026-01-31", "rationale": "Intimate partner homicide.",
        "ho_informed_date": "2026-02-02"})
    db.session.commit()
    db.session.expire_all()
    assert review.state == "chair_appointment"
    assert (review.statutory_due_date, review.adjusted_due_date, review.next_due_date) == (
        date(2026, 7, 31), date(2026, 7, 31), date(2026, 7, 31))


def test_a_new_review_gets_its_dates_before_its_first_insert(app, make_review):
    review = make_review(notification_date=date(2024, 1, 31), date_of_death=date(2024, 1, 30))
    db.session.expire_all()
    assert (review.decision_due_date, review.next_due_date) == (date(2024, 2, 29),
                                                                date(2024, 2, 29))


def test_recompute_rewrites_the_dates_after_a_setting_changes_and_audits_each(app,
                                                                             make_review):
    review = make_review(notification_date=date(2025, 3, 1), date_of_death=date(2025, 2, 27))
    review.state, review.decision_date = "drafting", date(2025, 3, 20)
    db.session.commit()
    assert review.statutory_due_date == date(2025, 9, 20)
    runner = app.test_cli_runner()
    app.config["COMPLETION_DUE_MONTHS"] = 9
    result = runner.invoke(args=["clocks", "recompute"])
    assert result.exit_code == 0, result.output
    assert "Due dates recomputed for 1 reviews; 1 changed." in result.output
    db.session.expire_all()
    assert (review.statutory_due_date, review.adjusted_due_date) == (date(2025, 12, 20),
                                                                      date(2025, 12, 20))
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review.due_dates_recomputed"))
    assert entry.review_id == review.id
    assert entry.data["changes"]["statutory_due_date"] == ["2025-09-20", "2025-12-20"]
    assert "0 changed" in runner.invoke(args=["clocks", "recompute"]).output


# --- the lists: filtered and paged in SQL, a fixed number of statements ---------------------


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def overdue_and_on_time(make_review, overdue: int, on_time: int) -> None:
    """Undecided reviews: notified 60 days ago and more (late), or in the last days."""
    today = date.today()
    ages = [(f"Adult Late {n}", 60 + n) for n in range(overdue)]
    ages += [(f"Adult Soon {n}", n) for n in range(on_time)]
    for pseudonym, age in ages:
        notified = today - timedelta(days=age)
        make_review(victim_pseudonym=pseudonym, notification_date=notified,
                    date_of_death=notified - timedelta(days=2))


def test_the_overdue_filter_pages_and_counts_in_the_database(api_as, make_review):
    overdue_and_on_time(make_review, overdue=5, on_time=3)
    api = api_as("admin")
    first = api.get("/reviews?overdue=true&per_page=2").get_json()
    last = api.get("/reviews?overdue=true&per_page=2&page=3").get_json()
    assert (first["total"], len(first["items"]), len(last["items"])) == (5, 2, 1)
    assert all(item["overdue"] for item in first["items"] + last["items"])
    assert [i["victim_pseudonym"] for i in first["items"]] == ["Adult Late 0", "Adult Late 1"]
    not_overdue = api.get("/reviews?overdue=false").get_json()
    assert not_overdue["total"] == 3
    assert not any(item["overdue"] for item in not_overdue["items"])


@pytest.mark.parametrize("path", ["/reviews", "/reviews?overdue=true"])
def test_a_list_costs_the_same_statements_for_few_rows_or_many(api_as, make_review, path):
    api = api_as("coordinator")
    overdue_and_on_time(make_review, overdue=2, on_time=1)
    # Each count follows a first call: the tests share one session with the requests, so the
    # first call after new rows reloads the caller.
    api.get(path)
    with counted_statements() as few:
        assert api.get(path).status_code == 200
    overdue_and_on_time(make_review, overdue=20, on_time=10)
    api.get(path)
    with counted_statements() as many:
        assert len(api.get(path).get_json()["items"]) >= 20
    assert len(many) == len(few), "\n".join(s[:90] for s in many)


def test_the_dashboard_shows_a_page_at_a_time_with_links_that_keep_the_filters(
        client, make_user, make_review):
    overdue_and_on_time(make_review, overdue=53, on_time=2)
    sign_in(client, make_user("coordinator"))
    with counted_statements() as statements:
        page = client.get("/reviews?overdue=1&sort=lateness").get_data(as_text=True)
    assert "53 reviews" in page and "Showing 1 to 50, page 1 of 2" in page
    assert page.count("Overdue by") == 50
    assert 'href="/reviews?page=2&amp;sort=lateness&amp;overdue=1"' in page
    assert len(statements) < 15
    second = client.get("/reviews?overdue=1&sort=lateness&page=2").get_data(as_text=True)
    assert "Showing 51 to 53, page 2 of 2" in second and second.count("Overdue by") == 3
    assert "Adult Late 0" in second  # the least late come last
    assert "Adult Soon" not in second
    for bad in ("abc", "-1", "99999999999999999999"):
        response = client.get(f"/reviews?overdue=1&page={bad}")
        assert response.status_code == 200
        assert "page 1 of 2" in response.get_data(as_text=True)
    assert "page 2 of 2" in client.get("/reviews?overdue=1&page=7").get_data(as_text=True)
