"""Public learning pages (DHR_PUBLIC_LEARNING): off, every public address is 404; on, anyone
without signing in reads and searches exactly what a practitioner reads of published reviews,
at addresses made from the review's reference."""

from __future__ import annotations

import re

import pytest

from dhr.config import load_config
from dhr.extensions import db
from dhr.search import service
from dhr.search.backend import SearchRequest
from learning import recommendations as recs
from learning.public import reference_slug
from tests.conftest import sign_in
from tests.support.search import build_corpus, search_as


@pytest.fixture
def corpus(make_review, make_user):
    return build_corpus(make_review, make_user)


@pytest.fixture
def public(app):
    app.config["PUBLIC_LEARNING"] = True
    return app


def review_url(review) -> str:
    return f"/learning/public/reviews/{reference_slug(review.reference)}"


def results_part(page: str) -> str:
    """The page from the result count on: what a search found, without the search box."""
    return page[page.index('id="result-count"'):]


def test_the_setting_is_off_unless_a_deployment_turns_it_on(tmp_path):
    assert load_config({"DHR_DATA_DIR": str(tmp_path)})["PUBLIC_LEARNING"] is False
    assert load_config({"DHR_DATA_DIR": str(tmp_path),
                        "DHR_PUBLIC_LEARNING": "true"})["PUBLIC_LEARNING"] is True


