"""GET /api/v1/search and the /search page."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.support.search import Corpus, build_corpus


@pytest.fixture
def corpus(make_review, make_user) -> Corpus:
    return build_corpus(make_review, make_user)


# --- API ---------------------------------------------------------------------------------------


def test_results_follow_the_contract(corpus, api_as):
    response = api_as("practitioner").get("/search?q=stalking+separation")
    assert response.status_code == 200
    body = response.get_json()
    assert {"total", "hits", "facets"} <= body.keys()
    assert set(body["facets"]) == {"kind", "csp", "year", "theme", "agency", "death_type"}
    assert body["total"] == len(body["hits"]) == sum(body["facets"]["kind"].values())
    for hit in body["hits"]:
        assert {"kind", "review_id", "title", "snippet", "score", "highlights", "url"} <= set(hit)
        assert hit["review_id"] == corpus.published.id
        assert hit["url"].startswith(f"/reviews/{corpus.published.id}/published")
        assert ("recommendation_id" in hit) == (hit["kind"] == "recommendation")
        for start, end in hit["highlights"]:
            assert re.match(r"(?i)(stalk|separ|follow|harass)", hit["snippet"][start:end])


def test_filters_narrow_and_accept_labels(corpus, api_as):
    api = api_as("admin")
    everything = api.get("/search?q=carer+OR+stalking").get_json()
    by_label = api.get("/search?q=carer+OR+stalking&theme=Carers&csp=watford").get_json()
    assert 0 < by_label["total"] < everything["total"]
    assert set(by_label["facets"]["csp"]) == {"Watford"}


def test_the_insiders_link_goes_to_the_working_papers(corpus, api_as):
    body = api_as("csp_manager", csps=["Watford"]).get("/search?q=older+carer").get_json()
    urls = {hit["kind"]: hit["url"] for hit in body["hits"]}
    assert urls["recommendation"].startswith("/recommendations/")


@pytest.mark.parametrize("query", ["q=(((", "q=NOT", "q=%22", "q=)", "q=AND+OR+NOT",
                                   "q=*", "q=a%5E%5E", "q=%00", "q=title:", "page=999"])
def test_odd_queries_get_an_answer_never_an_error(api_as, query):
    response = api_as("practitioner").get(f"/search?{query}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total"] >= 0


@pytest.mark.parametrize("query, field", [("q=" + "x" * 5000, "q"), ("page=0", "page"),
                                          ("page=abc", "page"), ("theme=nonsense", "theme"),
                                          ("kind=file", "kind"), ("year=20x4", "year"),
                                          ("csp=Atlantis", "csp"), ("death_type=x", "death_type"),
                                          ("agency=unicorns", "agency")])
def test_bad_parameters_are_named(api_as, query, field):
    response = api_as("practitioner").get(f"/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_a_token_is_required(client):
    assert client.get("/api/v1/search?q=gp").status_code == 401


def test_the_openapi_document_describes_search(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "q", "kind", "csp", "year", "theme", "agency", "death_type", "page"}
    hit = spec["components"]["schemas"]["SearchHitOut"]["properties"]
    assert "offsets" in hit["highlights"]["description"]


# --- the page ----------------------------------------------------------------------------------


def test_practitioners_land_on_search(client, make_user):
    sign_in(client, make_user("practitioner"))
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/search")


def test_an_empty_index_answers_every_time(client, make_user):
    """A new deployment has nothing indexed: searching again (the kept searcher reopened)
    must still answer. The second search gave a 500 once."""
    sign_in(client, make_user("practitioner"))
    for _ in range(3):
        page = client.get("/search?q=stalking")
        assert page.status_code == 200
        assert "0 results for" in page.get_data(as_text=True)


def test_others_keep_their_dashboard(client, make_user):
    sign_in(client, make_user("csp_manager"))
    assert client.get("/").status_code == 200


def test_the_page_shows_marked_passages_escaped(corpus, client, make_user):
    sign_in(client, make_user("practitioner"))
    page = client.get("/search?q=domestic+abuse+anxiety").get_data(as_text=True)
    assert "<mark>anxiety</mark>" in page
    copied = client.get("/search?q=alert+copied").get_data(as_text=True)
    assert "<script>alert" not in copied
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in copied
    assert f'href="/reviews/{corpus.published.id}/published#executive_summary"' in page
    assert "quillwort" not in page and "Watford" not in page


def test_the_page_offers_facets_and_pages_without_javascript(corpus, client, make_user):
    sign_in(client, make_user("admin"))
    page = client.get("/search?q=&kind=lesson").get_data(as_text=True)
    assert 'type="checkbox" value="lesson" checked' in page
    assert 'name="csp" type="checkbox" value="Watford"' in page
    assert 'class="govuk-pagination"' not in page or "page=2" in page
    first = client.get("/search").get_data(as_text=True)
    assert "page=2" in first and 'rel="next"' in first


def test_the_page_explains_bad_input(corpus, client, make_user):
    sign_in(client, make_user("practitioner"))
    response = client.get("/search?q=" + "x" * 600)
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    nothing = client.get("/search?q=NOT").get_data(as_text=True)
    assert "no words to look for" in nothing
    typo = client.get("/search?q=stalkng").get_data(as_text=True)
    assert "Did you mean" in typo and "stalking" in typo


def test_more_like_this_by_doc_id(corpus, api_as):
    api = api_as("practitioner")
    first = api.get("/search?q=stalking&kind=recommendation").get_json()["hits"][0]
    like = api.get(f"/search?like={first['doc_id']}").get_json()
    assert like["total"] > 0 and first["doc_id"] not in {h["doc_id"] for h in like["hits"]}
    bad = api.get("/search?like=../../etc/passwd")
    assert bad.status_code == 400 and "like" in bad.get_json()["error"]["details"]
