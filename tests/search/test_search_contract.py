"""The search contract, run against every backend: what is indexed, who may match what, how
results are ranked, faceted and paged, and how the index follows the database.

Each test runs on the embedded Whoosh index and on PostgreSQL full-text search
(DHR_SEARCH_URL=database; only when DHR_TEST_DATABASE_URL gives the tests PostgreSQL).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from dhr.audit import record
from dhr.extensions import db
from dhr.models import Review
from dhr.search import service
from dhr.search.backend import FACETS
from dhr.search.documents import Labels, items_for_review
from dhr.search.sync import reindex_review_task
from dhr.workflow.documents import save_markdown
from learning.models import Recommendation
from learning.recommendations import add_progress, create_recommendation
from tests.conftest import PG_URL
from tests.support.search import Corpus, build_corpus, search_as


@pytest.fixture(params=["whoosh", "postgresql"])
def search_url(request) -> str:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL full-text search needs DHR_TEST_DATABASE_URL")
        return "database"
    return ""


@pytest.fixture
def corpus(make_review, make_user) -> Corpus:
    return build_corpus(make_review, make_user)


def test_the_backend_is_the_one_configured(app, search_url):
    expected = "PostgresBackend" if search_url else "WhooshBackend"
    assert type(service.backend()).__name__ == expected


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
    for text in ("(((", "NOT", "AND OR", '""', ")", "the"):
        found = search_as(practitioner, text)
        assert found.total == 0 and found.message, text


@pytest.mark.parametrize("text", ["stalking (((", "NOT stalking", "stalking NOT",
                                  "(stalking OR", "stalking AND", '"stalking after',
                                  "stalking ANDMAYBE police", ") stalking (", "-stalking",
                                  "stalking:progress", "stalk* OR ?", "x" * 5000,
                                  "stalking " * 700, "\x00stalking\x02"])
def test_odd_queries_are_read_as_well_as_they_can_be(corpus, make_user, text):
    found = search_as(make_user("practitioner"), text)
    assert found.total >= 0 and len(found.hits) == min(found.total, 10)
    assert {h.review_id for h in found.hits} <= {corpus.published.id}


def test_parentheses_group_and_not_excludes(corpus, make_user):
    practitioner = make_user("practitioner")
    grouped = keys(search_as(practitioner, "(anxiety OR messages) AND times"))
    assert grouped == [("lesson", "Contact with the GP")]
    assert search_as(practitioner, "anxiety AND NOT (times OR practices)").total == 0


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


def test_facet_counts_never_reveal_a_hidden_review(corpus, make_user):
    """Only the unpublished review is in Watford and is about carers: a practitioner
    choosing those facets gets nothing, and no count anywhere names them."""
    practitioner = make_user("practitioner")
    for selections in ({"csps": ["Watford"]}, {"themes": ["carers"]},
                       {"death_types": ["adult_family_homicide"]}):
        found = search_as(practitioner, "", **selections)
        assert (found.total, found.hits) == (0, []), selections
    everything = search_as(practitioner, "")
    assert "Watford" not in everything.facets["csp"]
    assert "carers" not in everything.facets["theme"]
    assert "adult_social_care" not in everything.facets["agency"]
    assert sum(everything.facets["kind"].values()) == everything.total


def test_pages_cover_every_hit_once(corpus, make_user):
    admin = make_user("admin")
    total = search_as(admin, "").total
    seen = []
    for page in range(1, -(-total // 3) + 2):
        seen += [h.doc_id for h in search_as(admin, "", page=page, per_page=3).hits]
    assert len(seen) == len(set(seen)) == total


def test_highlights_mark_the_matched_words_of_the_snippet(corpus, make_user):
    found = search_as(make_user("practitioner"), '"routine enquiry" OR stalking')
    assert found.hits
    for hit in found.hits:
        marked = [hit.snippet[start:end].lower() for start, end in hit.highlights]
        assert marked, hit.doc_id
        assert all(word.startswith(("routine", "enquiry", "stalk", "harass", "follow"))
                   for word in marked), marked


# --- the index follows the database -----------------------------------------------------------


def test_a_change_is_searchable_right_after_commit(make_review, make_user):
    admin, practitioner = make_user("admin"), make_user("practitioner")
    manager = make_user("csp_manager", csps=["Dacorum"])
    review = make_review(csp="Dacorum")
    review.state = "drafting"
    db.session.commit()
    save_markdown(review, "executive_summary", "## Learning\n\nThe tenancy warden noticed.",
                  admin)
    assert search_as(admin, "warden").total == 0  # not committed yet
    db.session.commit()
    assert search_as(admin, "warden").total == 1
    assert search_as(practitioner, "warden").total == 0

    item = create_recommendation(review, admin, {
        "number": "1", "text": "Wardens to report concerns.", "level": "local",
        "agency": "housing"})
    db.session.commit()
    review.state = "published"
    db.session.commit()
    assert search_as(practitioner, "warden").total == 2

    add_progress(item, admin, {"impact": "Briefing given to every warden in the borough."})
    db.session.commit()
    assert search_as(manager, "borough").total == 1


def test_a_rolled_back_change_is_never_indexed(make_review, make_user):
    admin = make_user("admin")
    review = make_review()
    save_markdown(review, "overview_report", "The kiosk attendant saw them.", admin)
    db.session.rollback()
    db.session.commit()
    assert search_as(admin, "kiosk").total == 0


def test_a_lifecycle_transition_reaches_the_index(corpus, make_user):
    """Transitions change the review with a plain UPDATE; the audit entry tells search."""
    practitioner = make_user("practitioner")
    db.session.execute(update(Review).where(Review.id == corpus.unpublished.id)
                       .values(state="published"))
    record("event.publish", corpus.unpublished, None, review_id=corpus.unpublished.id)
    db.session.commit()
    assert search_as(practitioner, "quillwort").total == 1


def test_the_index_job_can_run_twice(corpus, make_user):
    admin = make_user("admin")
    before = search_as(admin, "").total
    reindex_review_task.apply(args=(corpus.published.id,), throw=True)
    reindex_review_task.apply(args=(corpus.published.id,), throw=True)
    assert search_as(admin, "").total == before
    assert service.check().clean


def test_a_failed_rebuild_leaves_the_old_results_serving(corpus, make_user, monkeypatch):
    admin = make_user("admin")
    before = search_as(admin, "stalking OR carer")
    calls = {"n": 0}

    def failing(review, labels):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the machine fell over")
        return items_for_review(review, labels)

    monkeypatch.setattr(service, "items_for_review", failing)
    with pytest.raises(RuntimeError):
        service.rebuild()
    after = search_as(admin, "stalking OR carer")
    assert (after.total, after.facets) == (before.total, before.facets)
    monkeypatch.undo()
    assert service.rebuild().clean
    assert search_as(admin, "stalking OR carer").total == before.total


def test_check_finds_and_repairs_drift(app, corpus, make_user):
    admin = make_user("admin")
    backend = service.backend()
    backend.replace_review(corpus.withheld.id, [], "")  # missing
    db.session.execute(update(Recommendation).where(Recommendation.review_id ==
                                                    corpus.unpublished.id)
                       .values(text="Rewritten behind the index's back: lighthouse."))
    db.session.commit()  # stale: a plain UPDATE with no audit entry
    ghost = items_for_review(corpus.published, Labels.load())
    for item in ghost:
        item.review_id, item.doc_id = 999, item.doc_id + ":ghost"
    backend.replace_review(999, ghost, "x")  # extra

    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1 ({corpus.withheld.id})" in result.output
    assert f"stale: 1 ({corpus.unpublished.id})" in result.output
    assert "extra: 1 (999)" in result.output
    assert search_as(admin, "lighthouse").total == 0

    repaired = runner.invoke(args=["search", "check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired." in repaired.output
    assert runner.invoke(args=["search", "check"]).output.strip() == (
        "The index matches the database.")
    assert search_as(admin, "lighthouse").total == 1


def test_rebuild_command_and_health(app, corpus, client, make_user):
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt." in result.output
    assert search_as(make_user("practitioner"), "stalking").total > 0
    assert client.get("/api/v1/health").get_json()["search"] == "ok"
