"""How often each learning theme appears among the recommendations a user may see, by
calendar year of death and by CSP. The counts come from the tracker's own query
(Tracker.theme_counts), so each one links to the tracker filtered to exactly its rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from dhr.extensions import db
from dhr.models import Csp, User
from dhr.vocabulary import vocabulary_terms
from learning.tracker import Filters, Tracker


@dataclass
class ThemeRow:
    code: str
    label: str
    total: int = 0
    by_year: Counter[int] = field(default_factory=Counter)
    by_csp: Counter[str] = field(default_factory=Counter)


@dataclass
class ThemeTable:
    rows: list[ThemeRow]
    years: list[int]
    csps: list[str]


def theme_table(user: User, filters: Filters) -> ThemeTable:
    """One row per theme in use (most frequent first), with its counts by year and by CSP.

    A recommendation with two themes counts once under each."""
    labels = vocabulary_terms("theme")  # retired themes keep their label
    names = {csp_id: name for csp_id, name in db.session.execute(select(Csp.id, Csp.name))}
    rows: dict[str, ThemeRow] = {}
    for code, year, csp_id, count in Tracker(user, filters).theme_counts():
        row = rows.setdefault(code, ThemeRow(code, labels.get(code, code)))
        row.total += count
        row.by_year[year] += count
        row.by_csp[names[csp_id]] += count
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.label))
    years = sorted({y for row in ordered for y in row.by_year})
    csps = sorted({c for row in ordered for c in row.by_csp})
    return ThemeTable(ordered, years, csps)
