"""The anonymisation check: no restricted identifying term (real names, addresses), nor any
word of one, may appear anywhere a practitioner can read once the review is published.

Searched: the victim pseudonym, the review's published free-text fields (web address, legal
basis), the latest overview report, executive summary and action plan (for a Word document
every part of it, and the uploaded file's name), and each recommendation's number and text.
How terms are matched is in dhr.identifying_terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from dhr.identifying_terms import TermMatcher, sentence
from dhr.models import Review
from dhr.wording import lower_first
from dhr.workflow.documents import DOCX, checkable_texts, kind_label, latest
from learning.models import recommendations_for

# From these states on the check is shown to the review's editors (after publication it runs
# again when identifying terms are added).
CHECK_SHOWN_STATES = frozenset({"publication_pending", "published", "closed"})
CHECKED_KINDS = ("overview_report", "executive_summary", "action_plan")
WORD_PARTS = ("text, headers, footers, notes, comments, tracked changes, document properties "
              "and image descriptions")


@dataclass
class Place:
    """Somewhere a practitioner reads: `texts` None when it cannot be checked."""

    where: str
    texts: list[str] | None
    described: str = ""


@dataclass
class AnonymisationCheck:
    hits: list[str]
    searched: list[str]
    terms: int
    words: int

    @property
    def summary(self) -> str:
        """What was searched for and where, in one sentence."""
        words = f" and {self.words} words of them on their own" if self.words else ""
        return (f"Searched for {self.terms} restricted identifying "
                f"{'term' if self.terms == 1 else 'terms'}{words} in "
                f"{'; '.join(self.searched)}.")


def _document_places(review: Review) -> list[Place]:
    places = []
    for kind in CHECKED_KINDS:
        saved = latest(review, kind)
        if saved is None:
            continue
        where = f"the {lower_first(kind_label(kind))} (version {saved.version})"
        if saved.is_file:
            places.append(Place(f"the file name of {where}", [saved.original_filename or ""]))
        described = (f"{where}: its {WORD_PARTS}" if saved.content_type == DOCX else where)
        places.append(Place(where, checkable_texts(saved), described))
    return places


def published_places(review: Review, published_url: str | None = None) -> list[Place]:
    """What a practitioner will read of the review itself and its reports (`published_url`:
    the web address about to be recorded by the publish event, if any)."""
    places = [Place("the victim pseudonym", [review.victim_pseudonym or ""])]
    url = published_url or review.published_url
    if url:
        places.append(Place("the web address of the published report", [url]))
    if review.legal_basis:
        places.append(Place("the legal basis", [review.legal_basis]))
    return places + _document_places(review)


def anonymisation_check(review: Review, published_url: str | None = None
                        ) -> AnonymisationCheck:
    """One plain sentence per (term or word, place) found, and what was searched."""
    matcher = TermMatcher(review.identifying_terms or [])
    places = published_places(review, published_url)
    searched = [place.described or place.where for place in places]
    recommendations = recommendations_for(review)
    if recommendations:
        numbers = ", ".join(r.number for r in recommendations)
        searched.append(f"the number and text of recommendation"
                        f"{'s' if len(recommendations) > 1 else ''} {numbers}")
    places += [Place(f"recommendation {r.number}", [r.number, r.text]) for r in recommendations]
    words = sum(1 for needle in matcher.needles if not needle.whole)
    check = AnonymisationCheck([], searched, len(matcher.terms), words)
    if not matcher:
        return check
    for place in places:
        if place.texts is None:
            check.hits.append(
                f"{place.where[0].upper()}{place.where[1:]} is an uploaded file that cannot be "
                "checked for identifying terms (a PDF, or a Word document with a part that "
                "cannot be read): upload it as a Word document or write it in Markdown")
            continue
        check.hits += [sentence(needle.label, count, place.where)
                       for needle, count in matcher.counts(place.texts)]
    return check


def identifying_term_hits(review: Review, published_url: str | None = None) -> list[str]:
    """The check's findings; empty means clean."""
    return anonymisation_check(review, published_url).hits
