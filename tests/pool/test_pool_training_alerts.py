"""The pool and training (issue 13, finding 10): removing a training record is confirmed
first; the expiring list includes chairs whose training ran out while they hold a live review;
a chair whose training ends before the review is expected to finish ranks with a warning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dhr.extensions import db
from dhr.models import PoolMember
from dhr.workflow.allocation import rank_candidates
from tests.conftest import sign_in
from tests.support.pool import TODAY, in_state, member


@pytest.fixture
def coordinator(client, make_user):
    user = make_user("coordinator")
    sign_in(client, user)
    return user


def test_removing_a_training_record_asks_first(client, coordinator):
    chair = member("Helen Carter")
    training = chair.training[0]
    url = f"/pool/{chair.id}/training/{training.id}/remove"
    page = client.get(f"/pool/{chair.id}").get_data(as_text=True)
    assert f'href="{url}"' in page  # a link to the question, not a one-click button
    question = client.get(url)
    assert question.status_code == 200
    text = question.get_data(as_text=True)
    assert "Are you sure you want to remove this training record?" in text
    assert "without it they cannot be appointed" in text
    client.post(url)  # without the confirmation: nothing happens
    db.session.expire_all()
    assert len(db.session.get(PoolMember, chair.id).training) == 1
    done = client.post(url, data={"confirm": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(PoolMember, chair.id).training == []


def test_expired_training_on_a_live_review_is_listed(client, coordinator, make_review):
    lapsed = member("Lena Lapsed", trained=TODAY - timedelta(days=400),
                    expires=TODAY - timedelta(days=10))
    in_state(make_review(), "drafting", chair=lapsed)
    member("Idle Expired", trained=TODAY - timedelta(days=400),
           expires=TODAY - timedelta(days=10))  # no live review: not an alert
    page = client.get("/pool").get_data(as_text=True)
    listed = page[page.index('id="expiring-training"'):page.index("</ul>",
                                                                page.index('id="expiring-training"'))]
    assert "Lena Lapsed" in listed and "expired on" in listed
    assert "Idle Expired" not in listed


def test_training_ending_during_the_review_ranks_with_a_warning(client, coordinator,
                                                                 make_review):
    review = in_state(make_review(notification_date=TODAY - timedelta(days=20),
                                  date_of_death=TODAY - timedelta(days=25)),
                      "chair_appointment")
    soon = member("Amy Soon", trained=TODAY - timedelta(days=700),
                  expires=TODAY + timedelta(days=40))
    member("Zed Lasting")
    ranked = rank_candidates(review)
    assert [c.member.name for c in ranked] == ["Zed Lasting", "Amy Soon"]
    assert ranked[1].eligible and "before the review is expected to finish" in \
        ranked[1].warnings[0]
    page = client.get(f"/reviews/{review.id}/chair-candidates").get_data(as_text=True)
    card = page[page.index("Amy Soon"):]
    assert "govuk-warning-text" in card[:2000] and "Training expires on" in card[:2000]
    assert soon.id
