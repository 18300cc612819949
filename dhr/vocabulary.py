"""Controlled vocabularies (agencies, themes, ...): their terms, and turning what a user
typed (a code or a label, any case) into codes."""

from __future__ import annotations

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import VocabularyTerm


def vocabulary_terms(vocabulary: str) -> dict[str, str]:
    """code -> label, in the vocabulary's order."""
    rows = db.session.execute(
        select(VocabularyTerm.code, VocabularyTerm.label)
        .where(VocabularyTerm.vocabulary == vocabulary).order_by(VocabularyTerm.position)
    )
    return {code: label for code, label in rows}


def to_codes(vocabulary: str, values: list[str]) -> tuple[list[str], list[str]]:
    """(codes without repeats, values that match no term)."""
    known = vocabulary_terms(vocabulary)
    by_label = {label.lower(): code for code, label in known.items()}
    codes: list[str] = []
    unknown: list[str] = []
    for value in values:
        code = value if value in known else by_label.get(value.strip().lower())
        if code is None:
            unknown.append(value)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def offered_terms(vocabulary: str) -> dict[str, str]:
    """code -> label of the terms forms offer: retired ones are left out (records keep them,
    and vocabulary_terms still labels them)."""
    rows = db.session.execute(
        select(VocabularyTerm.code, VocabularyTerm.label)
        .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.is_active)
        .order_by(VocabularyTerm.position)
    )
    return {code: label for code, label in rows}
