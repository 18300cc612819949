"""Public learning (DHR_PUBLIC_LEARNING): published reviews read and searched without signing
in, at addresses made from the review's reference, never its database id (ids change when a
backup is restored into a new database; a reference does not).

Exactly what a practitioner may read: dhr.permissions.published_reviews_clause for the reviews,
dhr.search.backend.PUBLISHED_ONLY for the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import Csp, Review
from dhr.permissions import published_reviews_clause
from dhr.search.backend import Hit

_NOT_WORD = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 100


def reference_slug(reference: str) -> str:
    """The reference in an address: lower case, anything but letters and digits one hyphen
    (DHR-DACORUM-2024-01 -> dhr-dacorum-2024-01; an imported 'DHR/Watford 2015/1' works too)."""
    return _NOT_WORD.sub("-", reference.lower()).strip("-")


def published_review(slug: str) -> Review | None:
    """The published review whose reference gives `slug`, or None (unpublished, withheld,
    unknown: all look the same)."""
    if not slug or len(slug) > MAX_SLUG or reference_slug(slug) != slug:
        return None
    published = published_reviews_clause()
    review = db.session.scalar(
        select(Review).where(published, func.lower(Review.reference) == slug))
    if review is not None:
        return review
    # References with other characters than letters, digits and hyphens (imported registers).
    rows = db.session.execute(select(Review.id, Review.reference).where(published)
                              .order_by(Review.id))
    found = next((row.id for row in rows if reference_slug(row.reference) == slug), None)
    return db.session.get(Review, found) if found is not None else None


@dataclass
class PublishedGroup:
    csp: str
    reviews: list[Review]


def published_by_csp() -> list[PublishedGroup]:
    """Every published review, grouped by CSP (alphabetical), newest death first in each."""
    reviews = db.session.scalars(
        select(Review).join(Csp, Csp.id == Review.csp_id).where(published_reviews_clause())
        .order_by(Csp.name, Review.date_of_death.desc(), Review.reference)).all()
    groups: list[PublishedGroup] = []
    for review in reviews:
        if not groups or groups[-1].csp != review.csp.name:
            groups.append(PublishedGroup(review.csp.name, []))
        groups[-1].reviews.append(review)
    return groups


def recommendation_anchor(number: str) -> str:
    """The id of a recommendation's row on the published page (3.2 -> recommendation-3-2)."""
    return "recommendation-" + (_NOT_WORD.sub("-", number.lower()).strip("-") or "x")


def hit_anchor(hit: Hit) -> str | None:
    """Where on the published page a search hit points: the recommendation's row, or the
    report the passage comes from."""
    if hit.kind == "recommendation":
        return recommendation_anchor(hit.number) if hit.number else "recommendations"
    if hit.kind == "lesson":
        return hit.source or None
    return None
