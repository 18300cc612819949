"""Reading a search from the query string (the page and the API take the same parameters),
and where each hit leads for the person who searched."""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from dhr.extensions import db
from dhr.models import DEATH_TYPES, Review, User
from dhr.reviews import find_csp
from dhr.search.backend import KINDS, MAX_QUERY_CHARS, Hit, SearchRequest
from dhr.vocabulary import to_codes
from dhr.workflow.review_items import can_read_working_papers

MAX_PAGE = 1000
KIND_LABELS = {"review": "Review", "recommendation": "Recommendation", "lesson": "Lesson"}
_YEAR = re.compile(r"\d{4}")
_DOC_ID = re.compile(r"(review|recommendation|lesson):[a-z0-9_:]{1,80}")


class SearchInputError(ValueError):
    """Parameters that cannot be searched with; details is {parameter: message}."""

    def __init__(self, details: dict[str, str]):
        super().__init__("some search parameters are not valid")
        self.details = details


def _values(args: MultiDict, name: str) -> list[str]:
    """Repeated parameters and comma lists both work (`theme=a&theme=b`, `theme=a,b`)."""
    found = []
    for raw in args.getlist(name):
        found += [v.strip() for v in raw.split(",") if v.strip()]
    return list(dict.fromkeys(found))


def _csp_names(values: list[str]) -> tuple[list[str], list[str]]:
    """CSP names or slugs (as GET /reviews takes them) -> names."""
    names, unknown = [], []
    for value in values:
        csp = find_csp(value)
        if csp is None:
            unknown.append(value)
        else:
            names.append(csp.name)
    return names, unknown


def parse_search_args(args: MultiDict) -> SearchRequest:
    """A SearchRequest, or SearchInputError naming every parameter that is wrong."""
    errors: dict[str, str] = {}
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = (f"the search is {len(q)} characters long; use at most "
                       f"{MAX_QUERY_CHARS} (a few words or a phrase work best)")
    kinds = _values(args, "kind")
    if bad := [k for k in kinds if k not in KINDS]:
        errors["kind"] = f"unknown kind {', '.join(bad)} (use {', '.join(KINDS)})"
    csps, unknown_csps = _csp_names(_values(args, "csp"))
    if unknown_csps:
        errors["csp"] = f"unknown CSP: {', '.join(unknown_csps)}"
    years = _values(args, "year")
    if bad := [y for y in years if not _YEAR.fullmatch(y)]:
        errors["year"] = f"not a year: {', '.join(bad)} (use four digits, e.g. 2019)"
    themes, unknown_themes = to_codes("theme", _values(args, "theme"))
    if unknown_themes:
        errors["theme"] = f"unknown theme: {', '.join(unknown_themes)}"
    agencies, unknown_agencies = to_codes("agency", _values(args, "agency"))
    if unknown_agencies:
        errors["agency"] = f"unknown agency: {', '.join(unknown_agencies)}"
    death_types = _values(args, "death_type")
    if bad := [d for d in death_types if d not in DEATH_TYPES]:
        errors["death_type"] = f"unknown death type: {', '.join(bad)}"
    page_text = args.get("page", "1").strip() or "1"
    page = int(page_text) if page_text.isdigit() and len(page_text) < 6 else 0
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = f"must be a whole number from 1 to {MAX_PAGE}"
    like = args.get("like", "").strip()
    if like and not _DOC_ID.fullmatch(like):
        errors["like"] = "not an item of the search results (use a hit's doc_id)"
    if errors:
        raise SearchInputError(errors)
    return SearchRequest(q=q, kinds=kinds, csps=csps, years=years, themes=themes,
                         agencies=agencies, death_types=death_types, page=page, like=like)


def hit_urls(hits: list[Hit], user: User) -> list[str]:
    """Where each hit leads (see _hit_url), reading the hits' reviews once."""
    ids = {hit.review_id for hit in hits}
    reviews = {r.id: r for r in db.session.scalars(select(Review).where(Review.id.in_(ids)))}
    return [_hit_url(hit, user, reviews.get(hit.review_id)) for hit in hits]


def _hit_url(hit: Hit, user: User, review: Review | None) -> str:
    """The page of the hit the searcher may open: working papers for the people running the
    review, the published report (at the right place) for everyone else."""
    if review is not None and can_read_working_papers(user, review):
        if hit.kind == "recommendation" and hit.recommendation_id is not None:
            return url_for("web.recommendation_page", recommendation_id=hit.recommendation_id)
        if hit.kind == "lesson" and hit.source:
            return url_for("web.document_page", review_id=hit.review_id, kind=hit.source)
        return url_for("web.review_page", review_id=hit.review_id)
    anchor = {"recommendation": "recommendations", "lesson": hit.source or None}.get(hit.kind)
    return url_for("web.published_page", review_id=hit.review_id, _anchor=anchor)


def highlighted(snippet: str, spans: list[tuple[int, int]]) -> Markup:
    """The snippet escaped, with the matched words in <mark>."""
    out, at = [], 0
    for start, end in spans:
        if start < at or end > len(snippet):
            continue
        out += [escape(snippet[at:start]), Markup("<mark>"), escape(snippet[start:end]),
                Markup("</mark>")]
        at = end
    out.append(escape(snippet[at:]))
    return Markup("").join(out)
