"""Pages for repeated recommendations: the county list of clusters (/recommendations/repeats)
and the "Similar recommendations in other reviews" section of a recommendation's page."""

from __future__ import annotations

from typing import Any

from flask import g, render_template
from flask.typing import ResponseReturnValue

from dhr.permissions import sees_restricted_detail
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from learning import repeats
from learning.models import Recommendation


def similar_recommendations(item: Recommendation) -> list[tuple[Recommendation, float]]:
    """What the recommendation page lists: visible recommendations of other reviews, best
    first. The page itself is only shown to people who may see `item`."""
    found = repeats.similar_to(item, repeats.visible_corpus(g.user))
    loaded = repeats.load_recommendations(rid for rid, _ in found)
    return [(loaded[rid], score) for rid, score in found]


@bp.app_context_processor
def _repeat_helpers() -> dict[str, Any]:
    return {"similar_recommendations": similar_recommendations,
            "score_words": repeats.score_words}


@bp.get("/recommendations/repeats")
def repeats_page() -> ResponseReturnValue:
    """Everyone signed in sees the clusters among what they may see; practitioners see
    published reviews only and are linked to the published report, not the tracker."""
    return render_template("learning/repeats.html", groups=repeats.repeat_groups(g.user),
                           insider=sees_restricted_detail(g.user),
                           agency_labels=agency_codes())
