"""The annual table of seed 001, computed from the records (never typed): by calendar year of
death, the reviews held, how many were proportionate, the deceased aged 16 or over, the
children under 16, the CSP areas (one entry per review) and the types of death. The totals
row is added up from the rows, so it cannot disagree with them."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from sqlalchemy import ColumnElement, case, func, select

from dhr.extensions import db
from dhr.models import DEATH_TYPES, Csp, Review, User
from dhr.permissions import visible_reviews_clause
from learning.tracker_export import defuse

# Reviews that were not held: no decision yet, decided against, or withdrawn (merged).
NOT_HELD = ("notified", "no_review_ho_scrutiny", "closed_no_review", "withdrawn")


@dataclass
class YearRow:
    year: int | None  # None on the totals row
    reviews: int = 0
    proportionate: int = 0
    deceased_16_plus: int = 0
    children_under_16: int = 0
    csp_areas: list[str] = field(default_factory=list)
    death_types: dict[str, int] = field(default_factory=dict)


def _year() -> ColumnElement[int]:
    return func.extract("year", Review.date_of_death)


def annual_rows(user: User, csp_id: int | None = None) -> list[YearRow]:
    """One row per calendar year of death with a review held, oldest first."""
    where: list[ColumnElement[bool]] = [visible_reviews_clause(user), Review.state.not_in(NOT_HELD)]
    if csp_id is not None:
        where.append(Review.csp_id == csp_id)
    year = _year()
    rows: dict[int, YearRow] = {}
    sums = select(year, func.count(Review.id),
                  func.sum(case((Review.review_type == "proportionate", 1), else_=0)),
                  func.sum(Review.deceased_16_plus), func.sum(Review.children_under_16))
    for when, reviews, proportionate, deceased, children in db.session.execute(
            sums.where(*where).group_by(year)):
        rows[int(when)] = YearRow(int(when), reviews, int(proportionate or 0),
                                  int(deceased or 0), int(children or 0))
    areas = (select(year, Csp.name).join(Csp, Csp.id == Review.csp_id).where(*where)
             .order_by(year, Review.date_of_death, Review.id))
    for when, name in db.session.execute(areas):
        rows[int(when)].csp_areas.append(name)
    kinds = select(year, Review.death_type, func.count(Review.id)).where(*where).group_by(
        year, Review.death_type)
    for when, death_type, count in db.session.execute(kinds):
        rows[int(when)].death_types[death_type] = count
    return [rows[y] for y in sorted(rows)]


def totals(rows: list[YearRow]) -> YearRow:
    """The totals row: the sum of the rows."""
    total = YearRow(None)
    kinds: Counter[str] = Counter()
    for row in rows:
        total.reviews += row.reviews
        total.proportionate += row.proportionate
        total.deceased_16_plus += row.deceased_16_plus
        total.children_under_16 += row.children_under_16
        total.csp_areas.extend(row.csp_areas)
        kinds.update(row.death_types)
    total.death_types = dict(kinds)
    return total


def death_type_labels() -> dict[str, str]:
    return {kind: kind.replace("_", " ").capitalize() for kind in DEATH_TYPES}


def csv_response(rows: list[YearRow]) -> Response:
    return Response(to_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="annual-reviews.csv"'})


def to_csv(rows: list[YearRow]) -> bytes:
    """The table as CSV (UTF-8 with BOM for Excel), with its totals row."""
    death_labels = death_type_labels()
    kinds = list(death_labels)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Calendar year", "Reviews", "Proportionate", "Deceased (16+)",
                     "Children (under 16)", "CSP areas", *(death_labels[k] for k in kinds)])
    for row in [*rows, totals(rows)]:
        writer.writerow(_csv_line(row, kinds))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _csv_line(row: YearRow, kinds: list[str]) -> list[Any]:
    return ["Total" if row.year is None else row.year, row.reviews, row.proportionate,
            row.deceased_16_plus, row.children_under_16, defuse(", ".join(row.csp_areas)),
            *(row.death_types.get(k, 0) for k in kinds)]
