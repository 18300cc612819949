"""GET /api/v1/search: learning across every review the caller may see."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field

from dhr.api.blueprint import bp
from dhr.api.errors import validation_error
from dhr.api.openapi import documented
from dhr.search import service
from dhr.search.backend import PER_PAGE
from learning.search_params import SearchInputError, hit_urls, parse_search_args


class SearchQuery(BaseModel):
    q: str | None = Field(None, description=(
        "Words, \"quoted phrases\", AND / OR / NOT and parentheses; English stemming, and the "
        "domain thesaurus adds synonyms (GP = primary care). At most 500 characters. Empty: "
        "everything the caller may see."))
    kind: str | None = Field(None, description="review, recommendation or lesson (repeatable)")
    csp: str | None = Field(None, description="CSP name or slug (repeatable)")
    year: str | None = Field(None, description="year of death (repeatable)")
    theme: str | None = Field(None, description="theme code or label (repeatable)")
    agency: str | None = Field(None, description="agency code or label (repeatable)")
    death_type: str | None = Field(None, description="death type code (repeatable)")
    page: int | None = Field(None, description=f"1-based page of {PER_PAGE} hits")
    like: str | None = Field(None, description=(
        "more like this: a hit's doc_id; finds items with the same key words (q is ignored)"))


class SearchHitOut(BaseModel):
    doc_id: str = Field(description="the item's identifier, for `like`")
    kind: str
    review_id: int
    recommendation_id: int | None = Field(None, description="recommendation hits only")
    title: str
    snippet: str = Field(description="plain text of the best matching passage (not HTML)")
    highlights: list[tuple[int, int]] = Field(description=(
        "[start, end) character offsets in `snippet` of the words that matched"))
    score: float
    reference: str
    url: str = Field(description="the page of this hit that the caller may open")
    number: str | None = Field(None, description="the recommendation's number")
    heading: str | None = Field(None, description="a lesson's section heading")


class SearchOut(BaseModel):
    total: int = Field(description="every match the caller may see, over all pages")
    page: int
    pages: int
    per_page: int
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = Field(description=(
        "kind, csp, year, theme, agency, death_type: value -> number of matches"))
    suggestion: str | None = Field(None, description="did you mean: a corrected query")
    message: str | None = Field(None, description="why a query found nothing to look for")


@bp.get("/search")
@documented("Search published lessons, recommendations and reviews (and, for the people "
            "running them, unpublished ones), with facets, snippets and paging.",
            query=SearchQuery, response=SearchOut)
def search() -> ResponseReturnValue:
    try:
        search_request = parse_search_args(request.args)
    except SearchInputError as exc:
        raise validation_error(exc.details, "some search parameters are not valid") from None
    results = service.search(g.user, search_request)
    hits = [SearchHitOut(
        doc_id=hit.doc_id, kind=hit.kind, review_id=hit.review_id,
        recommendation_id=hit.recommendation_id,
        title=hit.title, snippet=hit.snippet, highlights=hit.highlights, score=hit.score,
        reference=hit.reference, url=url,
        number=hit.number or None, heading=hit.heading or None,
    ).model_dump(mode="json", exclude_none=True)
        for hit, url in zip(results.hits, hit_urls(results.hits, g.user), strict=True)]
    body = SearchOut(total=results.total, page=results.page, pages=results.pages,
                     per_page=search_request.per_page, hits=[], facets=results.facets,
                     suggestion=results.suggestion, message=results.message)
    return jsonify({**body.model_dump(mode="json"), "hits": hits})
