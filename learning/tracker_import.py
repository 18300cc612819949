"""Importing a recommendations tracker in the layout of the county scrutiny tracker (seed 003)
into existing reviews: how a county moves off its spreadsheet. CSV or XLSX.

Columns (matched by how the header starts, any case): DHR (the review's reference),
RECOMMENDATION ('2.1 That ...': the number may lead the text, or sit in a Number column),
EXECUTIVE RESPONSE, IMPACT OF ACTIONS TAKEN, COMPLETED (YES or NO, a date may follow), and
the optional columns our export adds (Date completed, Due date, Number, Level, Agency, Owner,
Themes). A row with no DHR, no recommendation and no number continues the row above, as the
seed's text runs on over several lines. The seed has no agency column: the caller then names
one agency for every row. A recommendation already recorded (same review and number) is
skipped, so loading the same file twice adds nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dhr.audit import record
from dhr.errors import NotPermitted
from dhr.extensions import db
from dhr.models import Review, User
from dhr.permissions import can_edit_review
from dhr.vocabulary import to_codes
from learning.imports import Outcome, Row, header_map, parse_date, read_table
from learning.models import LEVELS, Recommendation, RecommendationUpdate
from learning.register_import import can_import

WANTED: dict[str, tuple[str, ...]] = {
    "reference": ("dhr", "reference", "review"),
    "recommendation": ("recommendation",),
    "response": ("executive response",),
    "impact": ("impact of actions taken", "impact"),
    "completed": ("completed",),
    "completed_date": ("date completed",),
    "due_date": ("due date",),
    "number": ("number",),
    "level": ("level",),
    "agency": ("agency",),
    "owner": ("owner",),
    "themes": ("themes",),
}
REQUIRED = {"reference", "recommendation", "completed"}
NUMBER = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,4}){0,3}[a-z]?)\.?\s+(.*)$", re.DOTALL)
DATED_ENTRY = re.compile(r"^(\d{4}-\d{2}-\d{2}): (.*)$", re.DOTALL)
TEXT_MAX = 20_000
OWNER_MAX = 200


@dataclass
class TrackerEntry:
    line: int
    review_id: int
    reference: str
    number: str
    text: str
    agency: str
    level: str
    owner: str | None
    due_date: dt.date | None
    completed_date: dt.date | None
    themes: list[str]
    response: str
    impact: list[tuple[dt.date, str]] = field(default_factory=list)


def _merge_continuations(rows: list[Row], columns: dict[str, str]) -> list[Row]:
    """Rows whose DHR, recommendation and number are blank continue the row above."""
    keys = [columns[k] for k in ("reference", "recommendation", "number") if k in columns]
    merged: list[Row] = []
    for row in rows:
        if merged and not any(row.text(k) for k in keys):
            cells = dict(merged[-1].cells)
            for name, value in row.cells.items():
                extra = Row(row.line, {name: value}).text(name)
                if extra:
                    before = merged[-1].text(name)
                    cells[name] = f"{before}\n\n{extra}" if before else extra
            merged[-1] = Row(merged[-1].line, cells)
        else:
            merged.append(row)
    return merged


def check_tracker(user: User, raw: bytes, *, agency: str | None = None,
                  completed_date: dt.date | None = None, today: dt.date | None = None
                  ) -> tuple[list[TrackerEntry], Outcome]:
    """Every row checked, nothing written: (the recommendations to add, the outcome)."""
    if not can_import(user):
        raise NotPermitted("only coordinators and admins may import a tracker")
    today = today or dt.date.today()
    outcome = Outcome()
    names, rows = read_table(raw, outcome)
    columns = header_map(names, WANTED, REQUIRED, outcome)
    default_agency = None
    if agency:
        codes, unknown = to_codes("agency", [agency])
        if unknown:
            outcome.reject(0, "agency", f"Unknown agency: {agency}")
        else:
            default_agency = codes[0]
    if outcome.rejected:
        return [], outcome
    reviews: dict[str, Review | None] = {}
    seen: dict[tuple[int, str], int] = {}
    entries: list[TrackerEntry] = []
    for row in _merge_continuations(rows, columns):
        entry = _check_row(user, row, columns, default_agency, completed_date, today,
                           reviews, outcome)
        if entry is None:
            continue
        key = (entry.review_id, entry.number)
        if key in seen:
            outcome.reject(row.line, "recommendation", f"Recommendation {entry.number} of "
                           f"{entry.reference} is also on line {seen[key]}")
            continue
        seen[key] = row.line
        entries.append(entry)
    fresh = []
    for entry in entries:
        if db.session.scalar(select(Recommendation.id).where(
                Recommendation.review_id == entry.review_id,
                Recommendation.number == entry.number)) is not None:
            outcome.skipped.append({"line": entry.line, "reference": entry.reference,
                                    "number": entry.number,
                                    "reason": "this recommendation is already recorded"})
        else:
            fresh.append(entry)
    return ([] if outcome.rejected else fresh), outcome


def _cell(row: Row, columns: dict[str, str], name: str) -> str:
    return row.text(columns[name]) if name in columns else ""


def _check_row(user: User, row: Row, columns: dict[str, str], default_agency: str | None,
               completed_default: dt.date | None, today: dt.date,
               reviews: dict[str, Review | None], outcome: Outcome) -> TrackerEntry | None:
    before = len(outcome.rejected)
    line = row.line
    reference = _cell(row, columns, "reference")
    if reference.lower() not in reviews:
        found = db.session.scalar(select(Review).where(
            db.func.lower(Review.reference) == reference.lower())) if reference else None
        reviews[reference.lower()] = found if found and can_edit_review(user, found) else None
    review = reviews[reference.lower()]
    if review is None:
        outcome.reject(line, "reference", f"No review you can change has the reference "
                                          f"{reference}" if reference else "Enter the DHR")
    text = _cell(row, columns, "recommendation")
    number = _cell(row, columns, "number")
    if not number and (match := NUMBER.match(text)):
        number, text = match.group(1), match.group(2).strip()
    if not number or len(number) > 20:
        outcome.reject(line, "number", "Give the recommendation's number ('2.1'), before its "
                                       "text or in a Number column")
    if not text or len(text) > TEXT_MAX:
        outcome.reject(line, "recommendation", "Enter the recommendation's text")
    agency = default_agency
    if _cell(row, columns, "agency"):
        codes, unknown = to_codes("agency", [_cell(row, columns, "agency")])
        if unknown:
            outcome.reject(line, "agency", f"Unknown agency: {unknown[0]}")
        agency = codes[0] if codes else None
    elif agency is None:
        outcome.reject(line, "agency", "Give the agency in an Agency column, or choose one "
                                       "for every row")
    level = (_cell(row, columns, "level") or "local").lower()
    if level not in LEVELS:
        outcome.reject(line, "level", f"Enter one of: {', '.join(LEVELS)}")
    themes, unknown_themes = to_codes("theme", [t for t in re.split(
        r"[;\n]", _cell(row, columns, "themes")) if t.strip()])
    if unknown_themes:
        outcome.reject(line, "themes", f"Unknown theme: {', '.join(unknown_themes)}")
    owner = _cell(row, columns, "owner") or None
    if owner and len(owner) > OWNER_MAX:
        outcome.reject(line, "owner", f"Owner must be {OWNER_MAX} characters or fewer")
    due_date = _date(row, columns, "due_date", outcome)
    completed_date = _completion(row, columns, completed_default, today, outcome)
    response = _cell(row, columns, "response")
    impact = _impact(_cell(row, columns, "impact"), today)
    if len(response) > TEXT_MAX or any(len(t) > TEXT_MAX for _, t in impact):
        outcome.reject(line, "impact", "The text is too long")
    if len(outcome.rejected) > before:
        return None
    assert review is not None and agency is not None
    return TrackerEntry(line, review.id, review.reference, number, text, agency, level, owner,
                        due_date, completed_date, themes, response, impact)


def _date(row: Row, columns: dict[str, str], name: str, outcome: Outcome) -> dt.date | None:
    if name not in columns or not row.text(columns[name]):
        return None
    found = parse_date(row.cells[columns[name]])
    if found is None:
        outcome.reject(row.line, name, "Enter a real date, for example 31/03/2025")
    return found


def _completion(row: Row, columns: dict[str, str], default: dt.date | None, today: dt.date,
                outcome: Outcome) -> dt.date | None:
    """None for NO; the date completed for YES (from its own column, the cell's words after
    YES, or the caller's default)."""
    cell = _cell(row, columns, "completed")
    word, _, rest = cell.strip().partition(" ")
    word = word.strip(" -,:").upper()
    if word == "NO":
        return None
    if word != "YES":
        outcome.reject(row.line, "completed", "Enter YES or NO (a date may follow YES)")
        return None
    when = _date(row, columns, "completed_date", outcome) or parse_date(rest.strip(" -,:"))
    when = when or default
    if when is None:
        outcome.reject(row.line, "completed", "Give the date it was completed, or choose a "
                                              "date for rows that give none")
    elif when > today:
        outcome.reject(row.line, "completed", "The date completed cannot be in the future")
    return when


def _impact(text: str, today: dt.date) -> list[tuple[dt.date, str]]:
    """Our export writes 'YYYY-MM-DD: what happened' paragraphs; other text is one entry
    dated the day of the import."""
    entries = []
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()):
        match = DATED_ENTRY.match(paragraph)
        dated = parse_date(match.group(1)) if match else None
        entries.append((dated, match.group(2)) if match and dated else (today, paragraph))
    return entries


