"""Keeping the controlled vocabularies (DOMAIN.md section 6): an admin adds a term, renames its
label, retires it (no longer offered in forms, still shown where it is used) or merges it into
another term, so that everything tagged with the one is tagged with the other. Each change is
audited; a merge moves every use in one transaction, or nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Exists, Text, cast, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from dhr.audit import record
from dhr.errors import IllegalMove, InvalidInput, NotFound, NotPermitted
from dhr.extensions import db
from dhr.models import AgencyRequest, Review, User, VocabularyTerm
from dhr.models.pool import ConflictOfInterest
from learning.models import Recommendation, RecommendationTheme

VOCABULARY_LABELS = {"agency": "Agencies", "theme": "Learning themes",
                     "risk_factor": "Risk factors"}
LABEL_MAX = 200


def can_keep_vocabularies(user: User) -> bool:
    return user.role == "admin"


def _require_keeper(user: User) -> None:
    if not can_keep_vocabularies(user):
        raise NotPermitted("only an admin may change the vocabularies")


def _check_vocabulary(vocabulary: str) -> None:
    if vocabulary not in VOCABULARY_LABELS:
        raise NotFound("no such vocabulary")


def find_term(vocabulary: str, code: str) -> VocabularyTerm:
    _check_vocabulary(vocabulary)
    term = db.session.scalar(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code))
    if term is None:
        raise NotFound("no such term")
    return term


def find_merge_target(vocabulary: str, code_or_label: str) -> VocabularyTerm:
    """The term to merge into, by code or label; an unknown one is a field error."""
    _check_vocabulary(vocabulary)
    value = (code_or_label or "").strip()
    term = db.session.scalar(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary,
        (VocabularyTerm.code == value) | (func.lower(VocabularyTerm.label) == value.lower())))
    if term is None:
        raise InvalidInput("unknown term to merge into",
                           {"into": "Choose the term to merge into"})
    return term


def terms_of(vocabulary: str) -> list[VocabularyTerm]:
    """Every term, retired ones included, in the vocabulary's order."""
    _check_vocabulary(vocabulary)
    return list(db.session.scalars(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary).order_by(VocabularyTerm.position,
                                                          VocabularyTerm.id)))


def usage(vocabulary: str) -> dict[str, int]:
    """code -> how many records (recommendations, reviews, requests, chairs) use it."""
    counts: dict[str, int] = {}

    def add(rows: Iterable[Any]) -> None:
        for code, count in rows:
            counts[code] = counts.get(code, 0) + count

    if vocabulary == "theme":
        add(db.session.execute(select(RecommendationTheme.code, func.count())
                               .group_by(RecommendationTheme.code)))
    elif vocabulary == "agency":
        add(db.session.execute(select(Recommendation.agency, func.count())
                               .group_by(Recommendation.agency)))
        add(db.session.execute(select(AgencyRequest.agency, func.count())
                               .group_by(AgencyRequest.agency)))
        add(db.session.execute(select(ConflictOfInterest.agency, func.count())
                               .group_by(ConflictOfInterest.agency)))
        for agencies, panel in db.session.execute(select(Review.agencies,
                                                         Review.panel_agencies)):
            add((code, 1) for code in {*(agencies or []), *(panel or [])})
    return counts


def _clean_label(vocabulary: str, label: str, *, keep: VocabularyTerm | None = None) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise InvalidInput("the label is missing", {"label": "Enter a label"})
    if len(label) > LABEL_MAX:
        raise InvalidInput("the label is too long",
                           {"label": f"Label must be {LABEL_MAX} characters or fewer"})
    clash = db.session.scalar(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary,
        func.lower(VocabularyTerm.label) == label.lower()))
    if clash is not None and clash is not keep:
        raise InvalidInput("the label is taken",
                           {"label": f"There is already a term called {clash.label}"})
    return label


