"""How fast are the review list (API) and the dashboard (page) with many reviews?

Creates a throw-away SQLite database (or uses DHR_BENCH_DATABASE_URL) with N reviews spread
over the Hertfordshire CSPs, then times each call several times and prints a table.

    .venv/bin/python benchmarks/review_lists.py --reviews 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.auth.tokens import issue_token
    from dhr.extensions import db
    from dhr.models import Csp, Review
    from dhr.reference_data import load_reference_data

    url = os.environ.get("DHR_BENCH_DATABASE_URL") or f"sqlite:///{data_dir}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data("hertfordshire")
        csps = db.session.scalars(select(Csp)).all()
        start = date(2015, 1, 1)
        for i in range(args.reviews):
            died = start + timedelta(days=(i * 37) % 3900)
            db.session.add(Review(
                csp=csps[i % len(csps)], reference=f"DHR-BENCH-{i:06d}", review_type="full",
                death_type="intimate_partner_homicide", date_of_death=died,
                notification_date=died + timedelta(days=3), victim_pseudonym=f"Adult {i}",
                state="notified" if i % 3 else "drafting",
                decision_date=None if i % 3 else died + timedelta(days=20),
            ))
        admin = create_user(email="bench@example.org", role="admin", csp_names=[],
                            password="benchmark-password")
        token = issue_token(admin)
        db.session.commit()

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/sign-in", data={"email": "bench@example.org", "password": "benchmark-password"})
    calls = [
        ("GET /api/v1/reviews (page of 50)",
         lambda: client.get("/api/v1/reviews", headers=headers)),
        ("GET /api/v1/reviews?overdue=true", lambda: client.get("/api/v1/reviews?overdue=true",
                                                                 headers=headers)),
        ("GET / (dashboard, all rows)", lambda: client.get("/")),
    ]
    print(f"{args.reviews} reviews, {args.repeat} runs each, database {url.split(':')[0]}")
    print(f"{'call':40} {'median ms':>10} {'max ms':>10}")
    for name, call in calls:
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        print(f"{name:40} {statistics.median(timings):10.1f} {max(timings):10.1f}")


if __name__ == "__main__":
    main()
