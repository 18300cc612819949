"""GET /api/v1/recommendations/export: the scrutiny tracker's columns as CSV and XLSX, with the
list's filters and permissions, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.support.tracker import CHAMPIONS, FORMULA, SUPPORT, TODAY, build_scene

INSIDER_HEADER = ["DHR", "RECOMMENDATION", "EXECUTIVE RESPONSE", "IMPACT OF ACTIONS TAKEN",
                  "COMPLETED", "Date completed", "Due date", "Number", "Level", "Agency",
                  "Owner", "Themes", "Status", "CSP"]


@pytest.fixture
def scene(make_review, make_user):
    return build_scene(make_review, make_user)


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_has_the_scrutiny_tracker_columns_in_tracker_order(api_as, scene):
    response = api_as("admin").get("/recommendations/export?format=csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == INSIDER_HEADER
    assert [r["Number"] for r in rows] == ["3.1", "1.1", "1.2", "2.1", "1.3", "3.2"]
    first = rows[0]
    assert first["RECOMMENDATION"] == SUPPORT and first["COMPLETED"] == "NO"
    assert first["Owner"] == "Named officer" and first["CSP"] == "Watford"
    assert first["Due date"] == (TODAY - timedelta(days=100)).isoformat()
    completed = rows[4]
    assert completed["COMPLETED"] == "YES"
    assert completed["Date completed"] == (TODAY - timedelta(days=10)).isoformat()
    assert rows[5]["EXECUTIVE RESPONSE"] == "Closed: Superseded. Merged into 2.5"
    log = rows[1]["IMPACT OF ACTIONS TAKEN"]
    assert log.startswith(f"{(TODAY - timedelta(days=20)).isoformat()}: 10 Lead Agency")
    assert rows[2]["Themes"] == "Routine enquiry; Training and awareness"


def test_csv_defuses_formulas(api_as, scene):
    rows = read_csv(api_as("admin").get("/recommendations/export?format=csv&csp=Dacorum"))
    by_number = {r["Number"]: r for r in rows}
    assert by_number["2.1"]["RECOMMENDATION"] == "'" + FORMULA
    assert by_number["1.3"]["EXECUTIVE RESPONSE"].startswith("'+ 304 ACS")
    # Inside the log only the cell's first character matters; the dates lead it.
    assert by_number["1.1"]["IMPACT OF ACTIONS TAKEN"][0].isdigit()
    assert by_number["1.1"]["RECOMMENDATION"] == CHAMPIONS


def test_export_follows_the_filters_and_permissions(api_as, scene):
    rows = read_csv(api_as("admin").get("/recommendations/export?format=csv&overdue=true"))
    assert [r["Number"] for r in rows] == ["3.1", "1.1", "1.2"]
    mine = read_csv(api_as("csp_manager", csps=["Watford"]).get(
        "/recommendations/export?format=csv"))
    assert {r["CSP"] for r in mine} == {"Watford"} and len(mine) == 2


def test_practitioners_export_only_what_the_published_report_shows(api_as, scene):
    rows = read_csv(api_as("practitioner").get("/recommendations/export?format=csv"))
    assert [r["Number"] for r in rows] == ["3.1", "3.2"]
    assert list(rows[0]) == ["DHR", "RECOMMENDATION", "COMPLETED", "Date completed", "Number",
                             "Level", "Agency", "Themes", "Status", "CSP"]
    assert "Named officer" not in str(rows) and "Merged into" not in str(rows)


def test_xlsx_has_types_frozen_header_widths_and_wrapping(api_as, scene):
    response = api_as("admin").get("/recommendations/export?format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == INSIDER_HEADER and len(rows) == 7
    column = {name: index for index, name in enumerate(INSIDER_HEADER)}
    first = rows[1]
    assert first[column["Due date"]] == datetime.combine(TODAY - timedelta(days=100),
                                                         datetime.min.time())
    assert isinstance(rows[5][column["Date completed"]], datetime)
    assert first[column["Owner"]] == "Named officer"
    formula_row = next(r for r in rows if r[column["Number"]] == "2.1")
    assert formula_row[column["RECOMMENDATION"]] == FORMULA  # kept as text, never a formula
    formula_cell = next(c for c in sheet["B"] if c.value == FORMULA)
    assert formula_cell.data_type == "s"
    assert sheet.column_dimensions["B"].width > 50
    assert sheet.cell(row=2, column=2).alignment.wrap_text is True
    assert sheet.cell(row=2, column=column["Due date"] + 1).number_format == "yyyy-mm-dd"


@pytest.mark.parametrize(("query", "field"), [
    ("format=pdf", "format"), ("format=csv&status=ongoing", "status"),
    ("format=xlsx&year=next", "year"),
])
def test_export_bad_input_is_400(api_as, scene, query, field):
    response = api_as("admin").get(f"/recommendations/export?{query}")
    assert response.status_code == 400 and field in response.json["error"]["details"]