def _code_for(vocabulary: str, label: str) -> str:
    """A new code from the label ('Health visiting' -> 'health_visiting'), made unique."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:100] or "term"
    taken = set(db.session.scalars(select(VocabularyTerm.code).where(
        VocabularyTerm.vocabulary == vocabulary)))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def add_term(user: User, vocabulary: str, label: str) -> VocabularyTerm:
    _require_keeper(user)
    _check_vocabulary(vocabulary)
    label = _clean_label(vocabulary, label)
    last = db.session.scalar(select(func.max(VocabularyTerm.position)).where(
        VocabularyTerm.vocabulary == vocabulary))
    term = VocabularyTerm(vocabulary=vocabulary, code=_code_for(vocabulary, label), label=label,
                          position=(last or 0) + 1, is_active=True)
    db.session.add(term)
    record("vocabulary_term_added", term, user,
           {"vocabulary": vocabulary, "code": term.code, "label": label})
    return term


def rename_term(user: User, term: VocabularyTerm, label: str) -> VocabularyTerm:
    """A new label; the code (what records store) stays, so every use shows the new label."""
    _require_keeper(user)
    label = _clean_label(term.vocabulary, label, keep=term)
    if label != term.label:
        record("vocabulary_term_renamed", term, user,
               {"vocabulary": term.vocabulary, "code": term.code, "from": term.label,
                "to": label})
        term.label = label
    return term


def set_retired(user: User, term: VocabularyTerm, retired: bool) -> VocabularyTerm:
    """Retire a term (forms stop offering it; records keep it) or bring it back."""
    _require_keeper(user)
    if term.is_active == (not retired):
        raise IllegalMove("the term is already retired" if retired else "the term is in use")
    term.is_active = not retired
    record("vocabulary_term_retired" if retired else "vocabulary_term_restored", term, user,
           {"vocabulary": term.vocabulary, "code": term.code, "label": term.label})
    return term


@dataclass
class MergeResult:
    target: VocabularyTerm
    moved: dict[str, int] = field(default_factory=dict)
    reviews: set[int] = field(default_factory=set)


def merge_terms(user: User, source: VocabularyTerm, target: VocabularyTerm) -> MergeResult:
    """Everything tagged with `source` is tagged with `target` instead (a record that had both
    keeps one), then `source` is removed. The caller commits once, so it is all or nothing."""
    _require_keeper(user)
    if source.vocabulary != target.vocabulary:
        raise InvalidInput("the terms are in different vocabularies",
                           {"into": "Choose a term of the same vocabulary"})
    if source.id == target.id:
        raise InvalidInput("a term cannot be merged into itself",
                           {"into": "Choose a different term to merge into"})
    result = MergeResult(target)
    if source.vocabulary == "theme":
        _merge_themes(source.code, target.code, result)
    elif source.vocabulary == "agency":
        _merge_agencies(source.code, target.code, result)
    record("vocabulary_term_merged", target, user,
           {"vocabulary": source.vocabulary, "from": source.code, "from_label": source.label,
            "into": target.code, "moved": result.moved})
    for review_id in sorted(result.reviews):  # each review's history says so; search re-indexes
        record("vocabulary_term_merged", target, user,
               {"vocabulary": source.vocabulary, "from": source.code, "into": target.code},
               review_id=review_id)
    if not target.is_active and source.is_active:
        target.is_active = True  # what was offered stays offered under its new name
    db.session.delete(source)
    db.session.flush()
    return result


def _merge_themes(old: str, new: str, result: MergeResult) -> None:
    other = aliased(RecommendationTheme)
    has_new = exists().where(other.recommendation_id == RecommendationTheme.recommendation_id,
                             other.code == new)
    result.reviews.update(db.session.scalars(
        select(Recommendation.review_id).join(RecommendationTheme).where(
            RecommendationTheme.code == old).distinct()))
    collapsed = db.session.execute(delete(RecommendationTheme).where(
        RecommendationTheme.code == old, has_new).execution_options(synchronize_session=False))
    moved = db.session.execute(update(RecommendationTheme).where(
        RecommendationTheme.code == old).values(code=new)
        .execution_options(synchronize_session=False))
    db.session.expire_all()
    result.moved["recommendation_themes"] = collapsed.rowcount + moved.rowcount


def _merge_agencies(old: str, new: str, result: MergeResult) -> None:
    clashes = db.session.execute(
        select(Review.reference, AgencyRequest.kind)
        .join(Review, Review.id == AgencyRequest.review_id)
        .where(AgencyRequest.agency == old, _same_request(new)).order_by(Review.reference))
    clash_list = [f"{reference} ({kind})" for reference, kind in clashes]
    if clash_list:
        raise IllegalMove("both agencies were asked for the same document in a review: "
                          "settle those requests first", {"reviews": clash_list})
    result.reviews.update(db.session.scalars(
        select(Recommendation.review_id).where(Recommendation.agency == old).distinct()))
    result.reviews.update(db.session.scalars(
        select(AgencyRequest.review_id).where(AgencyRequest.agency == old).distinct()))
    result.moved["recommendations"] = db.session.execute(
        update(Recommendation).where(Recommendation.agency == old).values(agency=new)
        .execution_options(synchronize_session=False)).rowcount
    result.moved["agency_requests"] = db.session.execute(
        update(AgencyRequest).where(AgencyRequest.agency == old).values(agency=new)
        .execution_options(synchronize_session=False)).rowcount
    other = aliased(ConflictOfInterest)
    collapsed = db.session.execute(delete(ConflictOfInterest).where(
        ConflictOfInterest.agency == old,
        exists().where(other.member_id == ConflictOfInterest.member_id, other.agency == new))
        .execution_options(synchronize_session=False)).rowcount
    result.moved["chair_conflicts"] = collapsed + db.session.execute(
        update(ConflictOfInterest).where(ConflictOfInterest.agency == old).values(agency=new)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()
    moved = 0
    quoted = f'"{old}"'
    for review in db.session.scalars(select(Review).where(
            cast(Review.agencies, Text).contains(quoted, autoescape=True)
            | cast(Review.panel_agencies, Text).contains(quoted, autoescape=True))):
        agencies, panel = _replaced(review.agencies, old, new), _replaced(
            review.panel_agencies, old, new)
        if agencies is not None or panel is not None:
            if agencies is not None:
                review.agencies = agencies
            if panel is not None:
                review.panel_agencies = panel
            result.reviews.add(review.id)
            moved += 1
    result.moved["reviews"] = moved


def _same_request(new: str) -> Exists:
    """The review already asked `new` for the same kind of document."""
    other = aliased(AgencyRequest)
    return exists().where(other.review_id == AgencyRequest.review_id, other.kind ==
                          AgencyRequest.kind, other.agency == new)


def _replaced(codes: list[str] | None, old: str, new: str) -> list[str] | None:
    """The list with `old` replaced by `new` (once, in place), or None when it has no `old`."""
    if not codes or old not in codes:
        return None
    out: list[str] = []
    for code in codes:
        code = new if code == old else code
        if code not in out:
            out.append(code)
    return out
