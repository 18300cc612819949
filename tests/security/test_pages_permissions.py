"""Who may open which page: anonymous people are sent to sign in, reviews a user may not
see are 404 (never revealed), pages a role may not use are 403, lists are scoped."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dhr.extensions import db
from dhr.models import Review
from tests.conftest import sign_in
from tests.support.foundation import PERSONAS, error_summary, persona, publish, row_counts

NEW_REVIEW_FORM = {
    "csp": "dacorum", "victim_pseudonym": "Adult Z", "date_of_death": "2024-01-31",
    "notification_date": "2024-02-01", "death_type": "intimate_partner_homicide",
    "review_type": "full", "deceased_16_plus": "1", "children_under_16": "0",
    "agencies": ["police"], "identifying_terms": "Jane Realname",
}


@pytest.mark.parametrize("path", ["/", "/reviews/1", "/reviews/new", "/?state=notified"])
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, make_review, path):
    make_review()
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == [path]


def test_anonymous_form_posts_write_nothing(client):
    before = row_counts()
    response = client.post("/reviews/new", data=NEW_REVIEW_FORM)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert row_counts() == before


# (persona, status of the page of a Dacorum review in state `notified`)
REVIEW_PAGE = [
    ("admin", 200),
    ("herts_coordinator", 200),
    ("hereford_coordinator", 404),
    ("dacorum_manager", 200),
    ("watford_manager", 404),
    ("herts_subgroup", 200),
    ("hereford_subgroup", 404),
    ("appointed_chair", 200),
    ("other_chair", 404),
    ("practitioner", 404),
]


def test_the_table_covers_every_persona():
    assert {row[0] for row in REVIEW_PAGE} == set(PERSONAS)


@pytest.mark.parametrize(("name", "status"), REVIEW_PAGE)
def test_the_review_page(client, make_user, make_review, name, status):
    review = make_review(csp="Dacorum")
    sign_in(client, persona(make_user, name, review))
    response = client.get(f"/reviews/{review.id}")
    assert response.status_code == status
    if status == 200:
        assert review.reference in response.get_data(as_text=True)
    else:
        assert review.reference not in response.get_data(as_text=True)
        assert client.get("/reviews/999999").status_code == 404


@pytest.mark.parametrize(("name", "shown"), [
    ("admin", {"Dacorum", "Watford", "Herefordshire"}),
    ("herts_coordinator", {"Dacorum", "Watford"}),
    ("hereford_coordinator", {"Herefordshire"}),
    ("dacorum_manager", {"Dacorum"}),
    ("watford_manager", {"Watford"}),
    ("herts_subgroup", {"Dacorum", "Watford"}),
    ("hereford_subgroup", {"Herefordshire"}),
    ("appointed_chair", {"Dacorum"}),
    ("other_chair", set()),
    ("practitioner", {"Watford"}),
])
def test_the_dashboard_lists_only_visible_reviews(client, make_user, make_review, name, shown):
    reviews = {
        "Dacorum": make_review(csp="Dacorum"),
        "Watford": publish(make_review(csp="Watford")),
        "Herefordshire": make_review(csp="Herefordshire"),
    }
    sign_in(client, persona(make_user, name, reviews["Dacorum"]))
    # Practitioners are sent to search.
    html = client.get("/reviews", follow_redirects=True).get_data(as_text=True)
    listed = {csp for csp, review in reviews.items() if review.reference in html}
    assert listed == shown
    # Asking for another CSP's reviews by its id shows nothing either.
    hereford_id = reviews["Herefordshire"].csp_id
    filtered = client.get(f"/reviews?csp={hereford_id}").get_data(as_text=True)
    assert (reviews["Herefordshire"].reference in filtered) is ("Herefordshire" in shown)


# (persona, may record a Dacorum notification through the form)
NEW_REVIEW = [
    ("admin", 200),
    ("herts_coordinator", 200),
    ("dacorum_manager", 200),
    ("herts_subgroup", 403),
    ("appointed_chair", 403),
    ("practitioner", 403),
]


@pytest.mark.parametrize(("name", "status"), NEW_REVIEW)
def test_the_new_notification_form(client, make_user, name, status):
    sign_in(client, persona(make_user, name))
    assert client.get("/reviews/new").status_code == status
    before = row_counts()
    response = client.post("/reviews/new", data=NEW_REVIEW_FORM)
    if status == 200:
        assert response.status_code == 302
        assert row_counts()["reviews"] == before["reviews"] + 1
    else:
        assert response.status_code == 403
        assert row_counts() == before


@pytest.mark.parametrize("name", ["watford_manager", "hereford_coordinator"])
def test_the_form_offers_and_accepts_only_the_users_own_csps(client, make_user, name):
    sign_in(client, persona(make_user, name))
    form = client.get("/reviews/new").get_data(as_text=True)
    assert 'value="dacorum"' not in form
    before = row_counts()
    response = client.post("/reviews/new", data=NEW_REVIEW_FORM)
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "Select the CSP where the victim lived"]
    assert row_counts() == before


def test_the_dashboard_offers_recording_only_to_those_who_may(client, make_user):
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    assert "Record a notification" in client.get("/").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, make_user("subgroup_member"))
    assert "Record a notification" not in client.get("/").get_data(as_text=True)


def test_practitioners_see_the_published_view_only(client, make_user, make_review):
    review = publish(make_review(csp="Dacorum", identifying_terms=["Jane Realname"]))
    sign_in(client, make_user("practitioner"))
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert review.reference in html
    assert "January 2024" in html  # month and year of death only
    assert "31 January 2024" not in html
    assert "Jane Realname" not in html
    assert "Restricted identifying terms" not in html
    assert 'id="history"' not in html
    client.post("/sign-out")

    sign_in(client, make_user("admin"))
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "31 January 2024" in html
    assert 'id="history"' in html


def test_unpublished_and_withheld_reviews_are_404_for_practitioners(client, make_user,
                                                                    make_review):
    draft = make_review()
    withheld = publish(make_review(victim_pseudonym="Adult W"), withheld=True)
    sign_in(client, make_user("practitioner"))
    assert client.get(f"/reviews/{draft.id}").status_code == 404
    assert client.get(f"/reviews/{withheld.id}").status_code == 404


def test_sign_out_needs_a_post(client, make_user):
    sign_in(client, make_user("admin"))
    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200  # still signed in
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert client.get("/").status_code == 302


def test_a_disabled_users_session_ends(client, make_user):
    user = make_user("admin")
    sign_in(client, user)
    assert client.get("/").status_code == 200
    user.is_enabled = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"


def test_editing_is_never_reachable_through_a_page_for_an_unseen_review(client, make_user,
                                                                       make_review):
    review = make_review(csp="Dacorum")
    sign_in(client, make_user("csp_manager", csps=["Watford"]))
    before = row_counts()
    response = client.post(f"/reviews/{review.id}/events/decide_to_review",
                           data={"decision_date": "2024-02-10", "rationale": "x",
                                 "ho_informed_date": "2024-02-10"})
    assert response.status_code == 404
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Review, review.id).state == "notified"
