"""The words of a reminder. Only the review's reference and pseudonym, what is due and when:
never the identifying terms, never text from the review's documents."""

from __future__ import annotations

from datetime import date

from dhr.reminders.mail import Letter, link
from dhr.reminders.rules import Due

SUBJECT_LIMIT = 200


def spoken(value: date) -> str:
    """16 November 2026."""
    return f"{value.day} {value.strftime('%B %Y')}"


def _when(due: date, today: date, expires: bool = False) -> str:
    if expires:
        past = today > due
        return f"{'expired' if past else 'expires'} on {spoken(due)}"
    if today > due:
        days = (today - due).days
        return f"was due on {spoken(due)} and is {days} day{'s' if days != 1 else ''} overdue"
    if today == due:
        return f"is due today, {spoken(due)}"
    return f"is due on {spoken(due)}"


def _path(due: Due) -> str:
    if due.member is not None:
        return f"/pool/{due.member.id}"
    assert due.review is not None
    if due.agency_request is not None:
        return f"/reviews/{due.review.id}/requests"
    if due.object_key.startswith("recommendation:"):
        return f"/recommendations/{due.object_key.partition(':')[2]}"
    return f"/reviews/{due.review.id}"


def for_user(due: Due, today: date) -> Letter:
    """To someone with an account: the reference and pseudonym, what, when, and a link."""
    sentence = f"{due.what} {_when(due.due_date, today, due.expires)}."
    paragraphs = [sentence]
    subject = sentence.rstrip(".")
    if due.review is not None:
        paragraphs.insert(0, f"Review {due.review.reference} ({due.review.victim_pseudonym}).")
        subject = f"{due.review.reference}: {subject[0].lower()}{subject[1:]}"
    return Letter(subject[:SUBJECT_LIMIT], tuple(paragraphs), link(_path(due)))


def request_reference(due: Due) -> str:
    assert due.review is not None and due.agency_request is not None
    return f"{due.review.reference}/R{due.agency_request.id}"


def for_contact(due: Due, today: date) -> Letter:
    """To an agency's named contact (no account): the request's reference, the agency, what
    is due and when. Nothing about the review itself."""
    agency_request = due.agency_request
    assert agency_request is not None
    reference = request_reference(due)
    what = f"The {agency_request.kind_label.lower()} requested from {agency_request.agency_label}"
    return Letter(
        f"Reminder: request {reference}, {agency_request.kind_label.lower()} "
        f"{_when(due.due_date, today)}"[:SUBJECT_LIMIT],
        (f"Request {reference}.",
         f"{what} {_when(due.due_date, today)}.",
         "Please send it to the Community Safety Partnership that asked for it. This reminder "
         "was sent automatically; reply to your usual contact there, not to this address."))
