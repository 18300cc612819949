"""Repeated recommendations: the comparison itself, GET /recommendations/{id}/similar and
GET /recommendations/repeats, and who sees what."""

from __future__ import annotations

import pytest

from dhr.extensions import db
from learning import repeats
from tests.support.repeats import (
    GP_AUDIT,
    GP_DACORUM,
    GP_WATFORD,
    HOUSING,
    make_county,
)


@pytest.fixture
def county(make_review):
    return make_county(make_review)


def ids(items):
    return [entry["recommendation"]["id"] for entry in items]


# --- the comparison ---------------------------------------------------------------------------


def test_the_thesaurus_and_stemming_make_other_words_the_same_token():
    assert repeats.analyse("GP practices") == repeats.analyse("general practitioners' practice")
    assert repeats.analyse("coercive and controlling behaviour") == repeats.analyse(
        "controlling behaviour")
    assert repeats.analyse("refer to the IDVA") == repeats.analyse(
        "referred to an independent domestic violence advisor")
    assert repeats.analyse("the MARAC") == repeats.analyse(
        "multi-agency risk assessment conference")
    assert "hertsmer" not in repeats.analyse("GP practices in Hertsmere",
                                             frozenset({"hertsmere"}))


def test_similar_ranks_repeats_above_a_same_agency_different_action():
    corpus = repeats.Corpus([repeats.Entry(1, 10, GP_WATFORD), repeats.Entry(2, 20, GP_DACORUM),
                             repeats.Entry(3, 30, GP_AUDIT), repeats.Entry(4, 40, HOUSING),
                             repeats.Entry(5, 10, GP_WATFORD)])
    found = corpus.similar(repeats.Entry(1, 10, GP_WATFORD))
    assert [rid for rid, _ in found] == [2]  # not 5: the same review; not the audit
    assert corpus.score(1, 3) < repeats.THRESHOLD <= corpus.score(1, 2)


def test_a_cluster_holds_each_review_once():
    entries = [repeats.Entry(1, 10, GP_WATFORD), repeats.Entry(2, 10, GP_WATFORD + " Again."),
               repeats.Entry(3, 20, GP_DACORUM), repeats.Entry(4, 30, HOUSING)]
    [cluster] = repeats.repeat_clusters(entries)
    assert len(cluster.member_ids) == 2 and 3 in cluster.member_ids
    assert cluster.representative_id == cluster.member_ids[0]


# --- GET /recommendations/{id}/similar ---------------------------------------------------------


def test_similar_lists_other_reviews_best_first(api_as, county):
    response = api_as("admin").get(f"/recommendations/{county['gp_watford'].id}/similar")
    assert response.status_code == 200, response.json
    items = response.json["items"]
    found = ids(items)
    assert found[0] == county["gp_broxbourne"].id  # the same words, another CSP
    assert county["gp_dacorum"].id in found and county["gp_hertsmere"].id in found
    assert county["gp_hereford"].id in found  # the admin sees every area
    for absent in ("dash_watford", "audit_dacorum", "housing_broxbourne", "gp_withdrawn"):
        assert county[absent].id not in found, absent
    scores = [entry["score"] for entry in items]
    assert scores == sorted(scores, reverse=True)
    assert items[0]["score_words"] == "very similar"
    assert items[0]["recommendation"]["review_reference"].startswith("DHR-BROXBOURNE")


def test_the_practitioner_sees_published_reviews_only_and_no_owner(api_as, county):
    practitioner = api_as("practitioner")
    hidden = practitioner.get(f"/recommendations/{county['gp_hertsmere'].id}/similar")
    assert hidden.status_code == 404
    assert hidden.json["error"]["code"] == "not_found"
    items = practitioner.get(f"/recommendations/{county['gp_watford'].id}/similar").json["items"]
    found = ids(items)
    assert county["gp_dacorum"].id in found
    assert county["gp_hertsmere"].id not in found  # drafting
    assert all(entry["recommendation"]["owner"] is None for entry in items)
    assert all(entry["recommendation"]["updates"] is None for entry in items)


def test_the_county_roles_see_their_area(api_as, make_user, county):
    for role in ("coordinator", "subgroup_member"):
        found = ids(api_as(role).get(
            f"/recommendations/{county['gp_watford'].id}/similar").json["items"])
        assert county["gp_hertsmere"].id in found, role
        assert county["gp_hereford"].id not in found, role
        herefordshire = api_as(make_user(role, area="Herefordshire"))
        assert herefordshire.get(
            f"/recommendations/{county['gp_watford'].id}/similar").status_code == 404


def test_a_csp_manager_sees_own_csp_only(api_as, county):
    other = api_as("csp_manager", csps=["Stevenage"])
    assert other.get(f"/recommendations/{county['gp_watford'].id}/similar").status_code == 404
    watford = api_as("csp_manager", csps=["Watford", "Dacorum"])
    response = watford.get(f"/recommendations/{county['gp_watford'].id}/similar")
    assert ids(response.json["items"]) == [county["gp_dacorum"].id]
    assert response.json["items"][0]["recommendation"]["owner"] == "Named GP lead"


