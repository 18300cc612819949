"""The PostgreSQL full-text backend, for deployments with several web hosts: every host reads
and writes the same `search_documents` table (dhr/models/search.py) instead of a folder.

One SQL statement answers a search: the items the caller may see and that match (the
permission filter is in the WHERE clause, so nothing hidden is ever counted, ranked,
faceted or paged), then the facet counts over exactly those, then one page with
`ts_headline` snippets. (The SQL is assembled from this module's own fragments and
dhr.search.tsquery's; the searcher's words and choices are always bound parameters, hence
the `noqa: S608` markers.) Ranking is `ts_rank` over weighted vectors (title and body A/B,
theme and agency labels C, the progress log D), plus a bonus for the words the searcher typed
over the thesaurus's synonyms, times the item's boost and a reward for each of the query's
alternatives the item matches.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from dhr.search import query_text
from dhr.search.backend import (
    FACETS,
    NO_WORDS,
    Hit,
    Scope,
    SearchRequest,
    SearchResults,
    item_boost,
)
from dhr.search.documents import SearchItem
from dhr.search.snippets import END, START, clean, offsets, opening
from dhr.search.thesaurus import Thesaurus
from dhr.search.tsquery import Compiled, compile_query

# ts_rank's weights for D (progress log), C (labels), B (body), A (title): PostgreSQL's own
# defaults, a title word counting most. Chosen with benchmarks/relevance.py: ts_rank has no
# inverse document frequency, and Whoosh's field boosts (title = body) ranked worse here.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# 1: the rank divided by 1 + log(length), so a long passage does not win by length alone.
RANK_NORMALISATION = 1
# How much a match of the words typed adds over the same match through a synonym.
TYPED_BONUS = 1.0
RANK_FUNCTION = "ts_rank"
# Each of the query's alternatives (words, phrases, thesaurus groups) an item matches
# multiplies its rank by 1 + COORDINATION more, as Whoosh's OrGroup rewards matching more.
COORDINATION = 1.0
HEADLINE = (f"StartSel={START}, StopSel={END}, MaxWords=40, MinWords=20, MaxFragments=2, "
            'FragmentDelimiter=" … "')
LIKE_TERMS = 8
LIKE_CANDIDATES = 30
# Advisory lock keys: a rebuild holds REBUILD exclusively, a review's update shares it (so
# updates wait for a rebuild to finish) and holds (REVIEW, id) so two updates of one review
# run one after the other.
REBUILD_LOCK = 0x5EA4C4
REVIEW_LOCK = 0x5EA4
MIN_WORD, MAX_WORD = 3, 100
_FACET_COLUMNS = {"kind": "kind", "csp": "csp", "year": "year", "death_type": "death_type"}
_LIST_FACETS = {"theme": "themes", "agency": "agencies"}

_INSERT = text("""
INSERT INTO search_documents (doc_id, review_id, kind, title, body, tags, progress, csp, year,
    death_type, themes, agencies, csp_id, area_id, pool_member_ids, published,
    recommendation_id, reference, number, source, heading, status, fingerprint, boost,
    vector, insider_vector)
SELECT :doc_id, :review_id, :kind, :title, :body, :tags, :progress, :csp, :year, :death_type,
    CAST(:themes AS jsonb), CAST(:agencies AS jsonb), :csp_id, :area_id,
    CAST(:pool_member_ids AS jsonb), :published, :recommendation_id, :reference, :number,
    :source, :heading, :status, :fingerprint, :boost,
    v.public, v.public || setweight(to_tsvector('english', :progress), 'D')
FROM (SELECT setweight(to_tsvector('english', :title), 'A')
          || setweight(to_tsvector('english', :body), 'B')
          || setweight(to_tsvector('english', :tags), 'C') AS public) AS v
