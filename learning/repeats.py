"""Repeated recommendations: the recommendations in other reviews that say much the same thing
in other words, and clusters of them across the county.

Method (chosen and measured by benchmarks/repeats.py): each text is lower-cased, stripped of
punctuation, the domain thesaurus groups (GP / general practitioner, IDVA, DASH, MARAC,
coercive control / controlling behaviour...) are each mapped to one token, stop words are
dropped and the rest stemmed (Snowball English, the stemmer that ships inside whoosh, already a
dependency). Texts are compared by TF-IDF cosine (sublinear term frequency, smoothed IDF over
the corpus the caller may see), so the words every recommendation shares ("domestic abuse",
"ensure") weigh little and the action words weigh most.

Only what the caller may see is compared or returned: the corpus is built from
`visible_entries(user)` (practitioners: published reviews only; nobody: withdrawn reviews) and
cached per visibility scope and corpus version (`visible_corpus`), so a reworded, added,
published or withheld recommendation gives a new corpus and nothing stale is served.

The thesaurus is the shipped one of dhr/search/thesaurus.py (the groups search expands queries
with), without a deployment's own additions, so clusters do not move with a local file.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache, partial
from threading import Lock
from typing import NamedTuple, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload
from whoosh.lang.snowball.english import EnglishStemmer

from dhr.extensions import db
from dhr.models import Area, Csp, Review, User
from dhr.permissions import visible_reviews_clause
from dhr.search.thesaurus import shipped_groups
from learning.models import Recommendation, RecommendationUpdate

# Two recommendations at or above this cosine are "much the same". Chosen on the labelled
# pairs of benchmarks/data/repeats_pairs.json (see the table benchmarks/repeats.py prints).
THRESHOLD = 0.30
# How scores read on the pages: the first band whose floor the score reaches.
SCORE_WORDS = ((0.55, "very similar"), (0.4, "similar"), (THRESHOLD, "somewhat similar"))
SIMILAR_LIMIT = 10

STOP_WORDS = frozenset((
    "a", "about", "above", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "each",
    "either", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "may",
    "me", "might", "more", "most", "must", "my", "no", "nor", "not", "of", "on", "once", "only",
    "or", "other", "our", "out", "over", "own", "same", "shall", "she", "should", "so", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "upon", "us", "very", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with",
    "within", "would", "yet", "you", "your",
))

_APOSTROPHES = re.compile(r"['\u2019]")
_WORDS = re.compile(r"[a-z0-9]+")


class HasText(Protocol):
    """What the comparison needs of a recommendation (an ORM object or a selected row)."""

    id: int
    review_id: int
    text: str


class Entry(NamedTuple):
    """A recommendation as compared: a tuple, so a corpus hashes and compares at C speed."""

    id: int
    review_id: int
    text: str


@dataclass(frozen=True)
class Cluster:
    """Recommendations from different reviews that say much the same thing."""

    member_ids: tuple[int, ...]     # the representative first
    representative_id: int          # the member closest on average to the others
    cohesion: float                 # mean similarity between members


def _words(text: str) -> list[str]:
    return _WORDS.findall(_APOSTROPHES.sub("", text.lower()))


_stem = lru_cache(maxsize=100_000)(EnglishStemmer().stem)  # the Snowball code is slow


@cache
def _thesaurus() -> tuple[dict[tuple[str, ...], str], int]:
    """Stemmed phrase -> one token per synonym group, and the longest phrase length.
    Phrases are matched on stems, so "general practitioners" finds "general practitioner"."""
    phrases: dict[tuple[str, ...], str] = {}
    for group in shipped_groups():
        token = "=" + "_".join(_words(group[0]))
        for phrase in group:
            phrases.setdefault(tuple(_stem(w) for w in _words(phrase)), token)
    return phrases, max(len(p) for p in phrases)


@lru_cache(maxsize=50_000)
def analyse(text: str, ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Text -> comparable tokens: thesaurus groups as one token each, then the stems of the
    other words that are neither stop words nor in `ignore` (place names: "GP practices in
    Hertsmere" and "GP practices in Broxbourne" ask the same thing)."""
    phrases, longest = _thesaurus()
    words = [w for w in _words(text) if w not in ignore]
    stems = [_stem(w) for w in words]
    tokens: list[str] = []
    i = 0
    while i < len(stems):
        for size in range(min(longest, len(stems) - i), 0, -1):
            token = phrases.get(tuple(stems[i:i + size]))
            if token is not None:
                tokens.append(token)
                i += size
                break
        else:
            if words[i] not in STOP_WORDS and len(words[i]) > 1:
                tokens.append(stems[i])
            i += 1
    return tuple(tokens)


