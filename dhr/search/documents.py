"""What is indexed: a review becomes several search items, each pointing at what matched.

- one `review` item: pseudonym, CSP, year of death, death and review type, the themes and
  agencies of its recommendations, whether it is published (not its stage: most commits
  move a review on without changing what can be found, and then the index is left alone);
- one `lesson` item per section (split on headings) of the latest executive summary and
  overview report, so a hit points at the passage and not at a 60-page report;
- one `recommendation` item per recommendation, with its themes and its progress log.

Every item carries what the search needs to filter by permission (review, CSP, area, the
appointed pool members, whether it is published). Only what the published view shows is put
in the searchable text of a published review; the progress log goes into its own field,
which only people who may read working papers search. The review's restricted identifying
terms are never indexed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Review
from dhr.vocabulary import vocabulary_terms
from dhr.workflow import documents as review_documents
from learning.models import Recommendation

LESSON_SOURCES = ("executive_summary", "overview_report")
SOURCE_LABELS = {"executive_summary": "Executive summary", "overview_report": "Overview report"}
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_MARKUP = re.compile(r"[*_`|]+|^\s*>+|!?\[([^\]]*)\]\([^)]*\)", re.MULTILINE)


@dataclass
class Labels:
    """Vocabulary labels, read once per batch of reviews."""

    agency: dict[str, str]
    theme: dict[str, str]

    @classmethod
    def load(cls) -> Labels:
        return cls(vocabulary_terms("agency"), vocabulary_terms("theme"))


@dataclass
class SearchItem:
    """One searchable item; `text` fields are searched, the rest filter, facet or display."""

    doc_id: str
    kind: str  # review | recommendation | lesson
    review_id: int
    title: str
    body: str
    reference: str
    csp: str
    csp_id: int
    area_id: int
    year: str
    death_type: str
    themes: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    tags: str = ""           # labels of the themes and agencies, searchable as words
    progress: str = ""       # the progress log: working papers only
    pool_member_ids: list[int] = field(default_factory=list)
    is_published: bool = False
    recommendation_id: int | None = None
    number: str = ""         # recommendation number
    source: str = ""         # lesson: executive_summary | overview_report
    heading: str = ""        # lesson: the section heading
    position: int = 0        # lesson: the section's place in its document (0 = first)
    status: str = ""         # recommendation: open, completed or closed


def split_sections(text: str, fallback: str) -> list[tuple[str, str]]:
    """Markdown -> [(heading, plain text)]; text before the first heading is headed
    `fallback`. Empty sections are dropped."""
    sections: list[tuple[str, list[str]]] = [(fallback, [])]
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            sections.append((plain(match.group(2)), []))
        else:
            sections[-1][1].append(line)
    result = []
    for heading, lines in sections:
        body = plain("\n".join(lines)).strip()
        if body:
            result.append((heading, body))
    return result


def plain(markdown: str) -> str:
    """Markdown emphasis, links and table bars removed; the words kept."""
    return _MARKUP.sub(lambda m: m.group(1) or " ", markdown)


def items_for_review(review: Review, labels: Labels) -> list[SearchItem]:
    """Every search item of `review`, from what the database says now."""
    recommendations = sorted(
        db.session.scalars(select(Recommendation).where(Recommendation.review_id == review.id)),
        key=lambda r: r.sort_key)
    themes = _unique(t for r in recommendations for t in (r.themes or []))
    agencies = _unique(r.agency for r in recommendations)
    members = [m.id for m in (review.chair, review.report_writer) if m is not None]
    year = str(review.date_of_death.year)
    common = dict(review_id=review.id, reference=review.reference, csp=review.csp.name,
                  csp_id=review.csp_id, area_id=review.csp.area_id, year=year,
                  death_type=review.death_type, pool_member_ids=members,
                  is_published=review.is_published)
    items = [SearchItem(
        doc_id=f"review:{review.id}", kind="review",
        title=f"{review.victim_pseudonym}: {review.reference}",
        body=" ".join([review.victim_pseudonym, review.csp.name, year,
                       _words(review.death_type), _words(review.review_type)]),
        themes=themes, agencies=agencies, tags=_tags(themes, agencies, labels), **common)]
    for source in LESSON_SOURCES:
        latest = review_documents.latest(review, source)
        if latest is None or not latest.body:
            continue
        for position, (heading, text) in enumerate(split_sections(latest.body,
                                                                  SOURCE_LABELS[source])):
            items.append(SearchItem(
                doc_id=f"lesson:{review.id}:{source}:{position}", kind="lesson",
                title=f"{SOURCE_LABELS[source]}: {heading}" if heading != SOURCE_LABELS[source]
                else heading,
                body=text, themes=themes, agencies=agencies, source=source, heading=heading,
                position=position, **common))
    for item in recommendations:
        item_themes = list(item.themes or [])
        items.append(SearchItem(
            doc_id=f"recommendation:{item.id}", kind="recommendation",
            title=f"Recommendation {item.number}: {review.reference}",
            body=item.text, themes=item_themes, agencies=[item.agency],
            tags=_tags(item_themes, [item.agency], labels),
            progress="\n".join(u.impact for u in item.updates),
            recommendation_id=item.id, number=item.number, status=item.status, **common))
    return items


def fingerprint(items: list[SearchItem]) -> str:
    """A digest of everything indexed for one review, to tell a stale index from a fresh one."""
    payload = json.dumps([asdict(item) for item in items], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _tags(themes: list[str], agencies: list[str], labels: Labels) -> str:
    words = [labels.theme.get(t, _words(t)) for t in themes]
    words += [labels.agency.get(a, _words(a)) for a in agencies]
    return ". ".join(words)


def _words(code: str) -> str:
    return code.replace("_", " ")


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))
