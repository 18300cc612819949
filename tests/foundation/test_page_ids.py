"""Every page has unique ids, and every <label for> names an element on the page (a label
pointing at another form's field focuses the wrong box: the recommendation page's "Date
completed" label used to focus the progress date). Every page of a review in each state, as
an admin sees it, with its forms empty and with their errors; and the main other pages."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from dhr.extensions import db
from dhr.models import AgencyRequest
from dhr.models.documents import DOCUMENT_KINDS
from dhr.models.states import STATES
from dhr.workflow.agency_requests import EVENTS as REQUEST_EVENTS
from dhr.workflow.declarations import EVENTS
from learning.recommendations import recommendations_for
from tests.conftest import sign_in
from tests.support.workflow import pool_member, put_in_state


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"] or "")
        if tag == "label" and found.get("for"):
            self.label_targets.append(found["for"] or "")


def id_problems(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    twice = [f"id {name!r} used {n} times" for name, n in Counter(parser.ids).items() if n > 1]
    ids = set(parser.ids)
    orphans = [f"label for {name!r} names no element" for name in parser.label_targets
               if name not in ids]
    return twice + orphans


def check(client, path: str, *, post: bool = False) -> None:
    response = client.post(path, data={}) if post else client.get(path)
    assert response.status_code < 500, path
    if response.mimetype == "text/html":
        assert id_problems(response.get_data(as_text=True)) == [], path


def review_paths(review) -> list[str]:
    base = f"/reviews/{review.id}"
    paths = [base, f"{base}/documents", f"{base}/requests", f"{base}/requests/new",
             f"{base}/recommendations", f"{base}/recommendations/new",
             f"{base}/identifying-terms", f"{base}/chair-candidates", f"{base}/published"]
    paths += [f"{base}/documents/{kind}" for kind in DOCUMENT_KINDS]
    paths += [f"{base}/events/{event}" for event in EVENTS]
    for item in db.session.query(AgencyRequest).filter_by(review_id=review.id):
        paths += [f"/agency-requests/{item.id}/{event}" for event in REQUEST_EVENTS]
    paths += [f"/recommendations/{r.id}" for r in recommendations_for(review)]
    return paths


@pytest.mark.parametrize("state", STATES)
def test_every_page_of_a_review_has_unique_ids(client, make_user, make_review, state) -> None:
    admin = make_user("admin")
    review = put_in_state(make_review(), state, admin, chair=pool_member())
    sign_in(client, admin)
    for path in review_paths(review):
        check(client, path)


def test_forms_showing_their_errors_have_unique_ids(client, make_user, make_review) -> None:
    admin = make_user("admin")
    review = put_in_state(make_review(), "drafting", admin, chair=pool_member())
    sign_in(client, admin)
    posts = [f"/reviews/{review.id}/events/{event}" for event in EVENTS]
    posts += ["/reviews/new", f"/reviews/{review.id}/recommendations/new",
              f"/reviews/{review.id}/requests/new"]
    item = recommendations_for(review)[0]
    posts += [f"/recommendations/{item.id}/{action}"
              for action in ("updates", "complete", "close", "reopen")]
    for path in posts:
        check(client, path, post=True)


def test_the_main_pages_have_unique_ids(client, make_user, make_review) -> None:
    admin = make_user("admin")
    make_review()
    member = pool_member()
    sign_in(client, admin)
    for path in ("/", "/reviews/new", "/pool", f"/pool/{member.id}", f"/pool/{member.id}/edit",
                 "/pool/new", "/recommendations", "/recommendations/repeats", "/search",
                 "/search?q=abuse", "/stats/annual", "/account", "/no-such-page"):
        check(client, path)


def test_the_recommendation_pages_date_labels_focus_their_own_boxes(
        client, make_user, make_review) -> None:
    admin = make_user("admin")
    review = put_in_state(make_review(), "home_office_qa", admin, chair=pool_member())
    sign_in(client, admin)
    page = client.get(f"/recommendations/{recommendations_for(review)[0].id}").text
    assert 'for="completed_date-day"' in page and 'id="completed_date-day"' in page
    assert 'for="progress_date-day"' in page and 'id="progress_date-day"' in page
