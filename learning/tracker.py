"""The recommendation tracker across reviews: filters, permissions, order and counts, in SQL.

One `Tracker` serves the JSON list, the page and the exports, so all three select the same
rows. Every query is limited to the reviews the caller may see (dhr.permissions); a
practitioner sees recommendations of published reviews only, and cannot filter or sort by
due dates, which the published report does not show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, Select, and_, case, func, not_, select
from sqlalchemy.orm import selectinload

from dhr.errors import InvalidInput, field_errors
from dhr.extensions import db
from dhr.models import Csp, Review, User
from dhr.permissions import sees_restricted_detail, visible_reviews_clause
from dhr.reviews import find_csp
from dhr.vocabulary import to_codes
from learning.models import (
    LEVELS,
    STATUSES,
    Recommendation,
    RecommendationTheme,
    RecommendationUpdate,
)

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
# Filters that reveal due dates, which practitioners never see.
DUE_DATE_FILTERS = ("overdue", "due_before")


class TrackerQuery(BaseModel):
    """The query string of the tracker (empty values count as not given)."""

    model_config = ConfigDict(extra="forbid")

    agency: str | None = Field(default=None, max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    level: Literal[LEVELS] | None = None  # type: ignore[valid-type]
    overdue: bool | None = None
    csp: str | None = Field(default=None, max_length=200)
    year: int | None = Field(default=None, ge=1900, le=2200)
    due_before: dt.date | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=PER_PAGE_DEFAULT, ge=1, le=PER_PAGE_MAX)


@dataclass(frozen=True)
class Filters:
    """Validated filters with vocabulary terms turned into codes and the CSP into its id."""

    query: TrackerQuery
    agency: str | None = None
    theme: str | None = None
    csp_id: int | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query-string values (for links to other pages and the exports)."""
        values = self.query.model_dump(exclude_none=True, exclude={"page", "per_page"})
        values.update(agency=self.agency, theme=self.theme)
        return {k: _arg(v) for k, v in values.items() if v is not None}


