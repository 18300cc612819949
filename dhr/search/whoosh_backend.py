"""The embedded Whoosh backend: query parsing, permission filter, facets, snippets, writing.

The caller's permissions become a Whoosh `filter=` query, applied inside the search before
anything is counted, ranked, faceted or paged, so no total or facet count can reveal an item
the caller may not see.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from whoosh import collectors, highlight, query
from whoosh import index as whoosh_index
from whoosh.qparser import FieldsPlugin, MultifieldParser, OrGroup
from whoosh.reading import IndexReader
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from dhr.search import index as storage
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
from dhr.search.snippets import END, SNIPPET_CHARS, START, clean, offsets, opening
from dhr.search.thesaurus import Thesaurus

PUBLIC_FIELDS = ("title", "body", "tags")
INSIDER_FIELDS = ("progress",)
# Chosen with benchmarks/relevance.py: a word among the theme and agency labels counts for
# less than one in the text itself (the labels are shared by every item of a review).
FIELD_BOOSTS = {"title": 1.0, "body": 1.0, "tags": 0.5, "progress": 0.8}
# Words without an operator are alternatives, an item matching more of them ranking higher
# (benchmarks/relevance.py: requiring every word lost "stalking after separation" to the
# word "after"). AND, OR, NOT and quotes still work as typed.
WORD_GROUP = OrGroup.factory(0.9)
WRITE_TIMEOUT_SECONDS = 30.0
LIKE_TERMS = 8  # key words taken from an item for "more like this"
REBUILD_WRITER: dict = {}


class _Markers(highlight.Formatter):
    """Marks matched words with two control characters, turned into offsets afterwards."""

    between = " … "

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"{START}{highlight.get_text(text, token, replace)}{END}"


def _documents(items: list[SearchItem], fingerprint: str) -> Iterator[dict]:
    """The index documents of one review's items. The words for "did you mean" are written
    once per review, on its first item, rather than on every item: a rebuild writes far
    fewer of them (a suggestion is still only offered when it finds something the searcher
    may see)."""
    words = {word for item in items
             for word in _WORD.findall(clean(f"{item.title} {item.body} {item.tags}"))}
    for n, item in enumerate(items):
        yield _fields(item, fingerprint, " ".join(sorted(words)) if n == 0 else "")


_WORD = re.compile(r"\w+(?:\.?\w+)*")  # as Whoosh's StandardAnalyzer reads words


def _fields(item: SearchItem, fingerprint: str, spell: str) -> dict:
    return {
        "doc_id": item.doc_id, "kind": item.kind, "review_id": str(item.review_id),
        "title": clean(item.title), "body": clean(item.body), "tags": clean(item.tags),
        "progress": clean(item.progress), "spell": spell,
        "csp": item.csp, "year": item.year, "death_type": item.death_type,
        "theme": ",".join(item.themes), "agency": ",".join(item.agencies),
        "csp_id": str(item.csp_id), "area_id": str(item.area_id),
        "pool_member": ",".join(str(i) for i in item.pool_member_ids),
        "published": "yes" if item.is_published else "no",
        "recommendation_id": item.recommendation_id, "reference": item.reference,
        "number": item.number, "source": item.source, "heading": item.heading,
        "status": item.status, "fingerprint": fingerprint if item.kind == "review" else "",
        "_boost": item_boost(item),
    }


def permission_filter(scope: Scope) -> query.Query | None:
    """The Whoosh query selecting what `scope` may see (None: everything)."""
    if scope.everything:
        return None
    allowed: list[query.Query] = []
    if scope.published:
        allowed.append(query.Term("published", "yes"))
    allowed += [query.Term("area_id", str(i)) for i in sorted(scope.area_ids)]
    allowed += [query.Term("csp_id", str(i)) for i in sorted(scope.csp_ids)]
    allowed += [query.Term("pool_member", str(i)) for i in sorted(scope.pool_member_ids)]
    return query.Or(allowed) if allowed else query.NullQuery


def _selection_filter(request: SearchRequest) -> list[query.Query]:
    parts = []
    for facet, values in request.selections().items():
        if values:
            parts.append(query.Or([query.Term(facet, v) for v in values]))
    return parts


def _combined_filter(scope: Scope, request: SearchRequest) -> query.Query | None:
    parts = _selection_filter(request)
    allowed = permission_filter(scope)
    if allowed is not None:
        parts.append(allowed)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _parser(scope: Scope) -> MultifieldParser:
    fields = list(PUBLIC_FIELDS) + (list(INSIDER_FIELDS) if scope.insider else [])
    parser = MultifieldParser(fields, storage.SCHEMA, group=WORD_GROUP,
                              fieldboosts={f: FIELD_BOOSTS[f] for f in fields})
    # No `field:value` syntax: a searcher must not reach into a field (the progress log, the
    # permission fields) beyond those searched for them.
    parser.remove_plugin_class(FieldsPlugin)
    return parser


def _not_means_without(parsed: query.Query) -> query.Query:
    """With words as alternatives, Whoosh reads `anxiety NOT injury` as "anxiety, or anything
    without injury"; searchers mean "anxiety without injury"."""
    if isinstance(parsed, query.Or):
        children = [_not_means_without(c) for c in parsed.subqueries]
        wanted = [c for c in children if not isinstance(c, query.Not)]
        unwanted = [c.query for c in children if isinstance(c, query.Not)]
        if wanted and unwanted:
            return query.AndNot(_either(wanted, parsed), _either(unwanted, parsed))
        return _either(children, parsed)
    if isinstance(parsed, query.And | query.AndNot | query.AndMaybe | query.Not):
        return parsed.apply(_not_means_without)
    return parsed