def test_off_every_public_address_is_not_found(client, corpus, make_user):
    urls = ["/learning/public/", "/learning/public/search?q=stalking",
            review_url(corpus.published),
            review_url(corpus.published) + "/executive_summary/download"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    sign_in(client, make_user("practitioner"))
    for url in urls:  # not even for someone signed in
        assert client.get(url).status_code == 404, url
    client.post("/sign-out")
    assert "/learning/public" not in client.get("/sign-in").get_data(as_text=True)


def test_anyone_reads_a_published_review_and_its_recommendations(public, client, corpus,
                                                                 make_user):
    admin = make_user("admin")
    gp, _police = recs.recommendations_for(corpus.published)
    recs.update_recommendation(gp, admin, {"owner": "Dr Owner Surgery Lead"})
    recs.complete(gp, admin, {"date": "2026-03-02", "evidence": "Audit folder zeppelin."})
    db.session.commit()

    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/learning/public/"' in sign_in_page

    index = client.get("/learning/public/")
    assert index.status_code == 200
    listing = index.get_data(as_text=True)
    assert "Dacorum" in listing and "Adult A" in listing and review_url(corpus.published) \
        in listing
    assert "Adult B" not in listing and "Adult C" not in listing  # unpublished, withheld
    assert ">Sign in<" in listing

    response = client.get(review_url(corpus.published))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stalking after separation" in page  # the executive summary
    assert "routine enquiry about domestic abuse" in page and "Police to link" in page
    gp_row = page[page.index('id="recommendation-2-1"'):page.index('id="recommendation-2-2"')]
    assert "Completed" in gp_row and "2 March 2026" in gp_row
    police_row = page[page.index('id="recommendation-2-2"'):]
    assert "Open" in police_row
    # What a practitioner never sees: owners, evidence, the progress log, identifying terms.
    for hidden in ("Dr Owner Surgery Lead", "zeppelin", "xylophone", "Jane Realname",
                   "12 Orchard Close"):
        assert hidden not in page, hidden
    # A visitor is given no session: nothing to sign, nothing to change.
    for url in ("/learning/public/", review_url(corpus.published),
                "/learning/public/search?q=stalking"):
        assert "Set-Cookie" not in client.get(url).headers, url


def test_search_finds_the_passage_and_links_to_the_stable_address(public, client, corpus):
    response = client.get("/learning/public/search?q=stalking+after+separation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<mark>stalking</mark>" in page.lower()
    slug = reference_slug(corpus.published.reference)
    links = set(re.findall(r'href="(/learning/public/reviews/[^"]+)"', page))
    assert f"/learning/public/reviews/{slug}#executive_summary" in links
    assert f"/learning/public/reviews/{slug}#recommendation-2-2" in links
    for link in links:
        assert client.get(link.split("#")[0]).status_code == 200, link
    # Facets and "more like this" stay on the public pages.
    assert 'action="/learning/public/search"' in page
    assert "/learning/public/search?like=" in page
    assert "/reviews/" + str(corpus.published.id) not in page


def test_nothing_unpublished_is_found_or_counted(public, client, corpus):
    """'quillwort' is only in the unpublished review, 'marshland' only in the withheld one,
    'xylophone' only in a progress log, Jane Realname only among identifying terms: each
    search answers exactly as one for a word nobody wrote."""
    nothing = results_part(client.get("/learning/public/search?q=qwzxvbnm")
                           .get_data(as_text=True)).replace("qwzxvbnm", "WORD")
    assert "0 results" in nothing
    for word in ("quillwort", "marshland", "xylophone", "Realname"):
        page = results_part(client.get(f"/learning/public/search?q={word}")
                            .get_data(as_text=True))
        assert page.replace(word, "WORD") == nothing, word
    misspelt = client.get("/learning/public/search?q=quilwort").get_data(as_text=True)
    assert "Did you mean" not in misspelt
    everything = client.get("/learning/public/search?q=").get_data(as_text=True)
    assert "Watford" not in everything and "Stevenage" not in everything
    assert "Adult B" not in everything and "Adult C" not in everything
    like = client.get(f"/learning/public/search?like=review:{corpus.unpublished.id}")
    assert "0 results" in like.get_data(as_text=True)


def test_the_public_search_answers_as_for_a_practitioner(corpus, make_user):
    practitioner = make_user("practitioner")
    for q in ("", "stalking after separation", "GP routine enquiry", "quillwort", "NOT"):
        theirs = search_as(practitioner, q)
        public = service.search_published(SearchRequest(q=q))
        assert (public.total, public.facets) == (theirs.total, theirs.facets), q
        assert [h.doc_id for h in public.hits] == [h.doc_id for h in theirs.hits], q


def test_signed_in_people_get_the_public_view_there_too(public, client, corpus, make_user):
    """Someone who may read unpublished reviews still gets only the public answer on the
    public pages (a link shared from there shows everyone the same)."""
    sign_in(client, make_user("admin"))
    assert "quillwort" in client.get("/search?q=quillwort").get_data(as_text=True)
    public_page = client.get("/learning/public/search?q=quillwort").get_data(as_text=True)
    assert "0 results" in public_page and "Not published" not in public_page
    assert client.get(review_url(corpus.unpublished)).status_code == 404


def test_addresses_are_made_from_the_reference_and_stay(public, client, corpus, make_user):
    published = corpus.published
    url = review_url(published)
    assert url == f"/learning/public/reviews/{published.reference.lower()}"
    assert str(published.id) not in url.rsplit("/", 1)[1].split("-")
    typed = client.get(f"/learning/public/reviews/{published.reference}")
    assert typed.status_code == 301 and typed.headers["Location"].endswith(url)
    assert client.get(f"/learning/public/reviews/{published.id}").status_code == 404
    for hidden in (corpus.unpublished, corpus.withheld):
        assert client.get(review_url(hidden)).status_code == 404
    # Closing the review (every recommendation dealt with) keeps the address.
    published.state = "closed"
    db.session.commit()
    assert client.get(url).status_code == 200
    assert client.get("/learning/public/reviews/" + "x" * 500).status_code == 404
    assert client.get("/learning/public/reviews/%2e%2e").status_code == 404


@pytest.mark.parametrize("query", ["(((", "NOT", "AND OR NOT", '"', "title:", "%00"])
def test_odd_queries_get_a_helpful_answer(public, client, corpus, query):
    response = client.get("/learning/public/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="result-count"' in page


def test_a_lone_not_and_a_long_query_are_explained(public, client, corpus):
    lone = client.get("/learning/public/search?q=NOT").get_data(as_text=True)
    assert "no words to look for" in lone
    long = client.get("/learning/public/search?q=" + "x" * 5000)
    assert long.status_code == 400
    text = long.get_data(as_text=True)
    assert "There is a problem" in text and "5000 characters long" in text
    bad_filter = client.get("/learning/public/search?q=gp&theme=nonsense")
    assert bad_filter.status_code == 400 and "unknown theme" in bad_filter.get_data(as_text=True)


def test_searching_too_often_is_refused_politely(public, client, corpus):
    public.config["PUBLIC_SEARCH_RATE_LIMIT"] = "2 per minute"
    assert client.get("/learning/public/search?q=gp").status_code == 200
    assert client.get("/learning/public/search?q=police").status_code == 200
    refused = client.get("/learning/public/search?q=carer")
    assert refused.status_code == 429
    assert "Too many searches" in refused.get_data(as_text=True)
    assert client.get(review_url(corpus.published)).status_code == 200  # reading goes on
