"""Who may chair a review and why not: every reason, in words; the ranking; the reservation."""

from __future__ import annotations

from datetime import date, timedelta

from dhr.extensions import db
from dhr.models import AuditEntry, PoolMember
from dhr.workflow.allocation import (
    ineligibility_reasons,
    rank_candidates,
    reserve_capacity,
    reserve_replacement,
)
from tests.support.pool import LAST_YEAR, TODAY, in_state, member


def test_an_active_trained_chair_with_room_and_no_conflict_is_eligible(make_review):
    review = in_state(make_review(agencies=["police", "housing"]), "chair_appointment")
    assert ineligibility_reasons(member(), review) == []


def test_inactive_member_is_refused(make_review):
    review = make_review()
    assert ineligibility_reasons(member(active=False), review) == ["inactive in the pool"]


def test_missing_chair_training_is_named(make_review):
    review = make_review()
    expected = ["no chair training recorded (Home Office chair training or AAFDA certificate)"]
    assert ineligibility_reasons(member(trained=None), review) == expected
    # Other training does not qualify a chair, but does a report writer.
    other = member("Sam Writer", kind="other", roles=("chair", "report_writer"))
    assert ineligibility_reasons(other, review) == expected
    assert ineligibility_reasons(other, review, "report_writer") == []


def test_training_expires_after_three_years_unless_an_expiry_is_given(make_review):
    review = make_review()
    old = member(trained=date(2020, 3, 3))
    assert ineligibility_reasons(old, review) == ["training expired on 3 March 2023"]
    explicit = member("Ann Explicit", trained=LAST_YEAR, expires=TODAY - timedelta(days=1))
    yesterday = TODAY - timedelta(days=1)
    assert ineligibility_reasons(explicit, review) == [
        f"training expired on {yesterday.day} {yesterday.strftime('%B %Y')}"]
    renewed = member("Rae Renewed", kind="aafda_certificate", trained=date(2019, 1, 1),
                     expires=TODAY + timedelta(days=30))
    assert ineligibility_reasons(renewed, review) == []


def test_training_validity_is_configurable(app, make_review):
    review = make_review()
    four_years_ago = member(trained=TODAY - timedelta(days=4 * 365))
    assert ineligibility_reasons(four_years_ago, review) != []
    app.config["TRAINING_VALID_YEARS"] = 5
    assert ineligibility_reasons(four_years_ago, review) == []


def test_at_capacity_names_the_reviews(make_review):
    chair = member(capacity=2)
    first = in_state(make_review(csp="Dacorum"), "drafting", chair=chair)
    second = in_state(make_review(csp="Watford"), "local_qa", report_writer=chair)
    in_state(make_review(csp="Stevenage"), "published", chair=chair)  # work finished
    in_state(make_review(csp="Hertsmere"), "withdrawn", chair=chair)
    review = in_state(make_review(csp="Broxbourne"), "chair_appointment")
    assert ineligibility_reasons(chair, review) == [
        f"at capacity (2 of 2): {first.reference}, {second.reference}"]
    assert first.reference == "DHR-DACORUM-2024-01"
    # The review itself never counts against its own chair.
    assert ineligibility_reasons(chair, first) == []


def test_capacity_reason_hides_reviews_the_viewer_may_not_see(make_review, make_user):
    chair = member(capacity=2)
    dacorum = in_state(make_review(csp="Dacorum"), "drafting", chair=chair)
    in_state(make_review(csp="Watford"), "drafting", chair=chair)
    review = make_review(csp="Dacorum")
    manager = make_user("csp_manager", csps=["Dacorum"])
    assert ineligibility_reasons(chair, review, viewer=manager) == [
        f"at capacity (2 of 2): {dacorum.reference}, 1 other review"]


def test_capacity_zero_means_no_reviews_at_the_moment(make_review):
    assert ineligibility_reasons(member(capacity=0), make_review()) == [
        "takes no reviews at the moment (capacity 0)"]


def test_conflict_with_an_agency_in_scope_is_named(make_review):
    review = make_review(agencies=["police", "housing"])
    housing = member(conflicts={"housing": ""})
    assert ineligibility_reasons(housing, review) == [
        "conflict of interest: worked for Housing, which is in this review's scope"]
    noted = member("Pat Police", conflicts={"police": "Hertfordshire Constabulary 2004-2016",
                                             "probation": ""})
    assert ineligibility_reasons(noted, review) == [
        "conflict of interest: worked for Police (Hertfordshire Constabulary 2004-2016), "
        "which is in this review's scope"]
    assert ineligibility_reasons(member("Out Of Scope", conflicts={"education": ""}),
                                 review) == []


