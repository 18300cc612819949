"""The search page (/search): the practitioner's home, and everyone's way into the learning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from dhr.search import service
from dhr.search.backend import FACETS, Hit, SearchRequest, SearchResults
from dhr.vocabulary import vocabulary_terms
from learning.search_params import (
    KIND_LABELS,
    SearchInputError,
    highlighted,
    hit_urls,
    parse_search_args,
)

bp = Blueprint("search", __name__)

FACET_TITLES = {"kind": "Type", "csp": "Community Safety Partnership", "year": "Year of death",
                "theme": "Theme", "agency": "Agency", "death_type": "Type of death"}
# Long facet lists are cut to this many values (the most frequent), plus any chosen.
FACET_LIMIT = 12


@bp.before_app_request
def _practitioners_start_at_search() -> ResponseReturnValue | None:
    """Signed-in practitioners land on search from `/`: published learning is all they see."""
    user = g.get("user")
    if (request.endpoint in {"web.home", "web.dashboard"} and user is not None
            and user.role == "practitioner"):
        return redirect(url_for("search.search_page"))
    return None


def _labels() -> dict[str, dict[str, str]]:
    return {"kind": KIND_LABELS, "theme": vocabulary_terms("theme"),
            "agency": vocabulary_terms("agency")}


def _facet_rows(results: SearchResults, search: SearchRequest,
                labels: dict[str, dict[str, str]]) -> list[dict]:
    """Each facet with its values (label, count, chosen), the chosen ones kept even at 0.
    Values without a vocabulary label (CSP names, years, death types) are shown by the
    template as they are or humanised."""
    rows = []
    chosen = search.selections()
    for name in FACETS:
        counts = dict(list(results.facets.get(name, {}).items())[:FACET_LIMIT])
        for value in chosen[name]:
            counts.setdefault(value, 0)
        values = sorted(counts.items(), key=lambda kv: kv[0], reverse=True) if name == "year" \
            else list(counts.items())
        rows.append({
            "name": name, "title": FACET_TITLES[name],
            "values": [{"value": value, "count": count, "chosen": value in chosen[name],
                        "label": labels.get(name, {}).get(value)}
                       for value, count in values],
        })
    return [row for row in rows if row["values"]]


def _page_link(endpoint: str, page: int) -> str:
    args = MultiDict(request.args)
    args.setlist("page", [str(page)])
    return url_for(endpoint, **args.to_dict(flat=False))


def render_search(endpoint: str, find: Callable[[SearchRequest], SearchResults],
                  urls: Callable[[list[Hit]], list[str]], **context: Any) -> ResponseReturnValue:
    """The search page for `endpoint`: the signed-in search and the public one differ only
    in whose results `find` returns, where `urls` sends each hit and the layout (`context`)."""
    try:
        search = parse_search_args(request.args)
    except SearchInputError as exc:
        return render_template("learning/search.html", errors=exc.details, endpoint=endpoint,
                               q=request.args.get("q", "")[:500], results=None,
                               **context), 400
    results = find(search)
    labels = _labels()
    hits = [(hit, url, highlighted(hit.snippet, hit.highlights))
            for hit, url in zip(results.hits, urls(results.hits), strict=True)]
    pages = [(n, _page_link(endpoint, n))
             for n in range(max(1, results.page - 3), min(results.pages, results.page + 3) + 1)]
    return render_template(
        "learning/search.html", errors=None, endpoint=endpoint, q=search.q, like=search.like,
        results=results, hits=hits,
        facets=_facet_rows(results, search, labels), kind_labels=KIND_LABELS, pages=pages,
        previous=_page_link(endpoint, results.page - 1) if results.page > 1 else None,
        following=(_page_link(endpoint, results.page + 1) if results.page < results.pages
                   else None),
        suggestion_link=(url_for(endpoint, q=results.suggestion)
                         if results.suggestion else None),
        **context,
    )


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    return render_search("search.search_page", lambda search: service.search(g.user, search),
                         lambda hits: hit_urls(hits, g.user))
