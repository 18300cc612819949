"""Drafting help: a terms-of-reference template drawn from the review's facts, and the
agencies a form starts from.

The template names the subject by pseudonym only and holds nothing typed about the people
(only the CSP, vocabulary labels and dates): never a restricted identifying term. If the
pseudonym itself holds one, "the person who died" stands in for it.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from dhr.identifying_terms import TermMatcher
from dhr.models import Review
from dhr.reviews import agency_codes

# The period under review the template proposes, back from the death; the panel decides.
TOR_PERIOD_YEARS = 5


def _month(value: date) -> str:
    return value.strftime("%B %Y")


def _subject(review: Review) -> str:
    pseudonym = (review.victim_pseudonym or "").strip()
    if not pseudonym or TermMatcher(review.identifying_terms or []).found_in(pseudonym):
        return "the person who died"
    return pseudonym


def terms_of_reference_template(review: Review) -> str:
    """Markdown for a first draft of the terms of reference, for the panel to change."""
    subject = _subject(review)
    labels = agency_codes()
    agencies = [labels.get(code, code) for code in panel_or_scope(review)]
    start = review.date_of_death - relativedelta(years=TOR_PERIOD_YEARS)
    scope = "\n".join(f"* {label}" for label in agencies) or (
        "* (no agency recorded yet: add each agency known to have had contact)")
    return f"""# Terms of reference

## Purpose

This review is held by {review.csp.name} Community Safety Partnership under \
{review.legal_basis}. It is not an inquiry into who is to blame. It seeks to learn what \
agencies could do differently so that a death like that of {subject} does not happen again.

## Period under review

The review will examine contact with {subject} and the people close to them from \
{_month(start)} to {_month(review.date_of_death)}. The panel may change this period.

## Agencies in scope

{scope}

## Questions for the review

1. What did each agency know about domestic abuse affecting {subject}?
2. Was that information shared with the agencies who needed it?
3. Were risks assessed (for example with the DASH checklist) and acted on?
4. Were the family and friends of {subject} offered the chance to contribute, with \
specialist advocacy?
5. What should each agency change as a result?

## Family involvement

The panel will offer the family the chance to take part, with the support of a specialist \
advocate, and will share the draft report with them before it is finalised.
"""


def panel_or_scope(review: Review) -> list[str]:
    """The agencies on the panel; before the panel is agreed, those recorded at notification
    (known to have had contact). What a panel form starts with and who is asked for IMRs."""
    return list(review.panel_agencies or review.agencies or [])