""")
_WORDS_INSERT = text("""
INSERT INTO search_words (word)
SELECT DISTINCT w FROM unnest(tsvector_to_array(to_tsvector('simple', :text))) AS w
WHERE length(w) BETWEEN :least AND :most ORDER BY w
ON CONFLICT DO NOTHING
""")


def _row(item: SearchItem, fingerprint: str) -> dict[str, Any]:
    return {
        "doc_id": item.doc_id, "review_id": item.review_id, "kind": item.kind,
        "title": clean(item.title), "body": clean(item.body), "tags": clean(item.tags),
        "progress": clean(item.progress), "csp": item.csp, "year": item.year,
        "death_type": item.death_type, "themes": json.dumps(item.themes),
        "agencies": json.dumps(item.agencies), "csp_id": item.csp_id,
        "area_id": item.area_id,
        "pool_member_ids": json.dumps([str(i) for i in item.pool_member_ids]),
        "published": item.is_published, "recommendation_id": item.recommendation_id,
        "reference": item.reference, "number": item.number, "source": item.source,
        "heading": item.heading, "status": item.status,
        "fingerprint": fingerprint if item.kind == "review" else "",
        "boost": item_boost(item),
    }


def _scope_sql(scope: Scope, params: dict[str, Any]) -> str:
    """The WHERE condition for what `scope` may see (deny by default)."""
    if scope.everything:
        return "TRUE"
    allowed = []
    if scope.published:
        allowed.append("d.published")
    if scope.area_ids:
        params["scope_areas"] = sorted(scope.area_ids)
        allowed.append("d.area_id = ANY(:scope_areas)")
    if scope.csp_ids:
        params["scope_csps"] = sorted(scope.csp_ids)
        allowed.append("d.csp_id = ANY(:scope_csps)")
    if scope.pool_member_ids:
        params["scope_pool"] = [str(i) for i in sorted(scope.pool_member_ids)]
        allowed.append("d.pool_member_ids ?| CAST(:scope_pool AS text[])")
    return "(" + " OR ".join(allowed) + ")" if allowed else "FALSE"


def _selection_sql(request: SearchRequest, params: dict[str, Any]) -> str:
    """The facet values chosen: values of one facet are alternatives, facets combine."""
    parts = ["TRUE"]
    for facet, values in request.selections().items():
        if not values:
            continue
        params[f"sel_{facet}"] = list(values)
        if facet in _LIST_FACETS:
            parts.append(f"d.{_LIST_FACETS[facet]} ?| CAST(:sel_{facet} AS text[])")
        else:
            parts.append(f"d.{_FACET_COLUMNS[facet]} = ANY(:sel_{facet})")
    return " AND ".join(parts)


def _facets_sql() -> str:
    plain = [f"SELECT '{name}' AS name, {column} AS value, count(*) AS n "  # noqa: S608
             f"FROM matched GROUP BY {column}" for name, column in _FACET_COLUMNS.items()]
    listed = [f"SELECT '{name}', v, count(*) FROM matched, "  # noqa: S608
              f"jsonb_array_elements_text({column}) AS v GROUP BY v"
              for name, column in _LIST_FACETS.items()]
    return " UNION ALL ".join(plain + listed)


def _counts(rows: dict[str, int]) -> dict[str, int]:
    return dict(sorted(((k, v) for k, v in rows.items() if k), key=lambda kv: (-kv[1], kv[0])))


class PostgresBackend:
    """SearchBackend on PostgreSQL full-text search; `engine` is the application's database
    (DHR_SEARCH_URL=database) or another PostgreSQL database of its own."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def status(self) -> str:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1 FROM search_documents LIMIT 1"))
        except SQLAlchemyError:
            return "degraded"
        return "ok"

    # --- reading --------------------------------------------------------------------------

    def search(self, request: SearchRequest, scope: Scope,
               thesaurus: Thesaurus) -> SearchResults:
        empty = SearchResults(total=0, hits=[], facets={f: {} for f in FACETS}, page=1,
                              pages=0)
        if scope.nothing:
            return empty
        vector = "d.insider_vector" if scope.insider else "d.vector"
        params: dict[str, Any] = {}
        where = [_scope_sql(scope, params), _selection_sql(request, params)]
        text_q = request.q.strip()
        alternatives: list[str] = []
        with self.engine.connect() as connection:
            if request.like:
                like = self._like_query(connection, request.like, scope)
                if like is None:
                    return empty
                params["like_q"], params["like_id"] = like, request.like
                full = own = "CAST(:like_q AS tsquery)"
                where.append("d.doc_id <> :like_id")
            elif text_q:
                expanded = compile_query(query_text.expand(text_q, thesaurus), "w")
                typed = compile_query(text_q, "t")
                if expanded.sql is None or not self._has_lexemes(connection, expanded):
                    empty.message = NO_WORDS
                    return empty
                params.update(expanded.params)
                params.update(typed.params)
                full = expanded.sql
                own = typed.sql or expanded.sql
                alternatives = expanded.alternatives
            else:
                full = own = None
            results = self._run(connection, request, scope, vector, where, full, own, params,
                                alternatives)
            if text_q and not request.like and results.total == 0:
                results.suggestion = self._suggest(connection, text_q, scope, request,
                                                   thesaurus)
        return results

    def _has_lexemes(self, connection: Connection, compiled: Compiled) -> bool:
        """False when every word is a stop word ("the", "and"): nothing to look for."""
        found = connection.execute(text(f"SELECT numnode({compiled.sql})"),
                                   compiled.params).scalar()
        return bool(found)

    def _run(self, connection: Connection, request: SearchRequest, scope: Scope, vector: str,
             where: list[str], full: str | None, own: str | None,
             params: dict[str, Any], alternatives: list[str]) -> SearchResults:
        page = max(1, request.page)
        params.update(limit=request.per_page, offset=(page - 1) * request.per_page,
                      weights=RANK_WEIGHTS)
        if full is None:
            query_cte, score = ("SELECT NULL::tsquery AS full_q, NULL::tsquery AS own_q, "
                                "NULL::tsquery[] AS units"), "0"
        else:
            units = f"ARRAY[{', '.join(alternatives)}]::tsquery[]"
            query_cte = f"SELECT {full} AS full_q, {own} AS own_q, {units} AS units"
            where.append(f"{vector} @@ q.full_q")
            matched = f"SELECT count(*) FROM unnest(q.units) AS u WHERE {vector} @@ u"  # noqa: S608
            coordination = f"(1 + {float(COORDINATION)} * ({matched}))"
            score = (f"({RANK_FUNCTION}(CAST(:weights AS real[]), {vector}, q.full_q, "
                     f"{RANK_NORMALISATION}) + {float(TYPED_BONUS)} * {RANK_FUNCTION}("
                     f"CAST(:weights AS real[]), {vector}, q.own_q, {RANK_NORMALISATION})) "
                     f"* d.boost * {coordination}")
        fields = ["body", "title", "tags"] + (["progress"] if scope.insider else [])
        headlines = ", ".join(
            f"CASE WHEN q.full_q IS NULL THEN NULL ELSE "
            f"ts_headline('english', d.{name}, q.full_q, :headline) END AS hl_{name}"
            for name in fields)
        params["headline"] = HEADLINE
        sql = f"""
        WITH q AS ({query_cte}),
        matched AS MATERIALIZED (
            SELECT d.doc_id, d.kind, d.csp, d.year, d.death_type, d.themes, d.agencies,
                   {score} AS score
            FROM search_documents AS d, q WHERE {' AND '.join(where)}),
        facets AS (SELECT name, value, n FROM ({_facets_sql()}) AS c),
        facet_json AS (SELECT COALESCE(jsonb_agg(jsonb_build_array(name, value, n)),
                                       '[]'::jsonb) AS j FROM facets),
        top AS (SELECT doc_id, score FROM matched ORDER BY score DESC, doc_id
                LIMIT :limit OFFSET :offset),
        page AS (SELECT top.score, d.doc_id, d.kind, d.review_id, d.title, d.body,
                        d.reference, d.published, d.recommendation_id, d.number, d.source,
                        d.heading, {headlines}
                 FROM top JOIN search_documents AS d ON d.doc_id = top.doc_id, q)
        SELECT facet_json.j AS facets, page.* FROM facet_json LEFT JOIN page ON TRUE
        ORDER BY page.score DESC, page.doc_id
        """  # noqa: S608
        rows = connection.execute(text(sql), params).mappings().all()
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name, value, count in rows[0]["facets"]:
            if value:
                facets[name][str(value)] = count
        facets = {name: _counts(counts) for name, counts in facets.items()}
        total = sum(facets["kind"].values())
        hits = [self._hit(row, fields) for row in rows if row["doc_id"] is not None]
        return SearchResults(total=total, hits=hits, facets=facets, page=page,
                             pages=math.ceil(total / request.per_page))

    def _hit(self, row: Any, fields: list[str]) -> Hit:
        snippet, spans = opening(row["body"]), []
        for name in fields:
            marked = row[f"hl_{name}"]
            if marked and START in marked:
                snippet, spans = offsets(marked)
                break
        return Hit(doc_id=row["doc_id"], kind=row["kind"], review_id=row["review_id"],
                   title=row["title"], snippet=snippet, highlights=spans,
                   score=round(float(row["score"] or 0), 4), reference=row["reference"],
                   is_published=row["published"], recommendation_id=row["recommendation_id"],
                   number=row["number"], source=row["source"], heading=row["heading"])

    def _like_query(self, connection: Connection, doc_id: str, scope: Scope) -> str | None:
        """More like this: the item's key words (frequent in its text, rare in the index), as
        a tsquery; None when the caller may not see the item or it has no words."""
        params: dict[str, Any] = {"doc_id": doc_id, "candidates": LIKE_CANDIDATES,
                                  "terms": LIKE_TERMS}
        sql = f"""
        WITH source AS (SELECT d.vector FROM search_documents AS d
                        WHERE d.doc_id = :doc_id AND {_scope_sql(scope, params)}),
        words AS (SELECT w.lexeme, cardinality(w.positions) AS tf
                  FROM source, unnest(source.vector) AS w
                  WHERE 'B' = ANY(w.weights) AND length(w.lexeme) >= 3
                  ORDER BY tf DESC, w.lexeme LIMIT :candidates),
        total AS (SELECT count(*) AS n FROM search_documents),
        scored AS (SELECT words.lexeme, words.tf * ln((total.n + 1.0) / (
                       (SELECT count(*) FROM search_documents AS o
                        WHERE o.vector @@ CAST(quote_literal(words.lexeme) AS tsquery)) + 1.0
                   )) AS weight FROM words, total)
        SELECT string_agg(quote_literal(lexeme), ' | ')
        FROM (SELECT lexeme FROM scored ORDER BY weight DESC, lexeme LIMIT :terms) AS best
        """  # noqa: S608
        return connection.execute(text(sql), params).scalar() or None

    def _suggest(self, connection: Connection, text_q: str, scope: Scope,
                 request: SearchRequest, thesaurus: Thesaurus) -> str | None:
        """Did you mean: each unknown word replaced by the closest known word, offered only
        when that word finds something the caller may see (never a hint of a hidden item)."""
        words = [w for w in query_text.plain_words(text_q) if w.lower() not in thesaurus]
        lowered = sorted({w.lower() for w in words})
        known = set(connection.execute(
            text("SELECT word FROM search_words WHERE word = ANY(:words)"),
            {"words": lowered}).scalars())
        trigrams = bool(connection.execute(text(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar())
        vector = "d.insider_vector" if scope.insider else "d.vector"
        corrected, changed = text_q, False
        for word in words:
            if word.lower() in known:
                continue
            for candidate in self._candidates(connection, word.lower(), trigrams):
                params: dict[str, Any] = {"candidate": candidate}
                condition = (f"{vector} @@ websearch_to_tsquery('english', :candidate) AND "
                             f"{_scope_sql(scope, params)} AND "
                             f"{_selection_sql(request, params)}")
                found = connection.execute(text(
                    f"SELECT 1 FROM search_documents AS d WHERE {condition} LIMIT 1"  # noqa: S608
                ), params).scalar()
                if found:
                    corrected = re.sub(rf"\b{re.escape(word)}\b", candidate, corrected,
                                       count=1)
                    changed = True
                    break
        return corrected if changed else None

    def _candidates(self, connection: Connection, word: str, trigrams: bool) -> list[str]:
        if trigrams:
            return list(connection.execute(text(
                "SELECT word FROM search_words WHERE similarity(word, :w) > 0.3 "
                "ORDER BY similarity(word, :w) DESC, word LIMIT 3"), {"w": word}).scalars())
        # No pg_trgm: words with the same first letter, compared here.
        same_start = connection.execute(text(
            "SELECT word FROM search_words WHERE word >= :low AND word < :high "
            "AND length(word) BETWEEN :short AND :long"),
            {"low": word[:1], "high": word[:1] + "\uffff", "short": len(word) - 2,
             "long": len(word) + 2}).scalars().all()
        return difflib.get_close_matches(word, same_start, n=3, cutoff=0.75)

    # --- writing --------------------------------------------------------------------------

    def replace_review(self, review_id: int, items: list[SearchItem],
                       fingerprint: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"),
                               {"k": REBUILD_LOCK})
            connection.execute(text("SELECT pg_advisory_xact_lock(:k, :id)"),
                               {"k": REVIEW_LOCK, "id": review_id})
            connection.execute(text("DELETE FROM search_documents WHERE review_id = :id"),
                               {"id": review_id})
            self._insert(connection, items, fingerprint)

    def _insert(self, connection: Connection, items: list[SearchItem],
                fingerprint: str) -> None:
        if not items:
            return
        connection.execute(_INSERT, [_row(item, fingerprint) for item in items])
        public = " ".join(clean(f"{i.title} {i.body} {i.tags}") for i in items)
        connection.execute(_WORDS_INSERT, {"text": public, "least": MIN_WORD,
                                           "most": MAX_WORD})

    def fingerprint(self, review_id: int) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                text("SELECT fingerprint FROM search_documents WHERE doc_id = :doc_id"),
                {"doc_id": f"review:{review_id}"}).scalar()

    def fingerprints(self) -> dict[int, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT review_id, max(CASE WHEN kind = 'review' THEN fingerprint ELSE '' END) "
                "FROM search_documents GROUP BY review_id"))
            return {review_id: digest or "" for review_id, digest in rows}

    def rebuild(self, reviews: Iterable[tuple[int, list[SearchItem], str]],
                progress: Callable[[], None]) -> None:
        """All in one transaction: searches see the old rows until it commits, and a rebuild
        that fails leaves them as they were. Updates of single reviews wait for it."""
        with self.engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": REBUILD_LOCK})
            connection.execute(text("DELETE FROM search_documents"))
            for _review_id, items, fingerprint in reviews:
                self._insert(connection, items, fingerprint)
                progress()
