"""A small corpus for the search tests: reviews written and published through the review items'
operations, so the index learns of them the way it does in use (after each commit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.search import service
from dhr.search.backend import SearchRequest, SearchResults
from dhr.workflow.documents import save_markdown
from learning.recommendations import add_progress, create_recommendation

PUBLISHED_SUMMARY = """Adult A was killed by her former partner in 2024, weeks after she had
left him.

## Stalking after separation

After the separation he followed her to work and sent hundreds of messages. Police recorded
each report as a single incident of harassment and nobody joined them up.

## Contact with the GP

Adult A saw her GP six times in the last year with anxiety. The practice did not ask about
domestic abuse. <script>alert(1)</script> appeared in a copied note.
"""

PUBLISHED_OVERVIEW = """# Overview report

## 1. Introduction

This overview report sets out the contact agencies had with Adult A and her former partner.

## 2. Chronology

The chronology runs from 2019. Many contacts with many agencies are listed here in order,
with dates and the services involved. It mentions the routine enquiry policy in passing.
"""

UNPUBLISHED_OVERVIEW = """## Draft findings

The quillwort allotment society was the only place Adult B went alone; the chair has not yet
checked this draft with the family.
"""


@dataclass
class Corpus:
    published: Review
    unpublished: Review
    withheld: Review
    chair: User


def search_as(user: User, q: str = "", **selections: Any) -> SearchResults:
    return service.search(user, SearchRequest(q=q, **selections))


def build_corpus(make_review, make_user) -> Corpus:
    admin = make_user("admin")
    chair = make_user("chair")
    published = make_review(csp="Dacorum", victim_pseudonym="Adult A",
                             identifying_terms=["Jane Realname", "12 Orchard Close"])
    unpublished = make_review(csp="Watford", victim_pseudonym="Adult B",
                              death_type="adult_family_homicide",
                              identifying_terms=["Mary Hiddenname"])
    withheld = make_review(csp="Stevenage", victim_pseudonym="Adult C",
                           identifying_terms=["Olive Secretname"])
    for review in (published, unpublished, withheld):
        review.state = "drafting"
    unpublished.chair = db.session.query(PoolMember).filter_by(user_id=chair.id).one()
    db.session.commit()

    save_markdown(published, "executive_summary", PUBLISHED_SUMMARY, admin)
    save_markdown(published, "overview_report", PUBLISHED_OVERVIEW, admin)
    gp = create_recommendation(published, admin, {
        "number": "2.1", "level": "local", "agency": "gp_primary_care",
        "themes": ["routine_enquiry"],
        "text": "GP practices to carry out routine enquiry about domestic abuse with patients "
                "presenting with anxiety."})
    create_recommendation(published, admin, {
        "number": "2.2", "level": "local", "agency": "police", "themes": ["risk_assessment_dash"],
        "text": "Police to link repeated reports of stalking after separation and review the "
                "risk assessment each time."})
    save_markdown(unpublished, "overview_report", UNPUBLISHED_OVERVIEW, admin)
    create_recommendation(unpublished, admin, {
        "number": "1.1", "level": "local", "agency": "adult_social_care", "themes": ["carers"],
        "text": "Adult social care to offer every older carer a carer's assessment."})
    save_markdown(withheld, "executive_summary",
                  "## Summary\n\nThe marshland ferry crossing was where they met.", admin)
    db.session.commit()

    add_progress(gp, admin, {"impact": "Trainers visited every surgery; the tally of "
                                       "enquiries rose in the audit of the xylophone pilot."})
    published.state = "published"
    withheld.state, withheld.is_withheld = "published", True
    db.session.commit()
    return Corpus(published, unpublished, withheld, chair)
