"""How the service writes dates and sentences, the same on every page and in every message:
"16 November 2026" (never ISO, except in the JSON API's data)."""

from __future__ import annotations

from datetime import date, datetime


def date_in_words(value: date | datetime | str | None) -> str:
    """"1 October 2026"; a string is an ISO date (as audit entries keep dates)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value.strftime('%B %Y')}"


def sentence_case(text: str) -> str:
    """A message as a sentence: its first letter upper case, the rest as written (never
    "Individual management review (imr)"), and an email address left as typed."""
    if "@" in text.split(" ", 1)[0]:
        return text
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """A label inside a sentence: "Individual management review (IMR)" becomes "individual
    management review (IMR)" (never "(imr)"); a name stays as it is ("Home Office letter",
    "CSP manager")."""
    words = text.split(" ", 2)
    first = words[0]
    if first[1:2].isupper() or (len(words) > 1 and words[1][:1].isupper()):
        return text
    return first[:1].lower() + text[1:]