def test_excluded_csp_and_areas_not_served(make_review):
    dacorum = make_review(csp="Dacorum")
    assert ineligibility_reasons(member(excluded=("Dacorum",)), dacorum) == [
        "excluded from reviews for Dacorum"]
    assert ineligibility_reasons(member("Watford Only", excluded=("Watford",)), dacorum) == []
    hereford_only = member("Hereford Chair", areas=("Herefordshire",))
    assert ineligibility_reasons(hereford_only, dacorum) == ["does not serve Hertfordshire"]
    assert ineligibility_reasons(hereford_only, make_review(csp="Herefordshire")) == []


def test_a_report_writer_only_member_cannot_chair(make_review):
    writer = member(roles=("report_writer",))
    assert ineligibility_reasons(writer, make_review()) == ["not in the pool as a chair"]
    assert ineligibility_reasons(writer, make_review(), "report_writer") == []


def test_every_reason_is_given_at_once(make_review):
    busy = member(capacity=1, active=False, trained=date(2019, 5, 1),
                  conflicts={"police": ""}, excluded=("Dacorum",))
    current = in_state(make_review(csp="Watford"), "drafting", chair=busy)
    reasons = ineligibility_reasons(busy, make_review(csp="Dacorum"))
    assert reasons == [
        "inactive in the pool",
        "training expired on 1 May 2022",
        f"at capacity (1 of 1): {current.reference}",
        "conflict of interest: worked for Police, which is in this review's scope",
        "excluded from reviews for Dacorum",
    ]


def test_ranking_eligible_first_then_fewest_reviews_then_longest_waiting(make_review):
    review = in_state(make_review(csp="Dacorum"), "chair_appointment")
    untrained = member("Aaron Untrained", trained=None)
    busy = member("Bea Busy", capacity=3, last_appointed=date(2020, 1, 1))
    in_state(make_review(csp="Watford"), "drafting", chair=busy)
    recent = member("Cara Recent", last_appointed=TODAY - timedelta(days=10))
    waiting = member("Dev Waiting", last_appointed=date(2023, 6, 1))
    never = member("Eve Never")
    ranked = rank_candidates(review)
    assert [c.member.name for c in ranked] == [
        "Eve Never", "Dev Waiting", "Cara Recent", "Bea Busy", "Aaron Untrained"]
    assert [c.eligible for c in ranked] == [True, True, True, True, False]
    assert ranked[3].load == 1
    assert ranked[-1].reasons and ranked[-1].member is untrained
    assert {waiting, never, recent} == {c.member for c in ranked[:3]}


def test_reserve_capacity_records_the_appointment_date(make_review):
    review = in_state(make_review(), "chair_appointment")
    chair = member()
    before = chair.lock_version
    assert reserve_capacity(chair, review, on=date(2024, 3, 1)) == []
    assert chair.last_appointed_date == date(2024, 3, 1)
    assert chair.lock_version == before + 1


def test_reserve_capacity_rereads_the_member_after_locking(app, make_review):
    """A change committed elsewhere after the member was loaded is seen by the reservation."""
    review = in_state(make_review(), "chair_appointment")
    chair = member()
    assert chair.is_active  # loaded in this session
    with app.app_context():  # another session (another request) deactivates them
        other = db.session.get(PoolMember, chair.id)
        other.is_active = False
        db.session.commit()
    assert reserve_capacity(chair, review) == ["inactive in the pool"]
    assert chair.last_appointed_date is None


def test_reserve_capacity_refuses_the_last_place_once_taken(make_review):
    chair = member(capacity=1)
    first = in_state(make_review(), "chair_appointment")
    second = in_state(make_review(), "chair_appointment")
    assert reserve_capacity(chair, first) == []
    first.chair = chair
    db.session.commit()
    assert reserve_capacity(chair, second) == [f"at capacity (1 of 1): {first.reference}"]


def test_replacement_needs_a_reason_and_a_different_eligible_member(make_review):
    ill = member("Ill Chair")
    review = in_state(make_review(agencies=["police"]), "panel_and_scope", chair=ill)
    new = member("New Chair")
    assert reserve_replacement(new, review, "  ") == [
        "the reason for the replacement (for example illness, or a conflict of interest "
        "found later)"]
    assert reserve_replacement(ill, review, "illness") == ["Ill Chair is already the chair"]
    conflicted = member("Police Chair", conflicts={"police": ""})
    assert reserve_replacement(conflicted, review, "illness") == [
        "Police Chair cannot be appointed as chair: conflict of interest: worked for Police, "
        "which is in this review's scope"]
    assert reserve_replacement(new, review, "illness") == []
    unchaired = make_review()
    assert reserve_replacement(new, unchaired, "illness") == [
        "no chair has been appointed yet, so there is nobody to replace"]


def test_checking_eligibility_writes_nothing(make_review):
    review = make_review()
    before = db.session.query(AuditEntry).count()
    ineligibility_reasons(member(), review)
    rank_candidates(review)
    assert db.session.query(AuditEntry).count() == before
