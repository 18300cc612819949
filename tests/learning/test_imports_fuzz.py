"""The importers never answer 500, whatever the file: random bytes, random CSV text, and
registers and trackers built from the right columns with random values (hypothesis)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhr.extensions import db
from learning.register_import import COLUMNS

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
PATHS = ("/imports/register", "/imports/tracker", "/imports/tracker?agency=police")
TRACKER_COLUMNS = ("DHR", "RECOMMENDATION", "EXECUTIVE RESPONSE", "IMPACT OF ACTIONS TAKEN",
                   "COMPLETED", "Date completed", "Due date", "Number", "Level", "Agency",
                   "Owner", "Themes")
cell = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "2014", "0", "-1", "99999999999999999999", "YES", "NO", "YES 31/02/2020", "Dacorum",
     "full", "published", "Police", "1.1 That x", "2.1", "=cmd()", "2020-01-01", "1e9",
     "DHR-FUZZ-1", "intimate_partner_homicide", "national", "Routine enquiry"]))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@pytest.fixture
def admin(api_as, make_review):
    """An admin, and a review 'DHR-FUZZ-1' for tracker rows to land in."""
    make_review().reference = "DHR-FUZZ-1"
    db.session.commit()
    return api_as("admin")


def _check(admin, path: str, body: bytes) -> None:
    response = admin.post(path, data=body, headers={"Content-Type": "text/csv"})
    assert response.status_code in (200, 201, 400, 413), (path, body[:200], response.data[:300])
    assert response.is_json


@FUZZ
@given(body=st.binary(max_size=400), path=st.sampled_from(PATHS))
def test_random_bytes(admin, body, path):
    _check(admin, path, body)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=len(COLUMNS), max_size=len(COLUMNS)),
                     max_size=5))
def test_registers_with_random_values(admin, rows):
    _check(admin, "/imports/register", _csv(list(COLUMNS), rows))


@FUZZ
@given(header=st.lists(st.sampled_from(TRACKER_COLUMNS), min_size=1, max_size=12),
       rows=st.lists(st.lists(cell, min_size=0, max_size=12), max_size=5),
       path=st.sampled_from(PATHS[1:]))
def test_trackers_with_random_columns_and_values(admin, header, rows, path):
    _check(admin, path, _csv(header, rows))
