"""How fast are the review list (API), the dashboard (page) and one review's page with many
reviews, and how many SQL statements does each request run?

For each size, builds a throw-away database (SQLite in a temporary folder, or the database
DHR_BENCH_DATABASE_URL names, whose tables are dropped and made again) holding that many
reviews spread over the Hertfordshire CSPs and the lifecycle (undecided, running, paused,
submitted, published, closed), then times each request and prints median and p95 in
milliseconds, the median CPU time of this process (what a shared machine's load does not
inflate) and the SQL statements per request.

    .venv/bin/python benchmarks/review_lists.py --sizes 1000,5000,10000 --repeat 20
    DHR_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/dhr_clocks \\
        .venv/bin/python benchmarks/review_lists.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select

# (state, decided, submitted, paused now, days paused before) for review number i % 10.
SHAPES = [
    ("notified", False, False, False, 0),
    ("notified", False, False, False, 0),
    ("no_review_ho_scrutiny", True, False, False, 0),
    ("chair_appointment", True, False, False, 0),
    ("information_gathering", True, False, False, 40),
    ("drafting", True, False, True, 0),
    ("drafting", True, False, False, 0),
    ("home_office_qa", True, True, False, 0),
    ("published", True, True, False, 90),
    ("closed", True, True, False, 0),
]


def review_fields(i: int, today: date) -> dict[str, Any]:
    """Review number i: notified on a day in the last eleven years, in one of SHAPES."""
    state, decided, submitted, paused, paused_before = SHAPES[i % len(SHAPES)]
    notified = today - timedelta(days=(i * 37) % 4000 + 1)
    decision = notified + timedelta(days=20 + i % 30)
    fields: dict[str, Any] = {
        "reference": f"DHR-BENCH-{i:06d}", "review_type": "full",
        "death_type": "intimate_partner_homicide", "date_of_death": notified - timedelta(days=3),
        "notification_date": notified, "victim_pseudonym": f"Adult {i}", "state": state,
        "paused_days": paused_before,
    }
    if decided:
        fields["decision_date"] = min(decision, today)
    if submitted:
        fields["submitted_date"] = min(decision + timedelta(days=150 + i % 120), today)
    if paused:
        fields.update(is_paused=True, pause_reason="criminal_trial",
                      paused_since_date=min(decision + timedelta(days=60), today))
    return fields


def timed(call: Callable[[], Any], repeat: int,
          statements: list[int]) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, median CPU ms of this process, statements per request) over
    `repeat` calls after one warm-up. On a shared machine the wall-clock figures include
    waiting for a CPU; the CPU time of this process (the app, and SQLite) does not."""
    call()
    timings, cpu, counts = [], [], []
    for _ in range(repeat):
        statements[0] = 0
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        counts.append(statements[0])
        assert response.status_code == 200, response.status_code
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
    return statistics.median(timings), p95, statistics.median(cpu), max(counts)


def bench(size: int, repeat: int, url: str | None, data_dir: str) -> None:
    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.auth.tokens import issue_token
    from dhr.extensions import db
    from dhr.models import Csp, Review
    from dhr.reference_data import load_reference_data

    url = url or f"sqlite:///{data_dir}/bench-{size}.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_ENABLED": False})
    today = date.today()
    statements = [0]
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data("hertfordshire")
        csps = db.session.scalars(select(Csp).order_by(Csp.name)).all()
        db.session.add_all(Review(csp=csps[i % len(csps)], **review_fields(i, today))
                           for i in range(size))
        admin = create_user(email="bench@example.org", role="admin", csp_names=[],
                            password="benchmark-password")
        coordinator = create_user(email="county@example.org", role="coordinator",
                                  csp_names=[], area_name="Hertfordshire",
                                  password="benchmark-password")
        admin_token, county_token = issue_token(admin), issue_token(coordinator)
        db.session.commit()
        one_review = db.session.scalar(select(Review.id).where(Review.state == "drafting")
                                       .order_by(Review.id).limit(1))

        def count(*_args: Any) -> None:
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)

    client = app.test_client()
    client.post("/sign-in", data={"email": "bench@example.org", "password": "benchmark-password"})

    def api(path: str, token: str = admin_token) -> Callable[[], Any]:
        return lambda: client.get(path, headers={"Authorization": f"Bearer {token}"})

    def page(path: str) -> Callable[[], Any]:
        return lambda: client.get(path)

    calls = [
        ("API list (page 1 of 50)", api("/api/v1/reviews")),
        ("API list ?overdue=true", api("/api/v1/reviews?overdue=true")),
        ("API list ?overdue=false", api("/api/v1/reviews?overdue=false")),
        ("API list ?overdue=true&page=10", api("/api/v1/reviews?overdue=true&page=10")),
        ("API list ?state=drafting", api("/api/v1/reviews?state=drafting")),
        ("API list ?csp=Dacorum", api("/api/v1/reviews?csp=Dacorum")),
        ("API list ?year=2020", api("/api/v1/reviews?year=2020")),
        ("API list ?overdue=true, coordinator", api("/api/v1/reviews?overdue=true",
                                                    county_token)),
        ("dashboard /", page("/")),
        ("dashboard ?sort=lateness", page("/?sort=lateness")),
        ("dashboard ?sort=due", page("/?sort=due")),
        ("dashboard ?overdue=1", page("/?overdue=1")),
        ("dashboard ?page=20", page("/?page=20")),
        ("review page /reviews/<id>", page(f"/reviews/{one_review}")),
        ("API /api/v1/reviews/<id>", api(f"/api/v1/reviews/{one_review}")),
    ]
    database = url.split(":")[0]
    for name, call in calls:
        median, p95, cpu, per_request = timed(call, repeat, statements)
        print(f"{size:>6} {database:22} {name:38} {median:9.1f} {p95:9.1f} {cpu:9.1f} "
              f"{per_request:6}", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000",
                        help="numbers of reviews, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per request")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    print(f"{args.repeat} calls each after one warm-up; times in ms")
    print(f"{'size':>6} {'database':22} {'request':38} {'median':>9} {'p95':>9} {'cpu':>9} "
          f"{'stmts':>6}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for size in (int(n) for n in args.sizes.split(",")):
        bench(size, args.repeat, os.environ.get("DHR_BENCH_DATABASE_URL"), data_dir)


if __name__ == "__main__":
    main()
