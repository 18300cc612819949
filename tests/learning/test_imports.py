"""Importing a historic register (POST /api/v1/imports/register) and a recommendations
tracker in the seed 003 layout (POST /api/v1/imports/tracker), and their pages: every row is
checked first, every bad row reported by line and field, nothing imported unless all are
valid, nothing duplicated when the same file is loaded twice; audited."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import Area, AuditEntry, Review
from learning.models import Recommendation, RecommendationUpdate
from tests.conftest import sign_in

HEADER = "reference,csp,year,review_type,deceased_16_plus,children_under_16,death_type,state\n"
GOOD = (HEADER
        + "DHR-HIST-01,Dacorum,2014,full,1,2,intimate_partner_homicide,published\n"
        + "DHR-HIST-02,Watford,2015,Proportionate,2,0,Homicide suicide,Closed\n")
BAD = (HEADER
       + "DHR-HIST-01,Dacorum,2014,full,1,2,intimate_partner_homicide,published\n"
       + "DHR-HIST-03,Atlantis,1999,full,0,-1,poisoning,published\n"
       + "DHR-HIST-01,Watford,2015,full,1,0,other,closed\n")


def _post(api, path, body, **kw):
    return api.post(path, data=body.encode() if isinstance(body, str) else body,
                    headers={"Content-Type": "text/csv"}, **kw)


def _reviews():
    return db.session.scalar(select(func.count(Review.id)))


def test_register_import_creates_reviews_and_is_audited(api_as):
    admin = api_as("admin")
    response = _post(admin, "/imports/register", GOOD)
    assert response.status_code == 201, response.json
    assert response.json == {"created": ["DHR-HIST-01", "DHR-HIST-02"], "skipped": [],
                             "rejected": []}
    second = db.session.scalar(select(Review).where(Review.reference == "DHR-HIST-02"))
    assert (second.csp.name, second.date_of_death, second.review_type, second.death_type,
            second.state, second.deceased_16_plus) == (
        "Watford", date(2015, 1, 1), "proportionate", "homicide_suicide", "closed", 2)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "review.imported")) == 2
    annual = admin.get("/stats/annual").json
    assert [(r["year"], r["reviews"]) for r in annual["rows"]] == [(2014, 1), (2015, 1)]


def test_loading_the_same_file_twice_creates_nothing_more(api_as):
    admin = api_as("admin")
    assert _post(admin, "/imports/register", GOOD).status_code == 201
    again = _post(admin, "/imports/register", GOOD)
    assert again.status_code == 200
    assert again.json["created"] == []
    assert [(s["line"], s["reference"]) for s in again.json["skipped"]] == [
        (2, "DHR-HIST-01"), (3, "DHR-HIST-02")]
    assert _reviews() == 2


def test_every_bad_row_is_reported_and_nothing_is_imported(api_as):
    response = _post(api_as("admin"), "/imports/register", BAD)
    assert response.status_code == 400
    rejected = {(p["line"], p["field"]) for p in response.json["error"]["details"]["rejected"]}
    assert rejected == {(3, "csp"), (3, "year"), (3, "deceased_16_plus"),
                        (3, "children_under_16"), (3, "death_type"), (4, "reference")}
    assert _reviews() == 0  # line 2 was fine, but nothing is half-imported


@pytest.mark.parametrize(("body", "field"), [
    ("", "file"), ("reference,csp\nX,Dacorum\n", "year"),
    (b"\xff\xfe\x00bad", "file"), ("a,b\n" + "1,2,3\n", "row"),
    (HEADER + 'X,"Dacorum\n', "row"),
])
def test_malformed_files_are_400_with_the_line(api_as, body, field):
    response = _post(api_as("admin"), "/imports/register", body)
    assert response.status_code == 400, response.json
    assert field in {p["field"] for p in response.json["error"]["details"]["rejected"]}


def test_only_coordinators_and_admins_import_and_only_their_area(api_as, make_user):
    for role in ("csp_manager", "subgroup_member", "practitioner", "chair"):
        assert _post(api_as(role), "/imports/register", GOOD).status_code == 403
    db.session.add(Area(name="Elsewhere", slug="elsewhere"))
    db.session.commit()
    outsider = make_user("coordinator", area="Elsewhere")
    response = _post(api_as(outsider), "/imports/register", GOOD)
    assert response.status_code in (400, 403)
    assert _reviews() == 0


TRACKER = (
    "DHR,RECOMMENDATION,EXECUTIVE RESPONSE,IMPACT OF ACTIONS TAKEN e.g. new strategy,"
    "COMPLETED (do not input 'ongoing' in this column) and dates\n"
    "DHR-HIST-01,2.1 That Domestic Abuse (DA) Champions are introduced county wide.,"
    "Funding was awarded.,The initial cohort of 10 champions has been identified.,NO\n"
    ",,The funding period will cease in March 2020.,GP surgeries will be included.,\n"
    "DHR-HIST-01,2.2 That DA training is mandatory for ACS staff.,ACS commissioned courses.,"
    "304 ACS staff attended.,YES 12/07/2018\n"
)


@pytest.fixture
def register(api_as):
    admin = api_as("admin")
    assert _post(admin, "/imports/register", GOOD).status_code == 201
    return admin


def test_tracker_in_the_seed_layout_is_imported_into_existing_reviews(register):
    response = _post(register, "/imports/tracker?agency=Adult%20social%20care", TRACKER)
    assert response.status_code == 201, response.json
    assert response.json["created"] == ["DHR-HIST-01 2.1", "DHR-HIST-01 2.2"]
    first, second = db.session.scalars(select(Recommendation).order_by(Recommendation.number))
    assert first.text == "That Domestic Abuse (DA) Champions are introduced county wide."
    assert (first.status, first.agency, first.level) == ("open", "adult_social_care", "local")
    log = [u.impact for u in db.session.scalars(select(RecommendationUpdate).where(
        RecommendationUpdate.recommendation_id == first.id).order_by(RecommendationUpdate.id))]
    assert log[0].startswith("Executive response: Funding was awarded.")
    assert "The funding period will cease in March 2020." in log[0]  # the continuation row
    assert log[1:] == ["The initial cohort of 10 champions has been identified.",
                       "GP surgeries will be included."]
    assert (second.status, second.completed_date, second.evidence) == (
        "completed", date(2018, 7, 12), "ACS commissioned courses.")
    again = _post(register, "/imports/tracker?agency=adult_social_care", TRACKER)
    assert again.status_code == 200 and len(again.json["skipped"]) == 2


def test_tracker_rows_are_all_or_nothing(register):
    bad = TRACKER + "DHR-NOPE,3.1 That something happens.,,,MAYBE\n"
    response = _post(register, "/imports/tracker", bad)
    assert response.status_code == 400
    rejected = {(p["line"], p["field"]) for p in response.json["error"]["details"]["rejected"]}
    assert {(2, "agency"), (5, "reference"), (5, "completed")} <= rejected
    assert db.session.scalar(select(func.count(Recommendation.id))) == 0


def test_tracker_export_round_trips_as_xlsx(register):
    """Our own download (XLSX, real dates) loads back: how a county moves between systems."""
    first = _post(register, "/imports/tracker?agency=police", TRACKER)
    assert first.status_code == 201
    exported = register.get("/recommendations/export?format=xlsx").data
    db.session.execute(RecommendationUpdate.__table__.delete())
    db.session.execute(Recommendation.__table__.delete())
    db.session.commit()
    response = _post(register, "/imports/tracker", exported)
    assert response.status_code == 201, response.json
    completed = db.session.scalar(select(Recommendation).where(Recommendation.number == "2.2"))
    assert completed.completed_date == date(2018, 7, 12) and completed.agency == "police"


def test_xlsx_with_a_bad_row_names_the_spreadsheet_row(register):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DHR", "RECOMMENDATION", "COMPLETED", "Agency"])
    sheet.append(["DHR-HIST-01", "1.1 That things improve.", "NO", "Police"])
    sheet.append(["DHR-HIST-01", "1.2 That more things improve.", "NO", "Martians"])
    out = io.BytesIO()
    book.save(out)
    response = _post(register, "/imports/tracker", out.getvalue())
    assert response.status_code == 400
    assert response.json["error"]["details"]["rejected"] == [
        {"line": 3, "field": "agency", "message": "Unknown agency: Martians"}]


def test_the_page_previews_then_imports(client, make_user):
    sign_in(client, make_user("coordinator"))
    bad = client.post("/imports/register", data={"file": (io.BytesIO(BAD.encode()), "r.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "Line 3, csp: Enter the name of a CSP" in html and 'href="#file"' in html
    assert "Line 4, reference: The reference DHR-HIST-01 is also on line 2" in html
    assert _reviews() == 0
    good = client.post("/imports/register", data={"file": (io.BytesIO(GOOD.encode()), "r.csv")},
                       content_type="multipart/form-data")
    html = good.get_data(as_text=True)
    assert good.status_code == 200 and "2 to import" in html and _reviews() == 0
    token = html.split('id="confirm-token" name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/imports/register/confirm", data={"token": token},
                       follow_redirects=True)
    assert "Imported 2; skipped 0 already recorded" in done.get_data(as_text=True)
    assert _reviews() == 2
    replay = client.post("/imports/register/confirm", data={"token": token})
    assert replay.status_code == 302 and _reviews() == 2  # a token is used once


def test_the_openapi_document_describes_the_new_calls(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/imports/register"]
    assert "post" in paths["/api/v1/imports/tracker"]
    assert "get" in paths["/api/v1/stats/timeliness"]
    assert "get" in paths["/api/v1/vocabularies/{vocabulary}"]
    assert "post" in paths["/api/v1/vocabularies/{vocabulary}/terms"]
    assert "patch" in paths["/api/v1/vocabularies/{vocabulary}/terms/{code}"]
    assert "post" in paths["/api/v1/vocabularies/{vocabulary}/terms/{code}/merge"]