def import_tracker(user: User, raw: bytes, *, agency: str | None = None,
                   completed_date: dt.date | None = None) -> Outcome:
    """Check every row, then add every new recommendation with its progress log (all, or
    none when any row is rejected). The caller commits."""
    entries, outcome = check_tracker(user, raw, agency=agency, completed_date=completed_date)
    if outcome.rejected:
        return outcome
    for entry in entries:
        item = Recommendation(
            review_id=entry.review_id, number=entry.number, text=entry.text, level=entry.level,
            agency=entry.agency, owner=entry.owner, due_date=entry.due_date,
            themes=entry.themes, created_by_id=user.id)
        if entry.completed_date is not None:
            item.status, item.completed_date = "completed", entry.completed_date
            item.evidence = entry.response or None
        db.session.add(item)
        db.session.flush()
        if entry.response and entry.completed_date is None:
            entry.impact.insert(0, (dt.date.today(), f"Executive response: {entry.response}"))
        for when, impact in entry.impact:
            db.session.add(RecommendationUpdate(recommendation_id=item.id, update_date=when,
                                                impact=impact, author_id=user.id))
        record("recommendation.imported", item, user, _audit(entry),
               review_id=entry.review_id, to_state=item.status)
        outcome.created.append(f"{entry.reference} {entry.number}")
    return outcome


def _audit(entry: TrackerEntry) -> dict[str, Any]:
    return {"source": "tracker", "line": entry.line, "number": entry.number,
            "agency": entry.agency, "level": entry.level}
