"""The anonymisation check before publication: no restricted identifying term (real names,
addresses) may appear in what will be published.

A term matches whole words only, ignoring case: "Ann" finds "ann" and "ANN." but not
"Annual" or "Joanne". The boundaries are "no letter or digit just outside the term", which
also works for terms that begin or end with punctuation ("O'Neil", "12 Orchard Close").
Spaces inside a term match any run of white space, and straight and curly apostrophes
match each other.
"""

from __future__ import annotations

import re

from dhr.models import Review
from dhr.workflow.documents import checkable_texts, kind_label, latest
from learning.models import recommendations_for

CHECKED_KINDS = ("overview_report", "executive_summary", "action_plan")
_APOSTROPHES = "'\u2019\u2018\u02bc"


def term_pattern(term: str) -> re.Pattern[str]:
    parts = []
    for ch in term.strip():
        if ch.isspace():
            if parts and parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif ch in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        else:
            parts.append(re.escape(ch))
    return re.compile(rf"(?<![^\W_]){''.join(parts)}(?![^\W_])", re.IGNORECASE)


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def _sentence(term: str, count: int, where: str) -> str:
    times = "" if count == 1 else f" {count} times"
    return f'"{term}" appears{times} in {where}'


def identifying_term_hits(review: Review) -> list[str]:
    """One plain sentence per (term, place) where a restricted term appears in the latest
    overview report, executive summary or action plan, or in a recommendation; empty means
    clean. A document that cannot be read (a PDF) is reported too: it cannot be shown clean."""
    terms = []
    for raw in review.identifying_terms or []:
        term = raw.strip()
        if term and term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    if not terms:
        return []
    patterns = [(term, term_pattern(term)) for term in terms]
    hits: list[str] = []
    for kind in CHECKED_KINDS:
        saved = latest(review, kind)
        if saved is None:
            continue
        where = f"the {kind_label(kind).lower()} (version {saved.version})"
        texts = checkable_texts(saved)
        if texts is None:
            hits.append(f"{where[0].upper()}{where[1:]} is an uploaded file that cannot be "
                        "checked for identifying terms: upload it as a Word document or write "
                        "it in Markdown")
            continue
        for term, pattern in patterns:
            n = max(_count(pattern, text) for text in texts)
            if n:
                hits.append(_sentence(term, n, where))
    for recommendation in recommendations_for(review):
        for term, pattern in patterns:
            n = _count(pattern, recommendation.text)
            if n:
                hits.append(_sentence(term, n, f"recommendation {recommendation.number}"))
    return hits
