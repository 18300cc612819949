"""Importing a historic register of reviews (API.md: reference, csp, year, review_type,
deceased_16_plus, children_under_16, death_type, state), so that the annual table and the
timeliness counts cover the years before the product. A register gives the year of death
only: the review records 1 January of that year as its date of death and of notification,
and the pseudonym 'Historic review <reference>'. Coordinators (their area) and admins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from dhr.audit import record
from dhr.errors import NotPermitted
from dhr.extensions import db
from dhr.models import DEATH_TYPES, REVIEW_TYPES, Review, User
from dhr.models.states import STATE_LABELS, STATES
from dhr.permissions import can_create_review_in
from dhr.reviews import find_csp
from learning.imports import Outcome, Row, header_map, normalised, read_table, whole_number

COLUMNS = ("reference", "csp", "year", "review_type", "deceased_16_plus", "children_under_16",
           "death_type", "state")
IMPORTER_ROLES = frozenset({"admin", "coordinator"})
FIRST_YEAR = 2011  # DHRs are statutory from 13 April 2011
REFERENCE_MAX = 80


@dataclass(frozen=True)
class RegisterEntry:
    line: int
    reference: str
    csp_id: int
    csp: str
    year: int
    review_type: str
    deceased_16_plus: int
    children_under_16: int
    death_type: str
    state: str


def can_import(user: User) -> bool:
    return user.role in IMPORTER_ROLES


def _choice(row: Row, column: str | None, name: str, codes: tuple[str, ...],
            labels: dict[str, str], outcome: Outcome) -> str | None:
    """A code, or its label in any case ('Intimate partner homicide', 'Published')."""
    value = normalised(row.text(column) if column else "")
    by_name = {normalised(code): code for code in codes}
    by_name.update({normalised(label): code for code, label in labels.items()})
    if value in by_name:
        return by_name[value]
    outcome.reject(row.line, name, f"Enter one of: {', '.join(codes)}")
    return None


def check_register(user: User, raw: bytes, today: dt.date | None = None
                   ) -> tuple[list[RegisterEntry], Outcome]:
    """Every row checked (nothing written): (the rows to create, the outcome with the rows
    skipped because their reference exists, and every problem by line and field)."""
    if not can_import(user):
        raise NotPermitted("only coordinators and admins may import a register")
    outcome = Outcome()
    names, rows = read_table(raw, outcome)
    columns = header_map(names, {c: (c.replace("_", " "),) for c in COLUMNS}, set(COLUMNS),
                         outcome)
    if outcome.rejected:
        return [], outcome
    this_year = (today or dt.date.today()).year
    death_labels = {k: k.replace("_", " ") for k in DEATH_TYPES}
    seen: dict[str, int] = {}
    entries: list[RegisterEntry] = []
    for row in rows:
        before = len(outcome.rejected)
        reference = row.text(columns["reference"])
        if not reference or len(reference) > REFERENCE_MAX:
            outcome.reject(row.line, "reference",
                           f"Enter a reference of 1 to {REFERENCE_MAX} characters")
        elif reference.lower() in seen:
            outcome.reject(row.line, "reference",
                           f"The reference {reference} is also on line {seen[reference.lower()]}")
        else:
            seen[reference.lower()] = row.line
        csp = find_csp(row.text(columns["csp"])) if row.text(columns["csp"]) else None
        if csp is None:
            outcome.reject(row.line, "csp", "Enter the name of a CSP")
        elif not can_create_review_in(user, csp):
            outcome.reject(row.line, "csp", f"You cannot record reviews for {csp.name}")
        year = whole_number(row, columns["year"], "year", outcome, low=FIRST_YEAR,
                            high=this_year)
        review_type = _choice(row, columns["review_type"], "review_type", REVIEW_TYPES, {},
                              outcome)
        adults = whole_number(row, columns["deceased_16_plus"], "deceased_16_plus", outcome,
                              low=1, high=100)
        children = whole_number(row, columns["children_under_16"], "children_under_16",
                                outcome, low=0, high=100)
        death_type = _choice(row, columns["death_type"], "death_type", DEATH_TYPES,
                             death_labels, outcome)
        state = _choice(row, columns["state"], "state", STATES, STATE_LABELS, outcome)
        if len(outcome.rejected) > before:
            continue
        assert csp is not None and year is not None and review_type and death_type and state
        assert adults is not None and children is not None
        entries.append(RegisterEntry(row.line, reference, csp.id, csp.name, year, review_type,
                                     adults, children, death_type, state))
    existing = _existing_references([e.reference for e in entries])
    fresh = []
    for entry in entries:
        if entry.reference.lower() in existing:
            outcome.skipped.append({"line": entry.line, "reference": entry.reference,
                                    "reason": "a review with this reference exists"})
        else:
            fresh.append(entry)
    return ([] if outcome.rejected else fresh), outcome


def _existing_references(references: list[str]) -> set[str]:
    found: set[str] = set()
    lowered = [r.lower() for r in references]
    for start in range(0, len(lowered), 500):
        found.update(r.lower() for r in db.session.scalars(select(Review.reference).where(
            db.func.lower(Review.reference).in_(lowered[start:start + 500]))))
    return found


def import_register(user: User, raw: bytes) -> Outcome:
    """Check every row, then create the new reviews (all of them, or none when any row is
    rejected). The caller commits."""
    entries, outcome = check_register(user, raw)
    if outcome.rejected:
        return outcome
    for entry in entries:
        first_of_year = dt.date(entry.year, 1, 1)
        review = Review(
            reference=entry.reference, csp_id=entry.csp_id, review_type=entry.review_type,
            death_type=entry.death_type, date_of_death=first_of_year,
            notification_date=first_of_year, deceased_16_plus=entry.deceased_16_plus,
            children_under_16=entry.children_under_16,
            victim_pseudonym=f"Historic review {entry.reference}"[:120], state=entry.state,
            identifying_terms=[], agencies=[])
        db.session.add(review)
        db.session.flush()
        record("review.imported", review, user,
               {"source": "register", "line": entry.line, "state": entry.state},
               review_id=review.id, to_state=entry.state)
        outcome.created.append(entry.reference)
    return outcome
