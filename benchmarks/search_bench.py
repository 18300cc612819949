"""How fast is search? Whoosh, PostgreSQL full-text search and SQLite FTS5 on the same
generated corpus and queries, in the same run.

    .venv/bin/python benchmarks/search_bench.py \\
        --search-url postgresql://postgres@127.0.0.1:5432/dhr_bench \\
        [--sizes 1000,10000,100000] [--repeat 5] [--backends whoosh,postgresql]

For each size (indexed items: reviews, lessons and recommendations, about twenty to a
review) it prints the full-rebuild rate (items per second) and the query time p50/p95 over
the same queries (words, phrases, AND/OR/NOT, thesaurus terms, a misspelling), each as a
practitioner (published only) with facets and highlighted snippets, and each figure's ratio
to FTS5 (the ratio is what holds on a noisy machine). FTS5 is the baseline: its query is
the nearest equivalent (words as alternatives, bm25 with field weights, `snippet()`, facet
counts by GROUP BY over the matches), not the full contract (no thesaurus, no suggestion).
The PostgreSQL search tables at `--search-url` are emptied and refilled.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator

from dhr.search.documents import SearchItem

WORDS = re.findall(r"\w+", """
    abuse accommodation advocate agency alcohol ambulance anxiety appointment assessment
    bail benefit breach carer caseworker checklist child chronology coercive college
    concern contact controlling counselling court crisis custody debt depression
    disclosure discharge domestic drug emergency enquiry eviction family financial
    follow friend harassment health homeless hospital housing incident independent
    injury isolation jealousy learning letter manager marac medication mental midwife
    monitoring neighbour nurse offender partner patient perpetrator pharmacy police
    practice pregnancy probation protection referral refuge relationship risk routine
    safeguarding school separation service sister social stalking strangulation
    substance suicide supervision surgery tenancy threat training victim violence visit
    vulnerable warrant welfare worker""")
FILLER = re.findall(r"\w+", """
    the a of and to in was with her his had by on at for from that not who were when
    after before during about over into their they them this those there which while""")
SYLLABLES = ["ba", "ker", "lin", "mo", "sta", "ven", "dor", "ith", "pal", "rue", "sen", "tow"]
THEMES = ["routine_enquiry", "risk_assessment_dash", "information_sharing", "carers",
          "mental_health", "substance_misuse", "housing", "coercive_control", "training"]
AGENCIES = ["police", "gp_primary_care", "housing", "adult_social_care", "probation",
            "children_social_care", "mental_health_trust", "ambulance"]
CSPS = ["Dacorum", "Watford", "Stevenage", "Broxbourne", "Hertsmere", "North Herts"]
QUERIES = ["stalking after separation", "GP routine enquiry", '"risk assessment"',
           "coercive control", "housing AND eviction", "anxiety NOT pregnancy",
           "MARAC referral", "(police OR probation) AND bail", "strangulation",
           "mental health crisis", "safeguarding", "stalkng", "IDVA", "financial abuse debt",
           "carer assessment", "A&E"]


def corpus(size: int, seed: int = 7) -> Iterator[tuple[int, list, str]]:
    """(review id, items, fingerprint) in reviews of about twenty items, deterministic."""
    rng = random.Random(seed)
    # A long tail of rarer words (Zipf-like): most are seldom seen, as in real reports.
    rare = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            for _ in range(5000)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(rare))))

    def word() -> str:
        roll = rng.random()
        if roll < 0.3:
            return rng.choice(WORDS)
        if roll < 0.7:
            return rng.choice(FILLER)
        return rng.choices(rare, cum_weights=cumulative)[0]

    made = 0
    review_id = 0
    while made < size:
        review_id += 1
        count = min(size - made, rng.randint(10, 30))
        csp = rng.randrange(len(CSPS))
        common = dict(review_id=review_id, reference=f"DHR-BENCH-{review_id}",
                      csp=CSPS[csp], csp_id=csp + 1, area_id=1,
                      year=str(rng.randint(2015, 2026)),
                      death_type=rng.choice(["intimate_partner_homicide",
                                             "adult_family_homicide", "suicide"]),
                      is_published=rng.random() < 0.7, pool_member_ids=[review_id % 40])
        themes = rng.sample(THEMES, 3)
        items = []
        for n in range(count):
            kind = "review" if n == 0 else ("recommendation" if n % 3 == 0 else "lesson")
            length = max(8, int(rng.lognormvariate(4.2, 0.8)))  # 8 to ~600 words
            body = " ".join(word() for _ in range(length)).capitalize() + "."
            items.append(SearchItem(
                doc_id=f"{kind}:{review_id}:{n}", kind=kind, title=f"Section {n}: "
                f"{' '.join(rng.sample(WORDS, 3))}", body=body, themes=themes[:2],
                agencies=rng.sample(AGENCIES, 2), tags=" ".join(themes).replace("_", " "),
                source="overview_report" if kind == "lesson" else "", position=n,
                heading=f"Section {n}" if kind == "lesson" else "",
                number=f"{n}.1" if kind == "recommendation" else "", **common))
        made += count
        yield review_id, items, f"bench-{review_id}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run: Callable[[str], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for query in QUERIES:
            started = time.perf_counter()
            run(query)
            times.append((time.perf_counter() - started) * 1000)
    return times


class Fts5:
    """The baseline: SQLite FTS5 with porter stemming, in a file like the others."""

    def __init__(self, folder: str):
        self.db = sqlite3.connect(os.path.join(folder, "fts5.sqlite"))
        self.db.executescript("""
            DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS facets;
            CREATE VIRTUAL TABLE items USING fts5(title, body, tags, tokenize='porter');
            CREATE TABLE facets (rowid INTEGER PRIMARY KEY, kind, csp, year, death_type,
                                 published, theme, agency);
        """)

    def rebuild(self, reviews) -> None:
        with self.db:
            for _review_id, items, _fingerprint in reviews:
                for item in items:
                    cursor = self.db.execute("INSERT INTO items VALUES (?, ?, ?)",
                                             (item.title, item.body, item.tags))
                    self.db.execute("INSERT INTO facets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    (cursor.lastrowid, item.kind, item.csp, item.year,
                                     item.death_type, item.is_published,
                                     ",".join(item.themes), ",".join(item.agencies)))

    def search(self, query: str) -> int:
        words = re.findall(r'"[^"]+"|\w+', query)
        terms = [w for w in words if w not in {"AND", "OR", "NOT"}]
        match = " OR ".join(w if w.startswith('"') else f'"{w}"' for w in terms) or '""'
        matched = """SELECT items.rowid AS id, bm25(items, 1.0, 1.0, 0.5) AS rank
                     FROM items JOIN facets ON facets.rowid = items.rowid
                     WHERE items MATCH ? AND facets.published"""
        total = 0
        for column in ("kind", "csp", "year", "death_type", "theme", "agency"):
            rows = self.db.execute(f"SELECT f.{column}, count(*) FROM ({matched}) m "  # noqa: S608
                                   f"JOIN facets f ON f.rowid = m.id GROUP BY 1",
                                   (match,)).fetchall()
            total = sum(n for _v, n in rows) if column == "kind" else total
        self.db.execute(f"""SELECT snippet(items, 1, '[', ']', '…', 40) FROM items
                            WHERE items MATCH ? AND rowid IN (SELECT id FROM ({matched})
                            ORDER BY rank LIMIT 10)""", (match, match)).fetchall()  # noqa: S608
        return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="whoosh,postgresql",
                        help="which to measure beside FTS5 (always measured, the baseline): "
                        "at 100k, one run per backend can go in parallel, each with its own "
                        "FTS5 figures taken under the same load")
    parser.add_argument("--search-url", default=os.environ.get("DHR_BENCH_SEARCH_URL", ""),
                        help="PostgreSQL database for the PostgreSQL backend (emptied)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="dhr-search-bench-")
    os.environ["DHR_DATA_DIR"] = folder

    from dhr import create_app
    from dhr.config import search_backend_url
    from dhr.search import service
    from dhr.search.backend import Scope, SearchRequest
    from dhr.search.thesaurus import load_thesaurus

    sqlite_url = f"sqlite:///{folder}/bench.sqlite"
    chosen = set(args.backends.split(","))
    apps = {}
    if "whoosh" in chosen:
        apps["whoosh"] = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url})
    if "postgresql" in chosen and args.search_url:
        apps["postgresql"] = create_app({
            "SQLALCHEMY_DATABASE_URI": sqlite_url,
            "SEARCH_URL": search_backend_url({"DHR_SEARCH_URL": args.search_url}, sqlite_url)})
    practitioner = Scope(published=True)
    print(f"{'items':>7} {'backend':10} {'index/s':>8} {'rebuild s':>9} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p95/FTS5':>8} {'index ratio':>11}", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        fts = Fts5(folder)
        started = time.perf_counter()
        fts.rebuild(corpus(size))
        fts_seconds = time.perf_counter() - started
        fts_rate = size / fts_seconds
        fts_times = timed(fts.search, args.repeat)
        fts_p95 = percentile(fts_times, 0.95)
        print(f"{size:7d} {'fts5':10} {fts_rate:8.0f} {fts_seconds:9.0f} "
              f"{statistics.median(fts_times):7.1f} {fts_p95:7.1f} {1.0:8.2f} {1.0:11.2f}",
              flush=True)
        for name, app in apps.items():
            with app.app_context():
                backend = service.backend()
                thesaurus = load_thesaurus()
                started = time.perf_counter()
                backend.rebuild(corpus(size), lambda: None)
                seconds = time.perf_counter() - started
                rate = size / seconds

                def run(query: str, backend=backend, thesaurus=thesaurus) -> object:
                    return backend.search(SearchRequest(q=query), practitioner, thesaurus)

                run(QUERIES[0])  # warm: open the index, fill caches
                times = timed(run, args.repeat)
            p95 = percentile(times, 0.95)
            print(f"{size:7d} {name:10} {rate:8.0f} {seconds:9.0f} "
                  f"{statistics.median(times):7.1f} {p95:7.1f} {p95 / fts_p95:8.2f} "
                  f"{fts_rate / rate:11.2f}", flush=True)


if __name__ == "__main__":
    main()