def _either(children: list[query.Query], like: query.Or) -> query.Query:
    return children[0] if len(children) == 1 else query.Or(children, scale=like.scale)


def _like(searcher: Searcher, doc_id: str, scope: Scope) -> tuple[query.Query, set[int]]:
    """More like this: the key words of an item's public text (never its progress log), if
    the caller may see the item; the item itself is left out of the results."""
    found = searcher.search(query.Term("doc_id", doc_id), filter=permission_filter(scope),
                            limit=1)
    if found.is_empty():
        return query.NullQuery, set()
    hit = found[0]
    words = searcher.key_terms_from_text("body", hit.get("body") or "", numterms=LIKE_TERMS)
    if not words:
        return query.NullQuery, set()
    return query.Or([query.Term("body", word, boost=weight) for word, weight in words]), \
        {hit.docnum}


_MULTI_VALUED = frozenset({"theme", "agency"})


def _facet_values(reader: IndexReader, name: str) -> list:
    """Each document's value of facet `name` in one segment (a tuple for theme and agency),
    read from the postings once per segment instead of once per search as Whoosh's own
    facets do."""
    multi = name in _MULTI_VALUED
    values: list = [() if multi else None] * reader.doc_count_all()
    for term in reader.lexicon(name):
        value = term.decode()
        for doc in reader.postings(name, term).all_ids():
            values[doc] = values[doc] + (value,) if multi else value
    return values


class _Matches(collectors.WrappingCollector):
    """Passes every match on to the ranking collector and keeps its number, per segment,
    with that segment's facet values: the facets and the total are then counted over the
    matches without Whoosh's per-search facet set-up."""

    def __init__(self, child: collectors.Collector, reading: storage.Reading):
        super().__init__(child)
        self.reading = reading
        self.segments: list[tuple[dict[str, list], list[int]]] = []

    def set_subsearcher(self, subsearcher: Searcher, offset: int) -> None:
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        segment = reader.segment()  # None for an empty index's reader: nothing to keep
        key = segment.segment_id() if segment is not None else ""
        values = self.reading.per_segment.get(key)
        if values is None:
            values = {name: _facet_values(reader, name) for name in FACETS}
            if key:
                self.reading.per_segment[key] = values
        docs: list[int] = []
        self.segments.append((values, docs))
        self._keep = docs.append

    def collect(self, sub_docnum: int) -> None:
        self._keep(sub_docnum)
        self.child.collect(sub_docnum)

    def total(self) -> int:
        return sum(len(docs) for _values, docs in self.segments)

    def facets(self) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter] = {name: Counter() for name in FACETS}
        for values, docs in self.segments:
            for name in FACETS:
                found = map(values[name].__getitem__, docs)
                counts[name].update(chain.from_iterable(found) if name in _MULTI_VALUED
                                    else found)
        return {name: _counts(counted) for name, counted in counts.items()}


def _snippet(hit: WhooshHit, scope: Scope) -> tuple[str, list[tuple[int, int]]]:
    fields = ["body", "title", "tags"] + (["progress"] if scope.insider else [])
    for name in fields:
        if not hit.get(name):
            continue
        marked = hit.highlights(name, top=2)
        if marked:
            return offsets(marked)
    return opening(hit.get("body") or ""), []


def _counts(groups: Counter) -> dict[str, int]:
    return dict(sorted(((key, n) for key, n in groups.items() if key),
                       key=lambda kv: (-kv[1], kv[0])))


