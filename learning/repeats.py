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
`visible_entries(user)`. The vectorised corpus is cached per exact content (ids, reviews and
texts), so a changed or added recommendation gives a new corpus and nothing stale is served.

The thesaurus loader here is deliberately local for now; dhr/search/thesaurus.py loads the same
file for query expansion and the two are to be made one.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache, partial
from importlib import resources
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh.lang.snowball.english import EnglishStemmer

from dhr.extensions import db
from dhr.models import Area, Csp, Review, User
from dhr.permissions import visible_reviews_clause
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


_stem = EnglishStemmer().stem


@cache
def _thesaurus() -> tuple[dict[tuple[str, ...], str], int]:
    """Stemmed phrase -> one token per synonym group, and the longest phrase length.
    Phrases are matched on stems, so "general practitioners" finds "general practitioner"."""
    raw = resources.files("dhr.reference").joinpath("thesaurus.json").read_text("utf-8")
    phrases: dict[tuple[str, ...], str] = {}
    for group in json.loads(raw)["groups"]:
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
        counts = {e.id: Counter(analyser(e.text)) for e in entries}
        df = Counter(term for c in counts.values() for term in c)
        n = len(entries)
        idf = {term: math.log((n + 1) / (d + 1)) + 1.0 for term, d in df.items()}
        self.vectors: dict[int, dict[str, float]] = {}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for eid, c in counts.items():
            weights = {t: (1.0 + math.log(k)) * idf[t] for t, k in c.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            vector = {t: w / norm for t, w in weights.items()}
            self.vectors[eid] = vector
            for t, w in vector.items():
                self.postings[t].append((eid, w))

    def score(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        if len(vb) < len(va):
            va, vb = vb, va
        return sum(w * vb.get(t, 0.0) for t, w in va.items())

    def _scores_against(self, eid: int) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for t, wq in self.vectors[eid].items():
            for other, w in self.postings[t]:
                scores[other] += wq * w
        return scores

    def similar(self, eid: int, threshold: float = THRESHOLD,
                limit: int | None = SIMILAR_LIMIT) -> list[tuple[int, float]]:
        """Entries of OTHER reviews scoring at least `threshold` against `eid`, best first."""
        review_id = self.entries[eid].review_id
        found = [(other, s) for other, s in self._scores_against(eid).items()
                 if s >= threshold and self.entries[other].review_id != review_id]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:limit] if limit is not None else found

    @cached_property
    def pairs(self) -> list[tuple[float, int, int]]:
        """Every pair from different reviews at or above THRESHOLD, best first."""
        found = [(s, a, b) for a in self.entries
                 for b, s in self.similar(a, limit=None) if a < b]
        found.sort(key=lambda p: (-p[0], p[1], p[2]))
        return found

    @cached_property
    def clusters(self) -> list[Cluster]:
        """Greedy average-linkage grouping of the pairs: two groups join only if their mean
        similarity reaches the threshold and they share no review, so a cluster holds each
        review's recommendation at most once and a chain of loosely related texts does not
        snowball into one group."""
        group_of = {eid: eid for eid in self.entries}
        members: dict[int, list[int]] = {eid: [eid] for eid in self.entries}
        for _, a, b in self.pairs:
            ga, gb = group_of[a], group_of[b]
            if ga == gb:
                continue
            left, right = members[ga], members[gb]
            if {self.entries[m].review_id for m in left} & {
                    self.entries[m].review_id for m in right}:
                continue
            mean = sum(self.score(x, y) for x in left for y in right) / (len(left) * len(right))
            if mean < THRESHOLD:
                continue
            left.extend(right)
            for m in right:
                group_of[m] = ga
            del members[gb]
        return [self._cluster(ids) for ids in members.values() if len(ids) > 1]

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
    """One vectorised corpus per exact content: callers with the same view share it."""
    return Corpus(entries, partial(analyse, ignore=ignore))


def _entries(visible: Iterable[HasText]) -> tuple[Entry, ...]:
    return tuple(sorted((Entry(r.id, r.review_id, r.text) for r in visible),
                        key=lambda e: e.id))


def visible_entries(user: User) -> list[Entry]:
    """The recommendations `user` may see, outside withdrawn reviews, as plain rows."""
    rows = db.session.execute(
        select(Recommendation.id, Recommendation.review_id, Recommendation.text)
        .join(Review, Review.id == Recommendation.review_id)
        .where(visible_reviews_clause(user), Review.state != "withdrawn")
        .order_by(Recommendation.id))
    return [Entry(r.id, r.review_id, r.text) for r in rows]


def similar_to(recommendation: HasText, visible: Iterable[HasText],
               ignore: frozenset[str] = frozenset(),
               limit: int | None = SIMILAR_LIMIT) -> list[tuple[int, float]]:
    """(id, score) of visible recommendations in other reviews that say much the same thing as
    `recommendation`, best first. `ignore`: words left out, such as `place_words()`."""
    entries = {e.id: e for e in _entries(visible)}
    entries[recommendation.id] = Entry(recommendation.id, recommendation.review_id,
                                       recommendation.text)
    corpus = corpus_of(tuple(sorted(entries.values(), key=lambda e: e.id)), ignore)
    return corpus.similar(recommendation.id, limit=limit)


def repeat_clusters(visible: Iterable[HasText],
                    ignore: frozenset[str] = frozenset()) -> list[Cluster]:
    """Clusters of visible recommendations from different reviews that repeat one another."""
    return corpus_of(_entries(visible), ignore).clusters


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
    clusters = repeat_clusters(visible_entries(user), place_words())
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
