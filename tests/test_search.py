"""Search: what is indexed, who may match what, and how results are ranked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from search_support import Corpus, build_corpus, search_as

from dhr.search.backend import FACETS


@pytest.fixture
def corpus(make_review, make_user) -> Corpus:
    return build_corpus(make_review, make_user)


def keys(results) -> list[tuple[str, str]]:
    """(kind, what the hit points at) for each hit, best first."""
    return [(h.kind, h.number or h.heading or h.reference) for h in results.hits]


# --- permissions inside the search ----------------------------------------------------------


def test_a_practitioner_gets_nothing_from_a_word_only_an_unpublished_review_has(
        corpus, make_user):
    found = search_as(make_user("practitioner"), "quillwort")
    assert found.total == 0 and found.hits == []
    assert found.facets == {name: {} for name in FACETS}  # no count reveals the draft
    assert found.suggestion is None


def test_the_people_running_a_review_find_its_drafts(corpus, make_user):
    for user in (make_user("admin"), make_user("coordinator"), make_user("subgroup_member"),
                 make_user("csp_manager", csps=["Watford"]), corpus.chair):
        found = search_as(user, "quillwort")
        assert found.total == 1, user.role
        assert found.facets["csp"] == {"Watford": 1}


def test_others_do_not_find_those_drafts(corpus, make_user):
    for user in (make_user("csp_manager", csps=["Dacorum"]), make_user("chair"),
                 make_user("coordinator", area="Herefordshire")):
        assert search_as(user, "quillwort").total == 0, user.role


def test_withheld_reports_are_not_published_material(corpus, make_user):
    assert search_as(make_user("practitioner"), "marshland").total == 0
    assert search_as(make_user("csp_manager", csps=["Stevenage"]), "marshland").total == 1


def test_only_insiders_match_the_progress_log(corpus, make_user):
    assert search_as(make_user("practitioner"), "xylophone").total == 0
    found = search_as(make_user("csp_manager", csps=["Dacorum"]), "xylophone")
    assert keys(found) == [("recommendation", "2.1")]
    assert "xylophone" in found.hits[0].snippet


def test_field_syntax_cannot_reach_hidden_fields(corpus, make_user):
    practitioner = make_user("practitioner")
    assert search_as(practitioner, "progress:xylophone").total == 0
    for hit in search_as(practitioner, "published:no OR csp_id:2 OR kind:review").hits:
        assert hit.is_published and hit.review_id == corpus.published.id


def test_identifying_terms_are_never_indexed(corpus, make_user):
    admin = make_user("admin")
    for term in ("Realname", "Orchard", "Hiddenname", "Secretname"):
        assert search_as(admin, term).total == 0, term


def test_an_empty_search_lists_everything_the_caller_may_see(corpus, make_user):
    found = search_as(make_user("practitioner"))
    assert found.total > 0
    assert found.facets["csp"] == {"Dacorum": found.total}


# --- what is indexed --------------------------------------------------------------------------


def test_a_hit_points_at_the_section_that_matched(corpus, make_user):
    found = search_as(make_user("practitioner"), "messages")
    assert keys(found) == [("lesson", "Stalking after separation")]
    hit = found.hits[0]
    assert hit.title == "Executive summary: Stalking after separation"
    assert hit.snippet[slice(*hit.highlights[0])] == "messages"


def test_recommendations_and_reviews_are_items_too(corpus, make_user):
    practitioner = make_user("practitioner")
    assert ("recommendation", "2.2") in keys(search_as(practitioner, "link repeated reports"))
    assert ("review", corpus.published.reference) in keys(search_as(practitioner, "Adult A"))


# --- relevance -------------------------------------------------------------------------------


def test_stemming_matches_other_forms_of_a_word(corpus, make_user):
    found = search_as(make_user("practitioner"), "separated")
    assert ("lesson", "Stalking after separation") in keys(found)


def test_phrases_and_boolean_operators(corpus, make_user):
    practitioner = make_user("practitioner")
    phrase = keys(search_as(practitioner, '"single incident"'))
    assert phrase == [("lesson", "Stalking after separation")]
    assert search_as(practitioner, '"incident single"').total == 0
    both = keys(search_as(practitioner, "anxiety AND times"))
    assert both == [("lesson", "Contact with the GP")]
    assert keys(search_as(practitioner, "anxiety NOT times")) == [("recommendation", "2.1")]


def test_the_thesaurus_finds_synonyms_and_prefers_the_words_typed(corpus, make_user):
    practitioner = make_user("practitioner")
    found = keys(search_as(practitioner, "harassment"))  # the text says "stalking" too
    assert ("recommendation", "2.2") in found  # says only "stalking"
    assert found[0] == ("lesson", "Stalking after separation")  # says "harassment" itself
    assert ("recommendation", "2.1") in keys(search_as(practitioner, "primary care"))


def test_a_deployment_can_extend_the_thesaurus(app, corpus, make_user):
    practitioner = make_user("practitioner")
    assert search_as(practitioner, "hounding").total == 0
    local = Path(app.config["DATA_DIR"]) / "thesaurus.json"
    local.write_text(json.dumps({"groups": [["stalking", "hounding"]]}))
    assert ("recommendation", "2.2") in keys(search_as(practitioner, "hounding"))


def test_a_recommendation_outranks_a_passage_deep_in_a_report(corpus, make_user):
    found = keys(search_as(make_user("practitioner"), "routine enquiry"))
    assert found.index(("recommendation", "2.1")) < found.index(("lesson", "2. Chronology"))


def test_did_you_mean_offers_a_word_the_caller_can_find(corpus, make_user):
    practitioner = make_user("practitioner")
    found = search_as(practitioner, "stalkng")
    assert found.total == 0 and found.suggestion == "stalking"
    # "quillwort" exists only in an unpublished draft: never suggested to a practitioner.
    assert search_as(practitioner, "quilwort").suggestion is None
    assert search_as(make_user("admin"), "quilwort").suggestion == "quillwort"


def test_malformed_queries_explain_themselves(corpus, make_user):
    practitioner = make_user("practitioner")
    for text in ("(((", "NOT", "AND OR", '""', ")"):
        found = search_as(practitioner, text)
        assert found.total == 0 and found.message, text


# --- facets and paging ------------------------------------------------------------------------


def test_facets_count_and_narrow_the_results(corpus, make_user):
    admin = make_user("admin")
    everything = search_as(admin, "carer OR stalking")
    assert set(everything.facets["csp"]) == {"Dacorum", "Watford"}
    assert sum(everything.facets["csp"].values()) == everything.total
    narrowed = search_as(admin, "carer OR stalking", csps=["Watford"])
    assert narrowed.total == everything.facets["csp"]["Watford"]
    assert set(narrowed.facets["csp"]) == {"Watford"}
    by_theme = search_as(admin, "carer OR stalking", themes=["carers"])
    assert by_theme.total == everything.facets["theme"]["carers"]
    assert {h.review_id for h in by_theme.hits} == {corpus.unpublished.id}


def test_pages_split_the_results(corpus, make_user):
    admin = make_user("admin")
    first = search_as(admin, "", page=1, per_page=3)
    second = search_as(admin, "", page=2, per_page=3)
    assert first.total == second.total > 3
    assert first.pages == second.pages == -(-first.total // 3)
    assert not {h.title for h in first.hits} & {h.title for h in second.hits}


# --- more like this ---------------------------------------------------------------------------


def test_more_like_this_finds_related_items_the_caller_may_see(corpus, make_user):
    practitioner = make_user("practitioner")
    stalking = search_as(practitioner, '"link repeated reports"').hits[0]
    like = search_as(practitioner, like=stalking.doc_id)
    assert like.total > 0
    assert stalking.doc_id not in {h.doc_id for h in like.hits}
    assert ("lesson", "Stalking after separation") in keys(like)
    assert {h.review_id for h in like.hits} == {corpus.published.id}


def test_more_like_a_hidden_item_reveals_nothing(corpus, make_user):
    draft = search_as(make_user("admin"), "quillwort").hits[0]
    found = search_as(make_user("practitioner"), like=draft.doc_id)
    assert (found.total, found.hits) == (0, [])
    assert found.facets == {name: {} for name in FACETS}
