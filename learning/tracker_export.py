"""The tracker as a spreadsheet: the columns of the county scrutiny tracker (seed 003) plus ours.

CSV is UTF-8 with a byte-order mark (so Excel reads it as UTF-8) and every text cell that a
spreadsheet would take for a formula gets a leading apostrophe. XLSX has real dates, a frozen
header row, set column widths and wrapped text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from flask import Response

from dhr.errors import InvalidInput
from dhr.reviews import agency_codes
from learning.models import CLOSED_REASON_LABELS
from learning.recommendations import theme_labels
from learning.tracker import TrackedRow, Tracker

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767
Cell = str | dt.date | None


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    value: Callable[[TrackedRow, ExportLabels], Cell]
    insider_only: bool = False


@dataclass(frozen=True)
class ExportLabels:
    agencies: dict[str, str]
    themes: dict[str, str]


def _executive_response(item: TrackedRow, _: ExportLabels) -> str | None:
    """What the agency answered: the evidence of completion, or why it was closed."""
    if item.status == "completed":
        return item.evidence
    if item.status == "closed" and item.closed_reason:
        reason = CLOSED_REASON_LABELS[item.closed_reason]
        return f"Closed: {reason}." + (f" {item.closed_note}" if item.closed_note else "")
    return None


def _impact(item: TrackedRow, _: ExportLabels) -> str:
    """The dated progress log, oldest first, one entry a paragraph."""
    return "\n\n".join(f"{when.isoformat()}: {impact}" for when, impact in item.updates)


COLUMNS = (
    Column("DHR", 24, lambda r, _: r.reference),
    Column("RECOMMENDATION", 60, lambda r, _: r.text),
    Column("EXECUTIVE RESPONSE", 50, _executive_response, insider_only=True),
    Column("IMPACT OF ACTIONS TAKEN", 60, _impact, insider_only=True),
    Column("COMPLETED", 11, lambda r, _: "YES" if r.status == "completed" else "NO"),
    Column("Date completed", 14, lambda r, _: r.completed_date),
    Column("Due date", 12, lambda r, _: r.due_date, insider_only=True),
    Column("Number", 8, lambda r, _: r.number),
    Column("Level", 10, lambda r, _: r.level.capitalize()),
    Column("Agency", 24, lambda r, lab: lab.agencies.get(r.agency, r.agency)),
    Column("Owner", 24, lambda r, _: r.owner, insider_only=True),
    Column("Themes", 30, lambda r, lab: "; ".join(lab.themes.get(c, c) for c in r.themes)),
    Column("Status", 11, lambda r, _: r.status.capitalize()),
    Column("CSP", 16, lambda r, _: r.csp),
)


def columns_for(tracker: Tracker) -> list[Column]:
    """Practitioners get what the published report shows: no owner, response, log or dates due."""
    return [c for c in COLUMNS if tracker.insider or not c.insider_only]


def _rows(tracker: Tracker, columns: list[Column],
          labels: ExportLabels) -> Iterator[list[Cell]]:
    for item in tracker.rows():
        yield [column.value(item, labels) for column in columns]


def defuse(value: str) -> str:
    """A leading apostrophe on text a spreadsheet would run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(tracker: Tracker, labels: ExportLabels) -> bytes:
    columns = columns_for(tracker)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.title for c in columns])
    for row in _rows(tracker, columns, labels):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date)
                         else defuse(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(tracker: Tracker, labels: ExportLabels) -> bytes:
    columns = columns_for(tracker)
    out = io.BytesIO()
    # Text is only ever written as text: nothing in a cell becomes a formula or a link.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Recommendations")
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                              "bg_color": "#DDDDDD", "border": 1})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    when = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, text)
        sheet.write_string(0, index, column.title, header)
    sheet.freeze_panes(1, 0)
    last_row = _write_rows(sheet, _rows(tracker, columns, labels), text, when)
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    book.close()
    return out.getvalue()


def _write_rows(sheet: Any, rows: Iterable[list[Cell]], text: Any, when: Any) -> int:
    """Write the rows under the header; the index of the last row written."""
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for col_index, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(row_index, col_index,
                                     dt.datetime.combine(value, dt.time()), when)
            elif value:
                sheet.write_string(row_index, col_index, value[:XLSX_CELL_LIMIT], text)
    return row_index


def export_format(value: str | None) -> str:
    """csv (the default) or xlsx; anything else is an InvalidInput on `format`."""
    kind = (value or "csv").strip().lower() or "csv"
    if kind not in EXPORT_TYPES:
        raise InvalidInput("unknown format", {"format": "must be csv or xlsx"})
    return kind


def export_response(tracker: Tracker, kind: str) -> Response:
    """The tracker as a download (`kind` is csv or xlsx), for the API and the page alike."""
    labels = ExportLabels(agencies=agency_codes(), themes=theme_labels())
    body = to_csv(tracker, labels) if kind == "csv" else to_xlsx(tracker, labels)
    name = f"recommendation-tracker-{tracker.today.isoformat()}.{kind}"
    return Response(body, mimetype=EXPORT_TYPES[kind], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
