"""The words of the demo reviews: facts of each case, terms of reference, reports, action plans
and recommendations, in the language Hertfordshire's DHR people use (DOMAIN.md, seeds/). The
words themselves are in dhr/demo/data/; this module puts each review's facts into them.

Everything published is anonymised: the texts use the pseudonyms only, never a review's
identifying terms (the anonymisation check before publication runs on them for real).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dhr.demo.loader import document, load_json

LOCAL_NAMES: dict[str, dict[str, str]] = load_json("local_names")


@dataclass(frozen=True)
class Rec:
    """A recommendation as the chair drafts it; due `due_months` after the draft."""

    number: str
    text: str
    level: str
    agency: str
    themes: tuple[str, ...]
    due_months: int = 9


@dataclass(frozen=True)
class CaseText:
    victim: str                       # "a 71-year-old woman"
    perpetrator: str                  # "her husband, Adult E"
    identifying_terms: tuple[str, ...]
    rationale: str                    # the CSP's decision
    agencies: tuple[str, ...]
    summary: str = ""                 # what happened, in two or three sentences
    contacts: tuple[tuple[str, str], ...] = ()  # (agency, what it knew and did)
    enquiry: tuple[str, ...] = ()     # key lines of enquiry of the terms of reference
    lessons: tuple[str, ...] = ()
    recommendations: tuple[Rec, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A recommendation as it stands in the review's action plan."""

    number: str
    text: str
    level: str
    agency: str
    due: date | None


@dataclass(frozen=True)
class Facts:
    """What the templates need to know about a review as it stands."""

    pseudonym: str
    csp: str
    area: str
    died: date
    chair: str
    panel: tuple[str, ...]
    recommendations: tuple[Planned, ...] = ()


def _case(data: dict[str, Any]) -> CaseText:
    return CaseText(
        victim=data["victim"], perpetrator=data["perpetrator"],
        identifying_terms=tuple(data["identifying_terms"]), rationale=data["rationale"],
        agencies=tuple(data["agencies"]), summary=data.get("summary", ""),
        contacts=tuple(data.get("contacts", {}).items()),
        enquiry=tuple(data.get("enquiry", ())), lessons=tuple(data.get("lessons", ())),
        recommendations=tuple(Rec(**{**rec, "themes": tuple(rec["themes"])})
                              for rec in data.get("recommendations", ())))


CASES: dict[str, CaseText] = {pseudonym: _case(data)
                              for pseudonym, data in load_json("cases").items()}


def month_year(value: date) -> str:
    return value.strftime("%B %Y")


def agency_name(area: str, code: str, labels: dict[str, str]) -> str:
    return LOCAL_NAMES.get(area, {}).get(code) or labels.get(code, code)


def spoken_list(items: list[str]) -> str:
    """'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- documents ------------------------------------------------------------------------------

def terms_of_reference(case: CaseText, facts: Facts, labels: dict[str, str],
                       revision: str = "") -> str:
    panel = "\n".join(f"- {agency_name(facts.area, code, labels)}" for code in facts.panel)
    enquiry = "\n".join(f"{n}. {line}" for n, line in enumerate(case.enquiry, start=1)) or (
        "1. What each agency knew, and what it did with what it knew.")
    return document("terms_of_reference", pseudonym=facts.pseudonym, csp=facts.csp,
                    died=month_year(facts.died), victim=case.victim, chair=facts.chair,
                    panel=panel, enquiry=enquiry,
                    note=f"\n\n_Revised: {revision}_" if revision else "")


def _contact_sections(case: CaseText, facts: Facts, labels: dict[str, str]) -> str:
    return "\n\n".join(f"### {agency_name(facts.area, code, labels)[0].upper()}"
                       f"{agency_name(facts.area, code, labels)[1:]}\n\n{text}"
                       for code, text in case.contacts)


def _recommendation_list(facts: Facts) -> str:
    return "\n".join(f"- **{rec.number}** {rec.text}" for rec in facts.recommendations)


def _bullets(lines: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def overview_report(case: CaseText, facts: Facts, labels: dict[str, str],
                    revision: str = "") -> str:
    return document("overview_report", pseudonym=facts.pseudonym, csp=facts.csp,
                    chair=facts.chair, victim=case.victim, perpetrator=case.perpetrator,
                    died=month_year(facts.died), summary=case.summary,
                    contacts=_contact_sections(case, facts, labels),
                    lessons=_bullets(case.lessons), recommendations=_recommendation_list(facts),
                    note=f"\n\n## Revision note\n\n{revision}" if revision else "")


def executive_summary(case: CaseText, facts: Facts, labels: dict[str, str],
                      revision: str = "") -> str:
    panel = spoken_list([agency_name(facts.area, code, labels) for code in facts.panel])
    return document("executive_summary", pseudonym=facts.pseudonym, csp=facts.csp,
                    victim=case.victim, died=month_year(facts.died), chair=facts.chair,
                    panel=panel, summary=case.summary, lessons=_bullets(case.lessons),
                    recommendations=_recommendation_list(facts),
                    note=f"\n\n{revision}" if revision else "")


def action_plan(case: CaseText, facts: Facts, labels: dict[str, str], revision: str = "") -> str:
    rows = "\n".join(
        f"| {rec.number} | {rec.text} | {rec.level.title()} | "
        f"{agency_name(facts.area, rec.agency, labels)} | "
        f"{month_year(rec.due) if rec.due else 'to be agreed'} |"
        for rec in facts.recommendations)
    return document("action_plan", pseudonym=facts.pseudonym, area=facts.area, rows=rows,
                    note=f"\n\n{revision}" if revision else "")


def ho_letter(facts: Facts, outcome_words: str, points: list[str]) -> str:
    listed = "\n".join(f"{n}. {point}" for n, point in enumerate(points, start=1))
    return document("ho_letter", pseudonym=facts.pseudonym, csp=facts.csp,
                    outcome=outcome_words, points=listed)


# --- historic reviews (published before the system existed) ---------------------------------

HISTORIC_TEXT: dict[str, Any] = load_json("historic")
# key -> (lesson, recommendation text, level, agency, themes). The GP routine enquiry
# recommendation recurs year after year, as it does nationally: that is what the tracker is for.
HISTORIC_LEARNING: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    key: (item["lesson"], item["recommendation"], item["level"], item["agency"],
          tuple(item["themes"]))
    for key, item in HISTORIC_TEXT["learning"].items()}


def historic_learning(death_type: str, count: int) -> list[str]:
    """Keys of HISTORIC_LEARNING for a historic review: the first `count` for its type."""
    return list(HISTORIC_TEXT["by_type"][death_type][:count])


def historic_summary(pseudonym: str, csp: str, died: date, death_type: str, children: int,
                     keys: list[str]) -> str:
    learning = [HISTORIC_LEARNING[key] for key in keys]
    household = (f" {children} child{'ren' if children > 1 else ''} under 16 lived in the "
                 "household." if children else "")
    recs = "\n".join(f"- **{n}** {text.format(csp=csp)}"
                     for n, (_, text, *_) in enumerate(learning, start=1))
    return document("historic_executive_summary", pseudonym=pseudonym, csp=csp,
                    died=month_year(died),
                    events=HISTORIC_TEXT["events"][death_type].format(p=pseudonym),
                    household=household, lessons=_bullets([lesson for lesson, *_ in learning]),
                    recommendations=recs)
