"""How fast is the recommendation tracker with many reviews and recommendations?

Creates a throw-away SQLite database (or uses DHR_BENCH_DATABASE_URL, whose tables it drops and
recreates) with N reviews over the Hertfordshire CSPs and M recommendations spread over them
(1-3 themes each, a mix of open, overdue, completed and closed), then times the tracker page,
the API with each filter, a count by theme and the exports, and prints median and p95.

    .venv/bin/python benchmarks/tracker.py --reviews 5000 --recommendations 50000 --repeat 20
    DHR_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/dhr_tracker \
        .venv/bin/python benchmarks/tracker.py
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

from sqlalchemy import insert, select

AGENCIES = ("police", "gp_primary_care", "housing", "adult_social_care", "mental_health_trust",
            "idva_service", "probation", "acute_hospital_a_e")
THEMES = ("information_sharing", "routine_enquiry", "training_and_awareness",
          "risk_assessment_dash", "professional_curiosity", "multi_agency_working")


def load(reviews: int, recommendations: int) -> None:
    from dhr.extensions import db
    from dhr.models import Csp, Review
    from learning.models import Recommendation, RecommendationTheme

    csps = db.session.scalars(select(Csp.id)).all()
    start, today = date(2015, 1, 1), date.today()
    review_rows = []
    for i in range(reviews):
        died = start + timedelta(days=(i * 37) % 3900)
        published = i % 5 < 3
        review_rows.append({
            "csp_id": csps[i % len(csps)], "reference": f"DHR-BENCH-{i:06d}",
            "review_type": "full", "death_type": "intimate_partner_homicide",
            "date_of_death": died, "notification_date": died + timedelta(days=3),
            "victim_pseudonym": f"Adult {i}", "state": "published" if published else "drafting",
            "published_date": died + timedelta(days=700) if published else None,
            # Stored due dates (NOT NULL since they are kept in SQL); a bulk insert skips the
            # hooks that compute them, and the tracker does not read them.
            "decision_due_date": died + timedelta(days=34),
        })
    db.session.execute(insert(Review), review_rows)
    review_ids = db.session.scalars(select(Review.id).order_by(Review.id)).all()
    per_review = max(1, recommendations // len(review_ids))
    rec_rows = []
    for n in range(recommendations):
        review_id = review_ids[(n // per_review) % len(review_ids)]
        due = today + timedelta(days=(n * 13) % 900 - 450)
        status = ("completed", "closed", "open", "open", "open")[n % 5]
        rec_rows.append({
            "review_id": review_id, "number": f"{n // per_review}.{n % per_review + 1}",
            "text": f"Agencies should improve information sharing about risk, case {n}.",
            "level": ("local", "regional", "national")[n % 3],
            "agency": AGENCIES[n % len(AGENCIES)], "owner": "Head of safeguarding",
            "due_date": due, "status": status,
            "completed_date": due if status == "completed" else None,
            "evidence": "Policy revised" if status == "completed" else None,
            "closed_reason": "superseded" if status == "closed" else None,
            "closed_date": due if status == "closed" else None,
        })
    for chunk in range(0, len(rec_rows), 5000):
        db.session.execute(insert(Recommendation), rec_rows[chunk:chunk + 5000])
    rec_ids = db.session.scalars(select(Recommendation.id).order_by(Recommendation.id)).all()
    theme_rows = [{"recommendation_id": rec_id, "code": THEMES[(n + k) % len(THEMES)],
                   "position": k}
                  for n, rec_id in enumerate(rec_ids) for k in range(1 + n % 3)]
    for chunk in range(0, len(theme_rows), 10000):
        db.session.execute(insert(RecommendationTheme), theme_rows[chunk:chunk + 10000])
    db.session.commit()


def timed(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run. The CPU time of this process (SQLite runs
    in it; PostgreSQL's server does not) shows the cost when the machine is shared and busy."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--recommendations", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--export-repeat", type=int, default=3)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.auth.tokens import issue_token
    from dhr.extensions import db
    from dhr.reference_data import load_reference_data
    from dhr.reviews import agency_codes
    from learning.recommendations import theme_labels
    from learning.tracker import Tracker, parse_filters

    url = os.environ.get("DHR_BENCH_DATABASE_URL") or f"sqlite:///{data_dir}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data("hertfordshire")
        t0 = time.perf_counter()
        load(args.reviews, args.recommendations)
        loaded_s = time.perf_counter() - t0
        tokens = {}
        for role, csps in (("admin", []), ("coordinator", []), ("csp_manager", ["Dacorum"]),
                           ("practitioner", [])):
            user = create_user(email=f"{role}@bench.example", role=role, csp_names=csps,
                               area_name="Hertfordshire" if role == "coordinator" else None,
                               password="benchmark-password")
            tokens[role] = issue_token(user)
        db.session.commit()
        if url.startswith("postgresql"):
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()

    client = app.test_client()
    client.post("/sign-in", data={"email": "coordinator@bench.example",
                                  "password": "benchmark-password"})

    def api(query: str, role: str = "admin") -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(f"/api/v1/recommendations{query}",
                                  headers={"Authorization": f"Bearer {tokens[role]}"})
            assert response.status_code == 200, (query, response.status_code)
            return response
        return call

    def page(query: str = "", path: str = "/recommendations") -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(f"{path}{query}")
            assert response.status_code == 200, (query, response.status_code)
            return response
        return call

    def theme_count() -> Any:
        with app.test_request_context():
            from dhr.models import User
            admin = db.session.scalar(select(User).where(User.role == "admin"))
            return Tracker(admin, parse_filters({}, admin)).by_theme(theme_labels())

    def agency_count_one_theme() -> Any:
        with app.test_request_context():
            from dhr.models import User
            admin = db.session.scalar(select(User).where(User.role == "admin"))
            filters = parse_filters({"theme": "routine_enquiry"}, admin)
            return Tracker(admin, filters).by_agency(agency_codes())

    cutoff = (date.today() + timedelta(days=30)).isoformat()
    calls: list[tuple[str, Callable[[], Any], int]] = [
        ("page /recommendations (coordinator)", page(), args.repeat),
        ("page ?overdue=true&agency=police", page("?overdue=true&agency=police"), args.repeat),
        ("page ?page=200", page("?page=200"), args.repeat),
        ("page /themes (theme x year x CSP)", page(path="/themes"), args.repeat),
        ("API (admin, no filter)", api(""), args.repeat),
        ("API ?agency=police", api("?agency=police"), args.repeat),
        ("API ?theme=routine_enquiry", api("?theme=routine_enquiry"), args.repeat),
        ("API ?status=open", api("?status=open"), args.repeat),
        ("API ?overdue=true", api("?overdue=true"), args.repeat),
        ("API ?csp=Dacorum", api("?csp=Dacorum"), args.repeat),
        ("API ?year=2020", api("?year=2020"), args.repeat),
        ("API ?level=national", api("?level=national"), args.repeat),
        (f"API ?due_before={cutoff}", api(f"?due_before={cutoff}"), args.repeat),
        ("API all filters", api("?agency=police&theme=routine_enquiry&status=open"
                                "&overdue=true&csp=Dacorum&level=local"), args.repeat),
        ("API csp_manager (Dacorum)", api("", "csp_manager"), args.repeat),
        ("API practitioner (published)", api("", "practitioner"), args.repeat),
        ("count by theme (all rows)", theme_count, args.repeat),
        ("count by agency, one theme", agency_count_one_theme, args.repeat),
        ("export CSV ?csp=Dacorum", api_export("csv", "&csp=Dacorum", client, tokens),
         args.export_repeat),
        ("export XLSX ?csp=Dacorum", api_export("xlsx", "&csp=Dacorum", client, tokens),
         args.export_repeat),
        ("export CSV (all rows)", api_export("csv", "", client, tokens), args.export_repeat),
        ("export XLSX (all rows)", api_export("xlsx", "", client, tokens), args.export_repeat),
    ]
    print(f"{args.reviews} reviews, {args.recommendations} recommendations "
          f"(loaded in {loaded_s:.1f} s), database {url.split(':')[0]}")
    print(f"{'call':42} {'runs':>5} {'median ms':>10} {'p95 ms':>10} {'cpu median':>11} "
          f"{'cpu p95':>8}")
    for name, call, repeat in calls:
        call()  # warm up
        wall, cpu = timed(call, repeat)
        print(f"{name:42} {repeat:5d} {statistics.median(wall):10.1f} {p95(wall):10.1f} "
              f"{statistics.median(cpu):11.1f} {p95(cpu):8.1f}", flush=True)


def api_export(kind: str, query: str, client: Any, tokens: dict[str, str]) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(f"/api/v1/recommendations/export?format={kind}{query}",
                              headers={"Authorization": f"Bearer {tokens['admin']}"})
        assert response.status_code == 200, (kind, query, response.status_code)
        return response
    return call


if __name__ == "__main__":
    main()
