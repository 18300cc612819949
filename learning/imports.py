"""What the importers share: reading a CSV (or XLSX) file into rows that know their line
number, the header check, and the answer (created, skipped, rejected by line and field).

An import validates every row first and writes nothing unless all are valid; a row that is
already in the database (same reference, same review and number) is skipped, never added
twice, so loading the same file again changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    line: int  # the file's line (1 is the header); a spreadsheet's row number
    field: str
    message: str


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)

    def reject(self, line: int, name: str, message: str) -> None:
        self.rejected.append(Problem(line, name, message))


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, Any]

    def text(self, name: str) -> str:
        value = self.cells.get(name)
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


def read_table(raw: bytes, outcome: Outcome) -> tuple[list[str], list[Row]]:
    """(the header's names as given, the rows) of a CSV or XLSX file; problems go to
    `outcome` with line 0 (the file) or 1 (the header)."""
    if len(raw) > MAX_BYTES:
        outcome.reject(0, "file", f"The file is larger than {MAX_BYTES // 1_000_000} MB")
        return [], []
    table = _xlsx_rows(raw, outcome) if raw.startswith(XLSX_MAGIC) else _csv_rows(raw, outcome)
    if not table:
        if not outcome.rejected:
            outcome.reject(0, "file", "The file is empty")
        return [], []
    (_, header), *body = table
    names = [str(h).strip() if h is not None else "" for h in header]
    if len(body) > MAX_ROWS:
        outcome.reject(0, "file", f"The file has more than {MAX_ROWS} rows: split it")
        return names, []
    rows = []
    for line, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # blank lines are not rows
        if len(values) > len(names):
            outcome.reject(line, "row", f"The row has {len(values)} cells but the header "
                                        f"has {len(names)}")
            continue
        rows.append(Row(line, dict(zip(names, values, strict=False))))
    return names, rows


def _csv_rows(raw: bytes, outcome: Outcome) -> list[tuple[int, list[Any]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        outcome.reject(0, "file", "The file must be a CSV saved as UTF-8, or an XLSX workbook")
        return []
    if "\x00" in text:
        outcome.reject(0, "file", "The file must be a CSV saved as UTF-8, or an XLSX workbook")
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for values in reader:
            rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        outcome.reject(start, "row", f"The row cannot be read as CSV: {exc}")
        return []
    return rows


def _xlsx_rows(raw: bytes, outcome: Outcome) -> list[tuple[int, list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError,
            TypeError, IndexError, AttributeError):
        outcome.reject(0, "file", "The workbook cannot be read: save it again as XLSX or CSV")
        return []
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                break
            rows.append((number, list(values)))
        while rows and all(v is None for v in rows[-1][1]):
            rows.pop()
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError,
            AttributeError):
        outcome.reject(0, "file", "The workbook cannot be read: save it again as XLSX or CSV")
        return []
    finally:
        book.close()


def normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def header_map(names: list[str], wanted: dict[str, tuple[str, ...]], required: set[str],
               outcome: Outcome) -> dict[str, str]:
    """{our field: the header as given}: a header matches a field when it starts with one of
    the field's names (the seed's 'IMPACT OF ACTIONS TAKEN e.g. ...' is 'impact'). Missing
    required columns and repeated ones are problems of line 1."""
    found: dict[str, str] = {}
    for given in names:
        key = normalised(given)
        for name, prefixes in wanted.items():
            if any(key == p or key.startswith(p + " ") for p in prefixes):
                if name in found:
                    outcome.reject(1, given, f"The column {given} is given twice")
                found.setdefault(name, given)
                break
    for name in sorted(required - set(found)):
        outcome.reject(1, name, f"The header has no {wanted[name][0]} column")
    return found


def whole_number(row: Row, column: str | None, name: str, outcome: Outcome, *,
                 low: int, high: int) -> int | None:
    value = row.text(column) if column else ""
    if not re.fullmatch(r"\d{1,6}", value):
        outcome.reject(row.line, name, f"Enter a whole number from {low} to {high}")
        return None
    number = int(value)
    if not low <= number <= high:
        outcome.reject(row.line, name, f"Enter a whole number from {low} to {high}")
        return None
    return number


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a spreadsheet date, ISO, or day/month/year; None if it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            found = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= found.year <= 2200:
            return found
    return None


def problems_out(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "field": p.field, "message": p.message}
            for p in sorted(problems, key=lambda p: (p.line, p.field))]