def test_a_chair_sees_only_reviews_they_are_appointed_to(api_as, make_user, county):
    chair = make_user("chair")
    assert api_as(chair).get(
        f"/recommendations/{county['gp_watford'].id}/similar").status_code == 404


def test_unknown_recommendation_and_no_token(api_as, client, county):
    assert api_as("admin").get("/recommendations/999999/similar").status_code == 404
    anonymous = client.get(f"/api/v1/recommendations/{county['gp_watford'].id}/similar")
    assert anonymous.status_code == 401
    assert client.get("/api/v1/recommendations/repeats").status_code == 401


def test_a_reworded_recommendation_is_compared_by_its_new_words(api_as, county):
    admin = api_as("admin")
    path = f"/recommendations/{county['gp_hertsmere'].id}/similar"
    assert county["gp_watford"].id in ids(admin.get(path).json["items"])
    county["gp_hertsmere"].text = HOUSING.replace("district council's", "borough")
    db.session.commit()
    found = ids(admin.get(path).json["items"])
    assert county["gp_watford"].id not in found
    assert county["housing_broxbourne"].id in found


def test_publishing_or_withholding_changes_what_a_practitioner_is_compared_with(api_as, county):
    practitioner = api_as("practitioner")
    path = f"/recommendations/{county['gp_watford'].id}/similar"
    assert county["gp_hertsmere"].id not in ids(practitioner.get(path).json["items"])
    hertsmere = county["gp_hertsmere"].review
    hertsmere.state = "published"
    db.session.commit()
    assert county["gp_hertsmere"].id in ids(practitioner.get(path).json["items"])
    hertsmere.is_withheld = True
    db.session.commit()
    assert county["gp_hertsmere"].id not in ids(practitioner.get(path).json["items"])


# --- GET /recommendations/repeats --------------------------------------------------------------


def cluster_with(body, rid):
    return next(c for c in body["items"] if rid in [m["id"] for m in c["members"]])


def test_repeats_counts_written_and_completed(api_as, county):
    response = api_as("coordinator").get("/recommendations/repeats")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["threshold"] == repeats.THRESHOLD
    gp = cluster_with(body, county["gp_watford"].id)
    members = [m["id"] for m in gp["members"]]
    assert sorted(members) == sorted(county[k].id for k in (
        "gp_watford", "gp_dacorum", "gp_broxbourne", "gp_hertsmere"))
    assert (gp["written"], gp["completed"], gp["open"]) == (4, 1, 3)
    assert body["items"][0] == gp  # the most repeated first
    dash = cluster_with(body, county["dash_watford"].id)
    assert sorted(m["id"] for m in dash["members"]) == sorted(
        [county["dash_watford"].id, county["dash_broxbourne"].id])
    assert all(county[k].id not in [m["id"] for c in body["items"] for m in c["members"]]
               for k in ("audit_dacorum", "housing_broxbourne", "gp_withdrawn", "gp_hereford"))
    # members in the order the reviews were held
    years = [m["review_reference"] for m in gp["members"]]
    assert years[0].startswith("DHR-WATFORD-2019")


def test_repeats_for_a_practitioner_and_a_csp_manager(api_as, county):
    body = api_as("practitioner").get("/recommendations/repeats").json
    gp = cluster_with(body, county["gp_watford"].id)
    assert county["gp_hertsmere"].id not in [m["id"] for m in gp["members"]]
    assert county["gp_hereford"].id in [m["id"] for m in gp["members"]]  # published, any area
    assert all(m["owner"] is None for c in body["items"] for m in c["members"])
    assert api_as("csp_manager", csps=["Stevenage"]).get(
        "/recommendations/repeats").json["items"] == []


def test_the_openapi_document_describes_both(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/recommendations/{recommendation_id}/similar"]
    assert "get" in paths["/api/v1/recommendations/repeats"]


def test_the_demo_gp_routine_enquiry_recommendation_is_the_most_repeated(app, api_as):
    from dhr.demo.demo import load_demo

    assert load_demo()
    db.session.commit()
    body = api_as("subgroup_member").get("/recommendations/repeats").json
    top = body["items"][0]
    representative = next(m for m in top["members"] if m["id"] == top["representative_id"])
    assert "GP practices" in representative["text"]
    assert "routinely ask" in representative["text"]
    assert top["written"] >= 10 and top["written"] == len(
        {m["review_id"] for m in top["members"]})
    # written year after year, completed in only some of the older, closed reviews
    assert top["open"] > top["completed"] > 0
    assert top["written"] == top["open"] + top["completed"] + top["closed"]
    assert all(top["written"] >= other["written"] for other in body["items"])
    assert all(m["agency"] == "gp_primary_care" for m in top["members"])
