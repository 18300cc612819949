"""Operations on reviews that are not lifecycle events: creating and editing the facts.

Like every operation they flush and audit but never commit; the caller commits once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from dhr.audit import record
from dhr.extensions import db
from dhr.identifying_terms import TermMatcher, normalise
from dhr.models import Csp, ReferenceCounter, Review, User
from dhr.models.states import PUBLISHED_STATES
from dhr.permissions import can_create_review_in
from dhr.vocabulary import to_codes, vocabulary_terms


class ReviewInputError(ValueError):
    """Field-level problems with review data: {field: message}."""

    def __init__(self, details: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in details.items()))
        self.details = details


class NotPermitted(PermissionError):
    pass


class ReviewReadOnly(ValueError):
    """The review is published: what practitioners read can no longer change here."""

    code = "read_only"

    def __init__(self, message: str, details: dict[str, str]):
        super().__init__(message)
        self.message, self.details = message, details


def find_csp(name_or_slug: str) -> Csp | None:
    needle = name_or_slug.strip().lower()
    return db.session.scalar(
        select(Csp).where((func.lower(Csp.name) == needle) | (Csp.slug == needle))
    )


def agency_codes() -> dict[str, str]:
    """Known agency terms: code -> label."""
    return vocabulary_terms("agency")


def normalise_agencies(values: list[str]) -> list[str]:
    """Map agency codes or labels to codes; unknown ones are a field error."""
    codes, unknown = to_codes("agency", values)
    if unknown:
        raise ReviewInputError({"agencies": f"unknown agency: {', '.join(unknown)}"})
    return codes


def _highest_in_use(prefix: str) -> int:
    existing = db.session.scalars(
        select(Review.reference).where(Review.reference.like(prefix + "%"))
    ).all()
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in existing if ref.rsplit("-", 1)[1].isdigit()]
    return max(numbers, default=0)


def _claim_number(csp: Csp, year: int, prefix: str) -> int:
    """The next number of the (CSP, year) counter, claimed by one conditional UPDATE: the
    row stays locked until the caller commits, so simultaneous notifications queue there
    instead of reading the same highest reference and colliding on insert."""
    claim = (
        update(ReferenceCounter)
        .where(ReferenceCounter.csp_id == csp.id, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    number = db.session.scalar(claim)
    if number is not None:
        return number
    # The first notification of this CSP and year: start after any reference already used
    # (demo data, imports). Two first notifications at once: one insert wins, the other
    # claims through the row the winner made.
    first = _highest_in_use(prefix) + 1
    try:
        with db.session.begin_nested():
            db.session.add(ReferenceCounter(csp_id=csp.id, year=year, last_number=first))
    except IntegrityError:
        return db.session.scalar(claim)
    return first


def next_reference(csp: Csp, year: int) -> str:
    """Claim the review reference for `csp` and `year`, e.g. DHR-DACORUM-2024-03. Numbers
    are taken in order; one already used by hand (an import) is skipped."""
    prefix = f"DHR-{csp.slug.upper().replace('_', '-')}-{year}-"
    while True:
        reference = f"{prefix}{_claim_number(csp, year, prefix):02d}"
        if db.session.scalar(select(Review.id).where(Review.reference == reference)) is None:
            return reference


def create_review(actor: User, fields: dict[str, Any]) -> Review:
    """Record a police notification as a new review in state `notified`."""
    csp = find_csp(fields["csp"])
    if csp is None:
        raise ReviewInputError({"csp": f"unknown CSP: {fields['csp']}"})
    if not can_create_review_in(actor, csp):
        raise NotPermitted(f"you cannot record reviews for {csp.name}")
    values = {k: v for k, v in fields.items() if k != "csp"}
    values["agencies"] = normalise_agencies(values.get("agencies") or [])
    _check_pseudonym(values["victim_pseudonym"], values.get("identifying_terms") or [],
                     "victim_pseudonym")
    review = Review(csp=csp, **values)
    review.reference = next_reference(csp, review.notification_date.year)
    db.session.add(review)
    db.session.flush()
    record("review.notified", review, actor, _audit_view(values), review_id=review.id,
           to_state="notified")
    return review


def update_review(actor: User, review: Review, changes: dict[str, Any]) -> Review:
    """Change the review's facts (never its state); audit old and new values.

    Once the review is published only identifying terms may be added (nothing published
    changes; the anonymisation check is then run again and shown to the CSP)."""
    if review.state in PUBLISHED_STATES:
        _refuse_published_change(review, changes)
    if "csp" in changes:
        csp = find_csp(changes.pop("csp"))
        if csp is None:
            raise ReviewInputError({"csp": "unknown CSP"})
        if not can_create_review_in(actor, csp):
            raise NotPermitted(f"you cannot move reviews to {csp.name}")
        if csp.id != review.csp_id:
            changes["csp_id"] = csp.id
    if "agencies" in changes:
        changes["agencies"] = normalise_agencies(changes["agencies"] or [])
    date_of_death = changes.get("date_of_death", review.date_of_death)
    notified = changes.get("notification_date", review.notification_date)
    if notified < date_of_death:
        raise ReviewInputError({"notification_date": "must not be before the date of death"})
    if review.state not in PUBLISHED_STATES and changes.keys() & {"victim_pseudonym",
                                                                    "identifying_terms"}:
        _check_pseudonym(changes.get("victim_pseudonym", review.victim_pseudonym),
                         changes.get("identifying_terms", review.identifying_terms) or [],
                         "victim_pseudonym" if "victim_pseudonym" in changes
                         else "identifying_terms")
    before = {k: getattr(review, k) for k in changes}
    for key, value in changes.items():
        setattr(review, key, value)
    review.lock_version += 1
    db.session.flush()
    record("review.updated", review, actor,
           {"before": _audit_view(before), "after": _audit_view(changes)}, review_id=review.id)
    return review


def _check_pseudonym(pseudonym: str, terms: list[str], field: str) -> None:
    """The pseudonym is published: it must not contain an identifying term or a word of one
    ("Margaret" when "Margaret Doyle" is restricted)."""
    found = TermMatcher(terms).found_in(pseudonym or "")
    if found:
        what = "the pseudonym" if field == "victim_pseudonym" else "the victim pseudonym"
        raise ReviewInputError({field: f"{what} must not contain a restricted identifying term: "
                                       f"it contains {', '.join(found)}"})


def _refuse_published_change(review: Review, changes: dict[str, Any]) -> None:
    frozen = sorted(changes.keys() - {"identifying_terms"})
    if frozen:
        raise ReviewReadOnly(
            f"the review is {review.state}: what practitioners read can no longer change",
            dict.fromkeys(frozen, "cannot change after publication"))
    if "identifying_terms" in changes:
        kept = {normalise(t) for t in changes["identifying_terms"] or []}
        dropped = [t for t in review.identifying_terms or [] if normalise(t) not in kept]
        if dropped:
            raise ReviewReadOnly(
                "after publication identifying terms can only be added, not removed",
                {"identifying_terms": f"{len(dropped)} recorded terms are missing: "
                                      "send every recorded term and the new ones"})


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copy; identifying terms are noted as changed, never copied into the log."""
    safe: dict[str, Any] = {}
    for key, value in values.items():
        if key == "identifying_terms":
            safe[key] = f"{len(value or [])} terms"
        elif hasattr(value, "isoformat"):
            safe[key] = value.isoformat()
        else:
            safe[key] = value
    return safe