class WhooshBackend:
    """SearchBackend on the embedded index in DATA_DIR/search-index."""

    def status(self) -> str:
        return storage.search_status()

    # --- reading --------------------------------------------------------------------------

    def search(self, request: SearchRequest, scope: Scope,
               thesaurus: Thesaurus) -> SearchResults:
        if scope.nothing:
            return SearchResults(total=0, hits=[], facets={f: {} for f in FACETS},
                                 page=1, pages=0)
        text = request.q.strip()
        allowed = _combined_filter(scope, request)
        reading = storage.reading()
        searcher = reading.searcher
        mask: set[int] = set()
        if request.like:
            parsed, mask = _like(searcher, request.like, scope)
        elif text:
            parsed = _not_means_without(
                _parser(scope).parse(query_text.expand(text, thesaurus)))
        else:
            parsed = query.Every()
        message = None
        if parsed is query.NullQuery and not request.like:
            message = NO_WORDS
        page = max(1, request.page)
        # Every match is scored and counted (no block-quality skipping): the facets and the
        # total cover all of them.
        matches = _Matches(collectors.TopCollector(limit=page * request.per_page,
                                                   usequality=False), reading)
        allow = None if allowed is None else storage.filter_docs(
            reading, repr(allowed), lambda: set(searcher.docs_for_query(allowed)))
        collector = collectors.FilterCollector(matches, allow=allow, restrict=mask or None)
        # An empty set would read as "no filter": nothing the caller may see, nothing matched.
        searcher.search_with_collector(query.NullQuery if allow == set() else parsed,
                                       collector)
        results = collector.results()
        results.formatter = _Markers()
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
        total = matches.total()
        first = (page - 1) * request.per_page
        hits = [self._hit(hit, scope) for hit in results[first:first + request.per_page]]
        facets = matches.facets()
        suggestion = (self._suggest(searcher, text, scope, request, thesaurus)
                      if text and not request.like and total == 0 and message is None
                      else None)
        return SearchResults(total=total, hits=hits, facets=facets, page=page,
                             pages=math.ceil(total / request.per_page), suggestion=suggestion,
                             message=message)

    def _hit(self, hit: WhooshHit, scope: Scope) -> Hit:
        snippet, spans = _snippet(hit, scope)
        return Hit(doc_id=hit["doc_id"], kind=hit["kind"], review_id=int(hit["review_id"]),
                   title=hit["title"],
                   snippet=snippet, highlights=spans, score=round(float(hit.score or 0), 4),
                   reference=hit["reference"],
                   is_published=hit["published"] == "yes",
                   recommendation_id=hit.get("recommendation_id"),
                   number=hit.get("number") or "", source=hit.get("source") or "",
                   heading=hit.get("heading") or "")

    def _suggest(self, searcher: Searcher, text: str, scope: Scope, request: SearchRequest,
                 thesaurus: Thesaurus) -> str | None:
        """Did you mean: each unknown word replaced by the closest indexed word, offered only
        when that word finds something the caller may see (never a hint of a hidden item)."""
        corrector = searcher.corrector("spell")
        reader = searcher.reader()
        allowed = _combined_filter(scope, request)
        parser = _parser(scope)
        corrected = text
        changed = False
        for word in query_text.plain_words(text):
            lowered = word.lower()
            if ("spell", lowered) in reader or lowered in thesaurus:
                continue
            for candidate in corrector.suggest(lowered, limit=3, maxdist=2):
                found = searcher.search(parser.parse(candidate), limit=1, filter=allowed)
                if not found.is_empty():
                    corrected = re.sub(rf"\b{re.escape(word)}\b", candidate, corrected, count=1)
                    changed = True
                    break
        return corrected if changed else None

    # --- writing --------------------------------------------------------------------------

    def replace_review(self, review_id: int, items: list[SearchItem],
                       fingerprint: str) -> None:
        """One writer at a time: Whoosh's lock, waited for up to WRITE_TIMEOUT_SECONDS."""
        ix = storage.open_index()
        try:
            with ix.writer(timeout=WRITE_TIMEOUT_SECONDS) as writer:
                writer.delete_by_term("review_id", str(review_id))
                for fields in _documents(items, fingerprint):
                    writer.add_document(**fields)
        finally:
            ix.close()

    def fingerprint(self, review_id: int) -> str | None:
        with storage.searcher() as searcher:
            fields = searcher.document(doc_id=f"review:{review_id}")
        return fields.get("fingerprint") if fields else None

    def fingerprints(self) -> dict[int, str]:
        with storage.searcher() as searcher:
            found: dict[int, str] = {}
            for fields in searcher.all_stored_fields():
                review_id = int(fields["review_id"])
                if fields["kind"] == "review":
                    found[review_id] = fields.get("fingerprint") or ""
                else:
                    found.setdefault(review_id, "")
        return found

    def rebuild(self, reviews: Iterable[tuple[int, list[SearchItem], str]],
                progress: Callable[[], None]) -> None:
        generation = storage.new_generation()
        ix = whoosh_index.open_dir(generation)
        with ix.writer(**REBUILD_WRITER) as writer:
            for _review_id, items, fingerprint in reviews:
                for fields in _documents(items, fingerprint):
                    writer.add_document(**fields)
                progress()
        ix.close()
        storage.serve(generation)
