"""How well and how fast are repeated recommendations found?

1. Quality: the labelled pairs of benchmarks/data/repeats_pairs.json (repeats, and hard
   negatives: same agency and theme, a different action) are scored with the product's method
   (learning/repeats.py), IDF taken over the texts of the set. Prints precision, recall and F1
   at the product threshold, a table over thresholds, the same for simpler methods the product
   was compared with, and the pairs it gets wrong.
2. Speed: a throw-away SQLite database (or DHR_BENCH_DATABASE_URL) with N recommendations
   over N/5 reviews; times GET /api/v1/recommendations/{id}/similar and
   GET /api/v1/recommendations/repeats through the app, the first call (which builds the
   corpus) and warm calls (the corpus cached), as an admin who sees everything.

    .venv/bin/python benchmarks/repeats.py --sizes 1000 5000 --repeat 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from learning import repeats

PAIRS_FILE = Path(__file__).parent / "data" / "repeats_pairs.json"
PLACES = frozenset(w for name in json.loads(
    (Path(repeats.__file__).parent.parent / "dhr" / "reference" / "hertfordshire.json")
    .read_text())["csps"] + ["Hertfordshire"] for w in repeats._words(name))
THRESHOLDS = [round(0.15 + 0.05 * i, 2) for i in range(10)]


# --- quality ---------------------------------------------------------------------------------


def _plain_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in repeats._words(text) if w not in repeats.STOP_WORDS)


def _stems_only(text: str) -> tuple[str, ...]:
    return tuple(repeats._stem(w) for w in _plain_words(text) if w not in PLACES)


def _char_grams(text: str, n: int = 4) -> tuple[str, ...]:
    joined = " ".join(repeats._words(text))
    return tuple(joined[i:i + n] for i in range(len(joined) - n + 1))


PRODUCT = partial(repeats.analyse, ignore=PLACES)
METHODS: dict[str, Callable[[str], tuple[str, ...]]] = {
    "product: thesaurus + stems, TF-IDF": PRODUCT,
    "stems, no thesaurus": _stems_only,
    "plain words": _plain_words,
    "character 4-grams": _char_grams,
    "product + character 4-grams": lambda text: PRODUCT(text) + _char_grams(text),
}


def _scores(pairs: list[dict], analyser: Callable[[str], tuple[str, ...]]) -> list[float]:
    texts = sorted({p[side] for p in pairs for side in ("a", "b")})
    number = {text: i for i, text in enumerate(texts)}
    corpus = repeats.Corpus([repeats.Entry(i, i, t) for t, i in number.items()], analyser)
    return [corpus.score(number[p["a"]], number[p["b"]]) for p in pairs]


def _measure(scores: list[float], labels: list[bool], threshold: float) -> tuple[float, ...]:
    tp = sum(1 for s, same in zip(scores, labels, strict=True) if s >= threshold and same)
    fp = sum(1 for s, same in zip(scores, labels, strict=True) if s >= threshold and not same)
    fn = sum(1 for s, same in zip(scores, labels, strict=True) if s < threshold and same)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def quality() -> None:
    pairs = json.loads(PAIRS_FILE.read_text())["pairs"]
    labels = [p["same"] for p in pairs]
    kinds = {k: sum(1 for p in pairs if p["kind"] == k) for k in ("repeat", "hard_negative")}
    print(f"Labelled pairs: {len(pairs)} ({kinds['repeat']} repeats, "
          f"{kinds['hard_negative']} hard negatives)\n")
    scores = _scores(pairs, PRODUCT)
    p, r, f = _measure(scores, labels, repeats.THRESHOLD)
    print(f"Product threshold {repeats.THRESHOLD:.2f}: precision {p:.2f}  recall {r:.2f}  "
          f"F1 {f:.2f}\n")
    print("threshold  precision  recall    F1")
    for t in THRESHOLDS:
        p, r, f = _measure(scores, labels, t)
        mark = "  <- product" if t == repeats.THRESHOLD else ""
        print(f"{t:9.2f}  {p:9.2f}  {r:6.2f}  {f:5.2f}{mark}")
    print(f"\n{'method':38} {'F1 at product t':>15}  {'best F1 (at t)':>15}")
    for name, analyser in METHODS.items():
        method_scores = _scores(pairs, analyser)
        at_product = _measure(method_scores, labels, repeats.THRESHOLD)[2]
        best = max((_measure(method_scores, labels, t)[2], t) for t in THRESHOLDS)
        print(f"{name:38} {at_product:15.2f}  {best[0]:9.2f} ({best[1]:.2f})")
    print("\nWrong at the product threshold:")
    for score, pair in sorted(zip(scores, pairs, strict=True), key=lambda sp: sp[0]):
        if (score >= repeats.THRESHOLD) != pair["same"]:
            verdict = "missed repeat" if pair["same"] else "false repeat "
            print(f"  {verdict} {score:.2f}  {pair['a'][:60]}... | {pair['b'][:60]}...")


# --- speed -----------------------------------------------------------------------------------


def _texts(count: int, rng: random.Random) -> list[str]:
    """A fifth near-copies of a labelled text with a CSP's name (the repeats: at 5,000 about
    seven of each); the rest 12 to 30 words, half drawn from the labelled texts' words (so
    common words are as common as in real recommendations) and half from a long tail of
    20,000 rare words (a county's thousands of recommendations use thousands of words)."""
    pairs = json.loads(PAIRS_FILE.read_text())["pairs"]
    base = sorted({p[side] for p in pairs for side in ("a", "b")})
    pool = [w for text in base for w in text.split()]
    csps = sorted(PLACES)
    out = []
    for i in range(count):
        if i % 5 == 0:
            out.append(f"{rng.choice(base)} In {rng.choice(csps).title()} within "
                       f"{rng.randint(3, 18)} months.")
        else:
            size = rng.randint(12, 30)
            words = rng.choices(pool, k=size // 2) + [
                f"rare{rng.randint(1, 20_000)}" for _ in range(size - size // 2)]
            rng.shuffle(words)
            out.append(" ".join(words))
    return out


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the warm calls) in milliseconds."""
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], statistics.median(times[1:])


def speed(sizes: list[int], repeat: int) -> None:
    from sqlalchemy import delete, select

    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.auth.tokens import issue_token
    from dhr.extensions import db
    from dhr.models import Csp, Review
    from dhr.reference_data import load_reference_data
    from learning.models import Recommendation

    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    url = os.environ.get("DHR_BENCH_DATABASE_URL") or f"sqlite:///{data_dir}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False})
    rng = random.Random(2026)
    print(f"\n{'recommendations':>15}  {'call':28} {'first ms':>9} {'warm ms':>8}  found")
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data("hertfordshire")
        admin = create_user(email="bench@example.org", role="admin", csp_names=[],
                            password="benchmark-password")
        token = issue_token(admin)
        csps = db.session.scalars(select(Csp)).all()
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        for size in sizes:
            db.session.execute(delete(Recommendation))
            db.session.execute(delete(Review))
            for r in range(size // 5):
                died = date(2012, 1, 1) + timedelta(days=(r * 37) % 4700)
                review = Review(
                    csp=csps[r % len(csps)], reference=f"DHR-BENCH-{size}-{r:06d}",
                    review_type="full", death_type="intimate_partner_homicide",
                    date_of_death=died, notification_date=died + timedelta(days=3),
                    victim_pseudonym=f"Adult {r}", state="published")
                db.session.add(review)
                db.session.flush()
                for n, text in enumerate(_texts(5, rng), start=1):
                    done = rng.random() < 0.4
                    db.session.add(Recommendation(
                        review_id=review.id, number=f"1.{n}", text=text, level="local",
                        agency="gp_primary_care", themes=[],
                        status="completed" if done else "open",
                        completed_date=date(2024, 1, 1) if done else None,
                        evidence="Done" if done else None))
            db.session.commit()
            ids = db.session.scalars(select(Recommendation.id)).all()
            _time_calls(client, headers, size, rng.sample(ids, repeat + 1), repeat)


def _time_calls(client, headers: dict[str, str], size: int, picks: list[int],
                repeat: int) -> None:
    found: list[int] = []
    remaining = iter(picks)

    def similar() -> None:
        response = client.get(f"/api/v1/recommendations/{next(remaining)}/similar",
                              headers=headers)
        assert response.status_code == 200, response.json
        found.append(len(response.json["items"]))

    def clusters() -> int:
        response = client.get("/api/v1/recommendations/repeats", headers=headers)
        assert response.status_code == 200, response.json
        return len(response.json["items"])

    first, warm = _timed(similar, repeat)
    print(f"{size:15d}  {'GET .../{id}/similar':28} {first:9.0f} {warm:8.1f}  "
          f"{statistics.mean(found):.1f} similar on average")
    first, warm = _timed(clusters, min(repeat, 3))
    print(f"{size:15d}  {'GET /recommendations/repeats':28} {first:9.0f} {warm:8.1f}  "
          f"{clusters()} clusters")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    quality()
    if not args.quality_only:
        speed(args.sizes, args.repeat)


if __name__ == "__main__":
    main()