def _arg(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def parse_filters(args: Mapping[str, str], user: User) -> Filters:
    """Check the query string; any bad value is an InvalidInput naming the field."""
    given = {k: v.strip() for k, v in args.items() if isinstance(v, str) and v.strip()}
    try:
        query = TrackerQuery.model_validate(given)
    except ValidationError as exc:
        raise InvalidInput("some filters are not valid", field_errors(exc)) from None
    if not sees_restricted_detail(user):
        hidden = {name: "not available: published reports do not show due dates"
                  for name in DUE_DATE_FILTERS if getattr(query, name) is not None}
        if hidden:
            raise InvalidInput("some filters are not available", hidden)
    agency = _code("agency", query.agency)
    theme = _code("theme", query.theme)
    csp_id = None
    if query.csp:
        csp = find_csp(query.csp)
        if csp is None:
            raise InvalidInput("unknown CSP", {"csp": f"unknown CSP: {query.csp}"})
        csp_id = csp.id
    return Filters(query, agency=agency, theme=theme, csp_id=csp_id)


def _code(vocabulary: str, value: str | None) -> str | None:
    if value is None:
        return None
    codes, unknown = to_codes(vocabulary, [value])
    if unknown:
        raise InvalidInput(f"unknown {vocabulary}", {vocabulary: f"unknown {vocabulary}: {value}"})
    return codes[0]


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """Open and past its due date (the same rule as Recommendation.overdue_on)."""
    return and_(Recommendation.status == "open", Recommendation.due_date < today)


_ROW_COLUMNS = ("number", "text", "level", "agency", "owner", "due_date", "status",
                "completed_date", "evidence", "closed_reason", "closed_note")


@dataclass(frozen=True)
class TrackedRow:
    """One recommendation as the exports write it: plain values, no ORM objects."""

    reference: str
    csp: str
    number: str
    text: str
    level: str
    agency: str
    owner: str | None
    due_date: dt.date | None
    status: str
    completed_date: dt.date | None
    evidence: str | None
    closed_reason: str | None
    closed_note: str | None
    themes: list[str]
    updates: list[tuple[Any, ...]]


def _grouped(stmt: Select[Any]) -> dict[int, list[Any]]:
    """{first column: [the rest of each row, in order]} (one value when only one is left)."""
    found: dict[int, list[Any]] = {}
    for key, *rest in db.session.execute(stmt):
        found.setdefault(key, []).append(rest[0] if len(rest) == 1 else tuple(rest))
    return found


@dataclass
class CountRow:
    key: str
    label: str
    total: int
    open: int
    completed: int
    closed: int
    overdue: int | None

    @property
    def completion_rate(self) -> float | None:
        """Completed as a share of all (closed ones included: they were not acted on)."""
        return round(self.completed / self.total, 3) if self.total else None


class Tracker:
    """The recommendations one user may see, narrowed by `filters`."""

    def __init__(self, user: User, filters: Filters, today: dt.date | None = None):
        self.user, self.filters = user, filters
        self.today = today or dt.date.today()
        self.insider = sees_restricted_detail(user)

    def _conditions(self) -> list[ColumnElement[bool]]:
        f, q = self.filters, self.filters.query
        found: list[ColumnElement[bool]] = [visible_reviews_clause(self.user)]
        if f.agency:
            found.append(Recommendation.agency == f.agency)
        if f.theme:
            found.append(Recommendation.id.in_(
                select(RecommendationTheme.recommendation_id)
                .where(RecommendationTheme.code == f.theme)))
        if q.status:
            found.append(Recommendation.status == q.status)
        if q.level:
            found.append(Recommendation.level == q.level)
        if f.csp_id is not None:
            found.append(Review.csp_id == f.csp_id)
        if q.year:  # calendar year of death, as the review list and the annual table count
            found.append(Review.date_of_death >= dt.date(q.year, 1, 1))
            found.append(Review.date_of_death < dt.date(q.year + 1, 1, 1))
        if q.overdue is not None:
            late = overdue_clause(self.today)
            found.append(late if q.overdue else not_(late))
        if q.due_before:
            found.append(Recommendation.due_date < q.due_before)
        return found

    def _select(self, *columns: Any) -> Select[Any]:
        return (select(*columns).select_from(Recommendation)
                .join(Review, Review.id == Recommendation.review_id)
                .where(*self._conditions()))

    def _order(self) -> list[Any]:
        """Most overdue first (the longest past due at the top), then open by due date, then
        the finished ones. Practitioners, who see no due dates: newest published first."""
        if not self.insider:
            return [Review.published_date.desc(), Review.reference, Recommendation.number,
                    Recommendation.id]
        urgency = case((overdue_clause(self.today), 0), (Recommendation.status == "open", 1),
                       else_=2)
        # Ties by review and number, all in ix_recommendations_tracker (no table lookups).
        return [urgency, Recommendation.due_date.is_(None), Recommendation.due_date,
                Recommendation.review_id, Recommendation.number, Recommendation.id]

    def page(self) -> list[Recommendation]:
        """One page in order. The order is worked out on ids alone (a narrow sort), then
        only that page's rows are loaded."""
        q = self.filters.query
        ids = list(db.session.scalars(
            self._select(Recommendation.id).order_by(*self._order())
            .offset((q.page - 1) * q.per_page).limit(q.per_page)))
        if not ids:
            return []
        review = selectinload(Recommendation.review)
        found = {item.id: item for item in db.session.scalars(
            select(Recommendation).where(Recommendation.id.in_(ids))
            .options(review.selectinload(Review.csp), review.selectinload(Review.chair),
                     review.selectinload(Review.report_writer)))}
        return [found[i] for i in ids]

    def rows(self) -> Iterator[TrackedRow]:
        """Every matching recommendation in order, as plain values (for the exports: three
        queries in all, whatever the number of rows)."""
        ids = self._select(Recommendation.id)
        themes = _grouped(select(RecommendationTheme.recommendation_id, RecommendationTheme.code)
                          .where(RecommendationTheme.recommendation_id.in_(ids))
                          .order_by(RecommendationTheme.recommendation_id,
                                    RecommendationTheme.position))
        updates = _grouped(
            select(RecommendationUpdate.recommendation_id, RecommendationUpdate.update_date,
                   RecommendationUpdate.impact)
            .where(RecommendationUpdate.recommendation_id.in_(ids))
            .order_by(RecommendationUpdate.recommendation_id, RecommendationUpdate.update_date,
                      RecommendationUpdate.id)) if self.insider else {}
        stmt = (self._select(Recommendation.id, Review.reference, Csp.name,
                             *(getattr(Recommendation, name) for name in _ROW_COLUMNS))
                .join(Csp, Csp.id == Review.csp_id).order_by(*self._order()))
        for rec_id, reference, csp, *values in db.session.execute(stmt):
            yield TrackedRow(reference, csp, *values, themes=themes.get(rec_id, []),
                             updates=updates.get(rec_id, []))

    def _tallies(self, *keys: Any, join: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        """(keys..., total, open, completed, closed, overdue) per group, in one GROUP BY."""
        def status_is(value: str) -> Any:
            return func.sum(case((Recommendation.status == value, 1), else_=0))

        stmt = self._select(*keys, func.count(Recommendation.id), status_is("open"),
                            status_is("completed"), status_is("closed"),
                            func.sum(case((overdue_clause(self.today), 1), else_=0)))
        if join is not None:
            stmt = stmt.join(*join)
        return [tuple(row) for row in db.session.execute(stmt.group_by(*keys))]

    @cached_property
    def _by_agency_and_csp(self) -> list[tuple[Any, ...]]:
        """One scan of the matching rows serves the total and both tables of counts."""
        return self._tallies(Recommendation.agency, Review.csp_id)

    def _fold(self, rows: Iterable[tuple[Any, ...]], labels: Mapping[Any, str]) -> list[CountRow]:
        """Add up tallies by their first value; biggest groups first."""
        sums: dict[Any, list[int]] = {}
        for key, *counts in rows:
            into = sums.setdefault(key, [0] * 5)
            for index, value in enumerate(counts):
                into[index] += int(value or 0)
        folded = [CountRow(str(key), labels.get(key, str(key)), total, opened, completed,
                           closed, late if self.insider else None)
                  for key, (total, opened, completed, closed, late) in sums.items()]
        return sorted(folded, key=lambda row: (-row.total, row.label))

    def total(self) -> int:
        return sum(row[2] for row in self._by_agency_and_csp)

    def by_agency(self, labels: Mapping[str, str]) -> list[CountRow]:
        return self._fold(((agency, *counts) for agency, _, *counts in self._by_agency_and_csp),
                          labels)

    def by_csp(self) -> list[CountRow]:
        names = {csp_id: name for csp_id, name in db.session.execute(select(Csp.id, Csp.name))}
        return self._fold(((csp_id, *counts) for _, csp_id, *counts in self._by_agency_and_csp),
                          names)

    def by_theme(self, labels: Mapping[str, str]) -> list[CountRow]:
        return self._fold(self._tallies(
            RecommendationTheme.code,
            join=(RecommendationTheme,
                  RecommendationTheme.recommendation_id == Recommendation.id)), labels)

    def theme_counts(self) -> list[tuple[str, int, int, int]]:
        """(theme code, calendar year of death, CSP id, recommendations) over the matching
        rows, in one GROUP BY: the themes page's counts, under the very conditions of the
        list, so that each count equals the total of the tracker page it links to."""
        year = func.extract("year", Review.date_of_death)
        stmt = (self._select(RecommendationTheme.code, year, Review.csp_id,
                             func.count(Recommendation.id))
                .join(RecommendationTheme,
                      RecommendationTheme.recommendation_id == Recommendation.id)
                .group_by(RecommendationTheme.code, year, Review.csp_id))
        return [(code, int(when), csp_id, count)
                for code, when, csp_id, count in db.session.execute(stmt)]

    def days_overdue(self, item: Recommendation) -> int | None:
        if not (self.insider and item.overdue_on(self.today)):
            return None
        assert item.due_date is not None
        return (self.today - item.due_date).days
