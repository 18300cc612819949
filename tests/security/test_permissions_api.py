"""Who may call which API operation: deny by default, 401 without a token, 404 for what the
caller may not see (never revealing it exists), 403 for what they see but may not change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.models import ApiToken, Review
from dhr.models.types import utcnow
from tests.conftest import review_fields, sign_in
from tests.support.foundation import PERSONAS, persona, publish, row_counts

API_CALLS = [
    ("GET", "/csps"),
    ("GET", "/reviews"),
    ("POST", "/reviews"),
    ("GET", "/reviews/{id}"),
    ("PATCH", "/reviews/{id}"),
]


def as_json(fields: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in fields.items()}


@pytest.mark.parametrize(("method", "path"), API_CALLS)
@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer dhr_not-a-token",
                                           "Basic YWRtaW46YWRtaW4=", "dhr_no-scheme"])
def test_without_a_valid_token_every_call_is_401(client, make_review, method, path,
                                                 authorization):
    review = make_review()
    before = row_counts()
    headers = {"Authorization": authorization} if authorization else {}
    response = client.open(f"/api/v1{path.format(id=review.id)}", method=method,
                           headers=headers, json=as_json(review_fields()))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert row_counts() == before


def test_a_signed_in_browser_session_is_not_an_api_credential(client, make_user):
    assert sign_in(client, make_user("admin")).status_code == 302
    assert client.get("/").status_code == 200  # the session works for pages ...
    assert client.get("/api/v1/reviews").status_code == 401  # ... but not for the API


# (persona, status of GET, status of PATCH) on a Dacorum review in state `notified`.
REVIEW_ACCESS = [
    ("admin", 200, 200),
    ("herts_coordinator", 200, 200),
    ("hereford_coordinator", 404, 404),
    ("dacorum_manager", 200, 200),
    ("watford_manager", 404, 404),
    ("herts_subgroup", 200, 403),
    ("hereford_subgroup", 404, 404),
    ("appointed_chair", 200, 403),
    ("other_chair", 404, 404),
    ("practitioner", 404, 404),  # not published
]


def test_the_table_covers_every_persona():
    assert {row[0] for row in REVIEW_ACCESS} == set(PERSONAS)


@pytest.mark.parametrize(("name", "get_status", "patch_status"), REVIEW_ACCESS)
def test_reading_and_changing_one_review(api_as, make_user, make_review, name, get_status,
                                         patch_status):
    review = make_review(csp="Dacorum")
    api = api_as(persona(make_user, name, review))
    response = api.get(f"/reviews/{review.id}")
    assert response.status_code == get_status, response.json
    if get_status == 404:
        assert response.json["error"]["code"] == "not_found"
        # Exactly the answer for a review that does not exist: nothing is given away.
        assert response.json == api.get("/reviews/999999").json
    else:
        assert response.json["reference"] == review.reference

    before = row_counts()
    response = api.patch(f"/reviews/{review.id}", {"victim_pseudonym": "Ruth"})
    assert response.status_code == patch_status, response.json
    db.session.expire_all()
    if patch_status == 200:
        assert db.session.get(Review, review.id).victim_pseudonym == "Ruth"
        assert row_counts()["audit_entries"] == before["audit_entries"] + 1
    else:
        assert response.json["error"]["code"] == {403: "forbidden", 404: "not_found"}[
            patch_status]
        assert db.session.get(Review, review.id).victim_pseudonym == "Adult A"
        assert row_counts() == before


# (persona, status when recording a Dacorum notification)
CREATE_ACCESS = [
    ("admin", 201),
    ("herts_coordinator", 201),
    ("hereford_coordinator", 403),
    ("dacorum_manager", 201),
    ("watford_manager", 403),
    ("herts_subgroup", 403),
    ("hereford_subgroup", 403),
    ("appointed_chair", 403),
    ("other_chair", 403),
    ("practitioner", 403),
]


@pytest.mark.parametrize(("name", "status"), CREATE_ACCESS)
def test_recording_a_notification(api_as, make_user, name, status):
    api = api_as(persona(make_user, name))
    before = row_counts()
    response = api.post("/reviews", as_json(review_fields(csp="Dacorum")))
    assert response.status_code == status, response.json
    after = row_counts()
    if status == 201:
        assert response.json["csp"] == "Dacorum"
        assert after["reviews"] == before["reviews"] + 1
    else:
        assert response.json["error"]["code"] == "forbidden"
        assert after == before


@pytest.mark.parametrize(("name", "expected"), [
    ("admin", {"Dacorum", "Watford", "Herefordshire"}),
    ("herts_coordinator", {"Dacorum", "Watford"}),
    ("hereford_coordinator", {"Herefordshire"}),
    ("dacorum_manager", {"Dacorum"}),
    ("watford_manager", {"Watford"}),
    ("herts_subgroup", {"Dacorum", "Watford"}),
    ("hereford_subgroup", {"Herefordshire"}),
    ("appointed_chair", {"Dacorum"}),
    ("other_chair", set()),
    ("practitioner", {"Watford"}),  # the published one only
])
def test_lists_show_only_what_the_caller_may_see(api_as, make_user, make_review, name,
                                                  expected):
    dacorum = make_review(csp="Dacorum")
    publish(make_review(csp="Watford"))
    make_review(csp="Herefordshire")
    publish(make_review(csp="Watford", victim_pseudonym="Adult W"), withheld=True)
    api = api_as(persona(make_user, name, dacorum))
    body = api.get("/reviews").json
    seen = {item["csp"] for item in body["items"]}
    assert seen == expected
    assert body["total"] == len(body["items"])
    # Filtering by a CSP the caller cannot see finds nothing, rather than revealing it.
    assert api.get("/reviews?csp=Herefordshire").json["total"] == (
        1 if "Herefordshire" in expected else 0)


@pytest.mark.parametrize(("name", "expected"), [
    ("admin", 11),
    ("herts_coordinator", 10),
    ("hereford_coordinator", 1),
    ("herts_subgroup", 10),
    ("practitioner", 11),
])
def test_csps_the_caller_can_see(api_as, make_user, name, expected):
    body = api_as(persona(make_user, name)).get("/csps").json
    assert len(body["items"]) == expected


def test_csp_managers_and_chairs_see_only_their_own_csps(api_as, make_user, make_review):
    review = make_review(csp="Three Rivers")
    manager = make_user("csp_manager", csps=["Watford", "Three Rivers"])
    names = [c["name"] for c in api_as(manager).get("/csps").json["items"]]
    assert names == ["Three Rivers", "Watford"]
    chair = persona(make_user, "appointed_chair", review)
    assert [c["name"] for c in api_as(chair).get("/csps").json["items"]] == ["Three Rivers"]
    assert api_as(persona(make_user, "other_chair")).get("/csps").json["items"] == []


def test_practitioners_see_only_the_published_anonymised_review(api_as, make_user, make_review):
    review = publish(make_review(csp="Dacorum", identifying_terms=["Jane Realname"]))
    api = api_as("practitioner")
    body = api.get(f"/reviews/{review.id}").json
    assert body["reference"] == review.reference
    assert not {"identifying_terms", "history", "date_of_death"} & set(body)
    assert body["month_of_death"] == "2024-01"
    assert "Jane Realname" not in str(body)
    assert "2024-01-31" not in str(body)
    listed = api.get("/reviews").json["items"][0]
    assert not {"identifying_terms", "date_of_death"} & set(listed)

    # Editors see the restricted detail of the same review.
    admin = api_as("admin").get(f"/reviews/{review.id}").json
    assert admin["identifying_terms"] == ["Jane Realname"]
    assert admin["date_of_death"] == "2024-01-31"
    assert admin["history"]


def test_a_withheld_publication_stays_hidden_from_practitioners(api_as, make_review):
    review = publish(make_review(), withheld=True)
    assert api_as("practitioner").get(f"/reviews/{review.id}").status_code == 404


def test_only_editors_see_identifying_terms(api_as, make_user, make_review):
    review = make_review(identifying_terms=["Jane Realname"])
    for name, sees in [("dacorum_manager", True), ("herts_coordinator", True),
                       ("herts_subgroup", False), ("appointed_chair", False)]:
        body = api_as(persona(make_user, name, review)).get(f"/reviews/{review.id}").json
        assert (body["identifying_terms"] == ["Jane Realname"]) is sees, name


def test_a_manager_cannot_move_a_review_to_a_csp_they_do_not_manage(api_as, make_review):
    review = make_review(csp="Dacorum")
    api = api_as("csp_manager", csps=["Dacorum"])
    before = row_counts()
    response = api.patch(f"/reviews/{review.id}", {"csp": "Watford"})
    assert response.status_code == 403
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Review, review.id).csp.name == "Dacorum"


def test_disabled_users_tokens_stop_working(api_as, make_user):
    user = make_user("admin")
    api = api_as(user)
    assert api.get("/reviews").status_code == 200
    user.is_enabled = False
    db.session.commit()
    assert api.get("/reviews").status_code == 401


def test_revoked_tokens_are_refused_and_others_still_work(api_as, make_user):
    user = make_user("admin")
    first, second = api_as(user), api_as(user)
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    assert len(tokens) == 2
    tokens[0].revoked_dt = utcnow()
    db.session.commit()
    assert first.get("/reviews").status_code == 401
    assert second.get("/reviews").status_code == 200


def test_using_a_token_records_when_it_was_last_used(api_as, make_user):
    api = api_as(make_user("admin"))
    row = db.session.scalars(select(ApiToken)).one()
    assert row.last_used_dt is None
    assert api.get("/reviews").status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_dt is not None