def place_words() -> frozenset[str]:
    """The words of the organisation's area and CSP names, left out of comparisons."""
    names = db.session.scalars(select(Csp.name).union(select(Area.name)))
    return frozenset(w for name in names for w in _words(name))


class Corpus:
    """TF-IDF vectors of a set of recommendations, with an inverted index for lookups."""

    def __init__(self, entries: Sequence[Entry],
                 analyser: Callable[[str], tuple[str, ...]] = analyse):
        self.entries = {e.id: e for e in entries}
        self.analyser = analyser
        counts = {e.id: Counter(analyser(e.text)) for e in entries}
        self.df = Counter(term for c in counts.values() for term in c)
        self.vectors = {eid: self._vector(c) for eid, c in counts.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for eid, vector in self.vectors.items():
            for t, w in vector.items():
                self.postings[t].append((eid, w))

    def _idf(self, term: str) -> float:
        return math.log((len(self.entries) + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        weights = {t: (1.0 + math.log(k)) * self._idf(t) for t, k in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def score(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        return sum(va[t] * vb[t] for t in va.keys() & vb.keys())

    def _scores_against(self, vector: dict[str, float]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for t, wq in vector.items():
            for other, w in self.postings.get(t, ()):
                scores[other] += wq * w
        return scores

    def similar(self, item: HasText, threshold: float = THRESHOLD,
                limit: int | None = SIMILAR_LIMIT) -> list[tuple[int, float]]:
        """Entries of OTHER reviews scoring at least `threshold` against `item` (in the corpus
        or not: a text outside it is weighed with the corpus's IDF), best first."""
        vector = self.vectors.get(item.id) if item.id in self.entries and (
            self.entries[item.id].text == item.text) else None
        if vector is None:
            vector = self._vector(Counter(self.analyser(item.text)))
        found = [(other, s) for other, s in self._scores_against(vector).items()
                 if s >= threshold and self.entries[other].review_id != item.review_id
                 and other != item.id]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:limit] if limit is not None else found

    @cached_property
    def pairs(self) -> list[tuple[float, int, int]]:
        """Every pair from different reviews at or above THRESHOLD, best first.

        Exact, without comparing every pair (prefix filtering, as in Bayardo et al.'s
        All-Pairs): terms are put in one order, most common first. A text's common-first
        prefix whose weights have a norm under THRESHOLD cannot by itself make a match, so
        two texts at the threshold must share a term outside both prefixes; only those
        rarer terms are indexed, and only the texts sharing one are scored."""
        rank = {t: i for i, t in enumerate(sorted(self.df, key=lambda t: (-self.df[t], t)))}
        rare: dict[int, list[tuple[str, float]]] = {}
        index: dict[str, list[int]] = defaultdict(list)
        for eid, vector in self.vectors.items():
            covered, terms = 0.0, sorted(vector.items(), key=lambda tw: rank[tw[0]])
            start = 0
            while start < len(terms) and covered + terms[start][1] ** 2 < THRESHOLD ** 2:
                covered += terms[start][1] ** 2
                start += 1
            rare[eid] = terms[start:]
            for t, _ in rare[eid]:
                index[t].append(eid)
        found = []
        for a, terms in rare.items():
            review_id = self.entries[a].review_id
            candidates = {b for t, _ in terms for b in index[t] if b > a}
            for b in candidates:
                if self.entries[b].review_id != review_id:
                    score = self.score(a, b)
                    if score >= THRESHOLD:
                        found.append((score, a, b))
        found.sort(key=lambda p: (-p[0], p[1], p[2]))
        return found

    @cached_property
    def clusters(self) -> list[Cluster]:
        """Greedy average-linkage grouping of the pairs: two groups join only if their mean
        similarity reaches the threshold and they share no review, so a cluster holds each
        review's recommendation at most once and a chain of loosely related texts does not
        snowball into one group."""
        group_of = {eid: eid for eid in self.entries}
        members: dict[int, list[int]] = {}
        reviews: dict[int, set[int]] = {}
        size_at_refusal: dict[tuple[int, int], tuple[int, int]] = {}
        scores = {(a, b): score for score, a, b in self.pairs}

        def known(x: int, y: int) -> float:
            key = (x, y) if x < y else (y, x)
            if key not in scores:
                scores[key] = self.score(x, y)
            return scores[key]

        for _, a, b in self.pairs:
            ga, gb = group_of[a], group_of[b]
            if ga == gb:
                continue
            left, right = members.get(ga, [a]), members.get(gb, [b])
            if size_at_refusal.get((ga, gb)) == (len(left), len(right)):
                continue  # refused already, and neither group has changed since
            left_reviews = reviews.get(ga) or {self.entries[a].review_id}
            right_reviews = reviews.get(gb) or {self.entries[b].review_id}
            if left_reviews & right_reviews or (len(left) * len(right) > 1 and sum(
                    known(x, y) for x in left for y in right) < THRESHOLD * len(
                    left) * len(right)):
                size_at_refusal[ga, gb] = (len(left), len(right))
                continue
            members[ga] = left + right
            reviews[ga] = left_reviews | right_reviews
            for m in right:
                group_of[m] = ga
            members.pop(gb, None)
            reviews.pop(gb, None)
        return [self._cluster(ids) for ids in members.values()]

    def _cluster(self, ids: list[int]) -> Cluster:
        def mean_to_others(m: int) -> float:
            return sum(self.score(m, o) for o in ids if o != m) / (len(ids) - 1)

        means = {m: mean_to_others(m) for m in ids}
        representative = max(ids, key=lambda m: (means[m], -m))
        ordered = (representative, *sorted((m for m in ids if m != representative),
                                           key=lambda m: (-means[m], m)))
        return Cluster(ordered, representative, sum(means.values()) / len(ids))


@lru_cache(maxsize=16)
def corpus_of(entries: tuple[Entry, ...], ignore: frozenset[str] = frozenset()) -> Corpus:
    """One vectorised corpus per exact content: callers with the same content share it."""
    return Corpus(entries, partial(analyse, ignore=ignore))


def _entries(visible: Iterable[HasText]) -> tuple[Entry, ...]:
    return tuple(sorted((Entry(r.id, r.review_id, r.text) for r in visible),
                        key=lambda e: e.id))


def similar_to(recommendation: HasText, visible: Iterable[HasText] | Corpus,
               ignore: frozenset[str] = frozenset(),
               limit: int | None = SIMILAR_LIMIT) -> list[tuple[int, float]]:
    """(id, score) of visible recommendations in other reviews that say much the same thing as
    `recommendation`, best first. `ignore`: words left out, such as `place_words()`."""
    corpus = visible if isinstance(visible, Corpus) else corpus_of(_entries(visible), ignore)
    return corpus.similar(recommendation, limit=limit)


def repeat_clusters(visible: Iterable[HasText] | Corpus,
                    ignore: frozenset[str] = frozenset()) -> list[Cluster]:
    """Clusters of visible recommendations from different reviews that repeat one another."""
    corpus = visible if isinstance(visible, Corpus) else corpus_of(_entries(visible), ignore)
    return corpus.clusters


# --- what a user may see, from the database ---------------------------------------------------


def _visible(user: User) -> tuple[ColumnElement[bool], ...]:
    return (visible_reviews_clause(user), Review.state != "withdrawn")


def visible_entries(user: User) -> list[Entry]:
    """The recommendations `user` may see, outside withdrawn reviews, as plain rows."""
    rows = db.session.execute(
        select(Recommendation.id, Recommendation.review_id, Recommendation.text)
        .join(Review, Review.id == Recommendation.review_id).where(*_visible(user))
        .order_by(Recommendation.id)).tuples()
    return list(map(Entry._make, rows))


def _scope(user: User) -> tuple[object, ...]:
    """Everything visible_reviews_clause depends on: users alike here see the same corpus."""
    return (user.role, user.area_id, tuple(sorted(user.csp_ids)),
            user.id if user.role == "chair" else None)


_CORPORA: OrderedDict[tuple[object, ...], Corpus] = OrderedDict()
_CORPORA_LOCK = Lock()
_CORPORA_KEPT = 16


def visible_corpus(user: User) -> Corpus:
    """The vectorised corpus of what `user` may see, cached per scope and corpus version.

    The version (how many, the sum of their ids, the latest change) is one aggregate query;
    the texts are read and vectorised again only when it moves, so a warm lookup at a few
    thousand recommendations costs milliseconds. Rewording touches updated_dt; publishing,
    withholding, withdrawing or adding changes which ids are counted."""
    count, id_sum, latest = db.session.execute(
        select(func.count(Recommendation.id), func.coalesce(func.sum(Recommendation.id), 0),
               func.max(Recommendation.updated_dt))
        .join(Review, Review.id == Recommendation.review_id).where(*_visible(user))).one()
    ignore = place_words()
    key = (_scope(user), count, id_sum, latest, ignore)
    with _CORPORA_LOCK:
        corpus = _CORPORA.get(key)
        if corpus is not None:
            _CORPORA.move_to_end(key)
            return corpus
    corpus = Corpus(visible_entries(user), partial(analyse, ignore=ignore))
    with _CORPORA_LOCK:
        _CORPORA[key] = corpus
        while len(_CORPORA) > _CORPORA_KEPT:
            _CORPORA.popitem(last=False)
    return corpus


@dataclass(frozen=True)
class RepeatGroup:
    """A cluster with its recommendations loaded, as the API and the page show it."""

    representative: Recommendation
    members: list[Recommendation]   # in the order the reviews were held
    cohesion: float

    @property
    def written(self) -> int:
        return len(self.members)

    def _count(self, status: str) -> int:
        return sum(1 for m in self.members if m.status == status)

    @property
    def completed(self) -> int:
        return self._count("completed")

    @property
    def open(self) -> int:
        return self._count("open")

    @property
    def closed(self) -> int:
        return self._count("closed")


def load_recommendations(ids: Iterable[int]) -> dict[int, Recommendation]:
    """The recommendations with what the serialiser and the pages read, in a few queries."""
    wanted = list(ids)
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Recommendation).where(Recommendation.id.in_(wanted))
        .options(selectinload(Recommendation.review).selectinload(Review.csp),
                 selectinload(Recommendation.updates).selectinload(RecommendationUpdate.author)))
    return {r.id: r for r in found}


def repeat_groups(user: User) -> list[RepeatGroup]:
    """The clusters among what `user` may see: most repeated, then least acted on, first."""
    clusters = visible_corpus(user).clusters
    loaded = load_recommendations(i for c in clusters for i in c.member_ids)
    groups = []
    for cluster in clusters:
        members = sorted((loaded[i] for i in cluster.member_ids),
                         key=lambda r: (r.review.date_of_death, r.review.reference, r.id))
        groups.append(RepeatGroup(loaded[cluster.representative_id], members, cluster.cohesion))
    groups.sort(key=lambda g: (-g.written, g.completed, -g.cohesion, g.representative.id))
    return groups


def score_words(score: float) -> str:
    """'very similar', 'similar' or 'somewhat similar', for the pages."""
    return next((words for floor, words in SCORE_WORDS if score >= floor), "not similar")
