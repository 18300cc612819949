"""How good is search ranking? nDCG@10 and recall@10 over a judged set of practitioner queries.

Loads the demo corpus (`dhr.demo.demo.load_demo`, with a fixed date so references are stable)
into a throw-away database, indexes it, runs each query below as an admin (who sees every review,
published or not, so every judged item can be found) and prints the figures per query and on
average, for the settings in use and for a few alternatives (`--compare`), which is how the
boosts and the synonym weight were chosen.

    .venv/bin/python benchmarks/relevance.py [--compare] [--verbose]
    .venv/bin/python benchmarks/relevance.py --backend postgresql \
        --search-url postgresql://postgres@127.0.0.1:5432/dhr_bench [--compare]

`--backend postgresql` measures PostgreSQL full-text search (DHR_SEARCH_URL set to
`--search-url`, a database whose search tables the run may empty) on the same corpus.

Judgments are graded 0-3 (3: exactly what the searcher wants; 2: clearly useful; 1: related)
and keyed by stable identifiers: `REF rec N` (recommendation N of review REF), `REF sec
HEADING` (the section of the executive summary or overview report under HEADING). The demo's
historic reviews repeat the same recommendation and lesson texts, so `T:key` stands for every
recommendation drafted from the demo's template `key` and `L:key` for every "Key lessons"
section quoting its lesson (dhr/demo/data/historic.json, "learning").

recall@10 is the share of the relevant items (grade >= 1) in the top 10, out of at most 10
(a query with 15 relevant items has a perfect recall@10 when all 10 hits are relevant).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from typing import Any

BROX, PEGGY, ELLA = "DHR-BROXBOURNE-2024-01", "DHR-NORTH-HERTS-2024-01", "DHR-EAST-HERTS-2025-01"
ADULT_K, BEA, MARY = "DHR-WELWYN-HATFIELD-2025-01", "DHR-HERTSMERE-2025-01", \
    "DHR-HEREFORDSHIRE-2026-01"
POLICE, GP, ACS = "Hertfordshire Constabulary", "The GP practice", \
    "Adult Care Services (Hertfordshire County Council)"
HOUSING, HPFT = "The district council's housing service", \
    "Hertfordshire Partnership University NHS Foundation Trust (HPFT)"
LESSONS, KEY, EVENTS, WHAT = "4. Lessons learned", "Key lessons", "2. Summary of events", \
    "What happened"


def sec(ref: str, heading: str) -> str:
    return f"{ref} sec {heading}"


def rec(ref: str, number: str) -> str:
    return f"{ref} rec {number}"


JUDGMENTS: dict[str, dict[str, int]] = {
    "GP routine enquiry": {
        "T:gp_enquiry": 3, rec(ELLA, "1.3"): 3, rec(BEA, "1.1"): 3, rec(BROX, "1.2"): 3,
        rec(PEGGY, "1.3"): 3, "L:gp_enquiry": 2, sec(BEA, LESSONS): 2, sec(BEA, GP): 2,
        sec(ELLA, GP): 2, sec(BROX, GP): 1},
    "primary care asking about domestic abuse": {
        "T:gp_enquiry": 3, rec(ELLA, "1.3"): 3, rec(BEA, "1.1"): 3, rec(BROX, "1.2"): 3,
        rec(PEGGY, "1.3"): 3, "L:gp_enquiry": 2, sec(BEA, GP): 2, sec(ELLA, GP): 2},
    "stalking after separation": {
        sec(ELLA, KEY): 3, sec(ELLA, LESSONS): 3, rec(ELLA, "1.4"): 3, sec(ELLA, EVENTS): 2,
        sec(ELLA, WHAT): 2, sec(ELLA, HOUSING): 1},
    "risk after separation": {
        sec(ELLA, KEY): 3, sec(ELLA, LESSONS): 3, sec(ELLA, EVENTS): 2, sec(ELLA, WHAT): 2,
        rec(ELLA, "1.4"): 2, rec(ELLA, "1.1"): 1},
    "older carer": {
        rec(BROX, "1.1"): 3, rec(BROX, "1.2"): 3, rec(BROX, "1.4"): 2, sec(BROX, KEY): 3,
        sec(BROX, LESSONS): 3, sec(BROX, WHAT): 2, sec(BROX, EVENTS): 2, sec(BROX, ACS): 2,
        sec(BROX, HOUSING): 1, rec(PEGGY, "1.2"): 3, sec(PEGGY, KEY): 2,
        sec(PEGGY, LESSONS): 2, sec(PEGGY, ACS): 2, "T:carers": 2, "L:carers": 2},
    "carer's assessment": {
        rec(BROX, "1.1"): 3, rec(BROX, "1.4"): 2, sec(BROX, ACS): 3, "T:carers": 3},
    "DASH risk assessment and MARAC referral": {
        "T:dash": 3, rec(ELLA, "1.1"): 3, sec(ELLA, POLICE): 3, sec(ELLA, KEY): 2,
        rec(BROX, "1.3"): 2, rec(ADULT_K, "1.3"): 2},
    "voice of the child": {
        "T:think_family": 3, "L:think_family": 2,
        sec(ELLA, "Children's Services (Hertfordshire County Council)"): 2},
    "suicide risk to others": {
        "T:mental_health": 3, "L:mental_health": 2, sec(BROX, KEY): 2, rec(MARY, "1.1"): 1},
    "economic abuse of an older person": {
        sec(ADULT_K, KEY): 3, sec(ADULT_K, LESSONS): 3, rec(ADULT_K, "1.1"): 3,
        rec(ADULT_K, "1.2"): 2, sec(ADULT_K, WHAT): 2, sec(ADULT_K, EVENTS): 2,
        sec(ADULT_K, ACS): 2, sec(ADULT_K, POLICE): 2, sec(ADULT_K, GP): 1},
    "financial abuse by a family member": {
        rec(ADULT_K, "1.1"): 3, rec(ADULT_K, "1.3"): 3, sec(ADULT_K, KEY): 2,
        sec(ADULT_K, LESSONS): 2, sec(ADULT_K, ACS): 2, sec(ADULT_K, POLICE): 2},
    "coercive control": {
        sec(BEA, EVENTS): 3, sec(BEA, LESSONS): 3, sec(MARY, EVENTS): 2,
        sec(BEA, "The employer"): 2},
    "employer awareness of domestic abuse": {
        rec(BEA, "1.2"): 3, sec(BEA, "The employer"): 3},
    "IDVA unable to engage": {
        rec(ELLA, "1.2"): 3, sec(ELLA, "The county IDVA service"): 3, "T:medium_risk": 1},
    "support for medium risk victims": {"T:medium_risk": 3, "L:medium_risk": 3},
    "multi-agency safety plan": {
        sec(ELLA, KEY): 3, sec(ELLA, LESSONS): 3, rec(ELLA, "1.1"): 2, sec(ELLA, POLICE): 2},
    "information sharing between agencies": {
        "T:info_sharing": 3, "L:info_sharing": 2, sec(ELLA, KEY): 2,
        sec(ADULT_K, "The county drug and alcohol service"): 2},
    "discharged for non-engagement": {
        rec(PEGGY, "1.1"): 3, sec(PEGGY, HPFT): 3, sec(PEGGY, KEY): 3, sec(PEGGY, LESSONS): 3},
    "mental health discharge risk to family": {
        rec(PEGGY, "1.1"): 3, sec(PEGGY, HPFT): 3, sec(PEGGY, KEY): 2, sec(PEGGY, LESSONS): 2},
    "seen alone after overdose": {
        rec(MARY, "1.1"): 3, sec(MARY, LESSONS): 3,
        sec(MARY, "Herefordshire and Worcestershire Health and Care NHS Trust"): 3},
    "missing person episodes": {sec(MARY, LESSONS): 3, sec(MARY, "West Mercia Police"): 3},
    "domestic abuse training for adult care staff": {
        "T:acs_training": 3, "L:acs_training": 2, "T:carers": 1},
    "dementia": {sec(BROX, WHAT): 3, sec(BROX, EVENTS): 3, sec(BROX, HPFT): 2},
    "incident recorded as verbal only": {
        rec(BROX, "1.3"): 3, sec(BROX, POLICE): 3, sec(BROX, KEY): 2, sec(BROX, LESSONS): 2},
    "low mood and anxiety at the GP": {
        rec(BEA, "1.1"): 3, sec(BEA, GP): 3, rec(BROX, "1.2"): 2, sec(BROX, GP): 2,
        rec(ELLA, "1.3"): 2, "T:gp_enquiry": 2},
    "housing officer": {
        sec(BROX, HOUSING): 3, sec(PEGGY, HOUSING): 3, sec(ELLA, HOUSING): 2,
        rec(ELLA, "1.4"): 2, sec(ADULT_K, HOUSING): 2},
    "drug and alcohol service": {
        rec(ADULT_K, "1.2"): 3, sec(ADULT_K, "The county drug and alcohol service"): 3,
        sec(ADULT_K, KEY): 1},
    "homicide-suicide in older couples": {
        sec(BROX, KEY): 3, sec(BROX, LESSONS): 3, rec(BROX, "1.4"): 3, sec(BROX, WHAT): 2},
    "safeguarding concern closed": {
        rec(ADULT_K, "1.1"): 3, sec(ADULT_K, ACS): 3, sec(ADULT_K, KEY): 3,
        sec(ADULT_K, LESSONS): 3},
    "unexplained injuries": {"T:gp_enquiry": 3, rec(ELLA, "1.3"): 2, sec(ELLA, GP): 2},
}


def _identifier(hit: Any) -> str:
    if hit.kind == "recommendation":
        return rec(hit.reference, hit.number)
    if hit.kind == "lesson":
        return sec(hit.reference, hit.heading)
    return f"{hit.reference} review"


def _expand(judged: dict[str, int]) -> dict[str, int]:
    """T:key and L:key -> the identifiers of every copy in the demo corpus."""
    from sqlalchemy import select

    from dhr.demo.content import HISTORIC_LEARNING
    from dhr.extensions import db
    from dhr.models import Review
    from dhr.search.documents import Labels, items_for_review

    labels = Labels.load()
    items = [i for r in db.session.scalars(select(Review)) for i in items_for_review(r, labels)]
    grades: dict[str, int] = {}
    for key, grade in judged.items():
        if key[:2] in {"T:", "L:"}:
            lesson, text, *_ = HISTORIC_LEARNING[key[2:]]
            prefix = text.split("{csp}")[0]
            for item in items:
                if key[0] == "T" and item.kind == "recommendation" and \
                        item.body.startswith(prefix):
                    ident = rec(item.reference, item.number)
                elif key[0] == "L" and item.kind == "lesson" and item.heading == KEY and \
                        lesson in item.body:
                    ident = sec(item.reference, item.heading)
                else:
                    continue
                grades[ident] = max(grades.get(ident, 0), grade)
        else:
            grades[key] = max(grades.get(key, 0), grade)
    known = {_identifier(item) for item in items}
    if unknown := sorted(set(grades) - known):
        raise SystemExit(f"judged items not in the demo corpus: {unknown}")
    return grades


def _dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(run: Callable[[str], list[str]], judged: dict[str, dict[str, int]],
             verbose: bool) -> tuple[float, float]:
    ndcgs, recalls = [], []
    for query, grades in judged.items():
        ranked = run(query)[:10]
        gains = [grades.get(ident, 0) for ident in ranked]
        ideal = _dcg(sorted(grades.values(), reverse=True)[:10])
        ndcg = _dcg(gains) / ideal if ideal else 0.0
        relevant = sum(1 for g in grades.values() if g >= 1)
        if not relevant:
            raise SystemExit(f"no relevant item judged for {query!r}")
        recall = sum(1 for g in gains if g >= 1) / min(10, relevant)
        ndcgs.append(ndcg)
        recalls.append(recall)
        if verbose:
            print(f"  {ndcg:5.3f} {recall:5.2f}  {query}")
            for ident, gain in zip(ranked, gains, strict=True):
                print(f"        {gain} {ident}")
    return statistics.mean(ndcgs), statistics.mean(recalls)


@contextmanager
def settings(**changes: Any):
    """Temporarily change search constants (module, name) -> value."""
    saved = []
    for (module, name), value in changes.values():
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", action="store_true", help="also try alternative settings")
    parser.add_argument("--verbose", action="store_true", help="show the top 10 of each query")
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh")
    parser.add_argument("--search-url", default=os.environ.get("DHR_BENCH_SEARCH_URL", ""),
                        help="PostgreSQL database for --backend postgresql")
    args = parser.parse_args()
    if args.backend == "postgresql" and not args.search_url:
        parser.error("--backend postgresql needs --search-url postgresql://...")

    data_dir = tempfile.mkdtemp(prefix="dhr-relevance-")
    os.environ["DHR_DATA_DIR"] = data_dir
    from sqlalchemy import select
    from whoosh.qparser import AndGroup

    from dhr import create_app
    from dhr.config import search_backend_url
    from dhr.demo.demo import DEMO_ADMIN, load_demo
    from dhr.extensions import db
    from dhr.models import User
    from dhr.reference_data import load_reference_data
    from dhr.search import backend, postgres_backend, query_text, service, thesaurus, whoosh_backend
    from dhr.search.backend import SearchRequest

    database = f"sqlite:///{data_dir}/bench.sqlite"
    search_url = (search_backend_url({"DHR_SEARCH_URL": args.search_url}, database)
                  if args.backend == "postgresql" else "")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SEARCH_URL": search_url,
                      "CELERY": {"task_always_eager": True}})
    with app.app_context():
        db.create_all()
        load_reference_data("hertfordshire")
        db.session.commit()
        load_demo(date(2026, 11, 29))
        db.session.commit()
        service.rebuild()
        admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN))
        judged = {query: _expand(grades) for query, grades in JUDGMENTS.items()}

        def run(query: str) -> list[str]:
            found = service.search(admin, SearchRequest(q=query, per_page=10))
            return [_identifier(hit) for hit in found.hits]

        print(f"{len(judged)} judged queries over the demo corpus, as an admin (every review), "
              f"backend: {args.backend}.")
        variants: list[tuple[str, dict]] = [("settings in use", {})]
        if args.compare:
            no_synonyms = thesaurus.Thesaurus([])
            variants += [
                ("no thesaurus", {"t": ((service, "load_thesaurus"),
                                        lambda *a: no_synonyms)}),
                ("no kind boosts (rebuild)", {"k": ((backend, "KIND_BOOSTS"),
                                                    dict.fromkeys(backend.KIND_BOOSTS, 1.0)),
                                              "d": ((backend, "DEPTH_DECAY"), 0.0)}),
            ]
        if args.compare and args.backend == "whoosh":
            variants += [
                ("synonyms weighted as the words typed",
                 {"w": ((query_text, "SYNONYM_WEIGHT"), 1.0)}),
                ("no field boosts", {"f": ((whoosh_backend, "FIELD_BOOSTS"),
                                           dict.fromkeys(whoosh_backend.FIELD_BOOSTS, 1.0))}),
                ("every word required (AND)",
                 {"g": ((whoosh_backend, "WORD_GROUP"), AndGroup)}),
            ]
        if args.compare and args.backend == "postgresql":
            variants += [
                ("no field weights", {"f": ((postgres_backend, "RANK_WEIGHTS"),
                                            "{1, 1, 1, 1}")}),
                ("no length normalisation", {"n": ((postgres_backend, "RANK_NORMALISATION"),
                                                   0)}),
                ("normalised by length", {"n": ((postgres_backend, "RANK_NORMALISATION"), 2)}),
                ("normalised by unique words", {"n": ((postgres_backend,
                                                       "RANK_NORMALISATION"), 8)}),
                ("typed words count 3x synonyms", {"b": ((postgres_backend, "TYPED_BONUS"),
                                                         2.0)}),
                ("typed words count as synonyms", {"b": ((postgres_backend, "TYPED_BONUS"),
                                                         0.0)}),
                ("ts_rank_cd", {"r": ((postgres_backend, "RANK_FUNCTION"), "ts_rank_cd")}),
                ("no reward for matching more words", {"c": ((postgres_backend, "COORDINATION"),
                                                             0.0)}),
                ("2x reward for matching more words", {"c": ((postgres_backend, "COORDINATION"),
                                                             2.0)}),
            ] + [(f"weights {w}", {"f": ((postgres_backend, "RANK_WEIGHTS"), w)})
                 for w in ("{0.8, 0.5, 1.0, 1.0}", "{0.5, 0.3, 0.7, 1.0}")]
        print(f"{'variant':40} {'nDCG@10':>8} {'recall@10':>10}")
        for label, changes in variants:
            with settings(**changes):
                if "k" in changes:
                    service.rebuild()
                if args.verbose:
                    print(label)
                ndcg, recall = evaluate(run, judged, args.verbose)
            if "k" in changes:
                service.rebuild()
            print(f"{label:40} {ndcg:8.3f} {recall:10.3f}")


if __name__ == "__main__":
    main()
