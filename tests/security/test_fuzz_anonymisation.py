"""The anonymisation check against disguised names (hypothesis): a random real name put into
random text, whole or one word of it, in random disguises (case, soft hyphens and zero-width
characters inside it, a no-break or thin space between its words, accents added, dropped or
written as combining marks, full-width letters) is always flagged; text without it, even
with words that contain the name inside them, never is.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dhr.extensions import db
from dhr.identifying_terms import COMMON_WORDS, TermMatcher
from dhr.workflow import documents
from dhr.workflow.anonymisation import identifying_term_hits

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None)
INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u034f", "\ufe0f")
GAPS = (" ", "  ", "\u00a0", "\u2009", "\u202f", "\n")
ACCENTS = ("\u0301", "\u0300", "\u0308", "\u0302", "\u0303")
FILLER = ("the", "agencies", "should", "ask", "about", "domestic", "abuse", "Adult", "A",
          "was", "known", "to", "police", "GP", "and", "housing", "in", "2019", "Mrs", "her",
          "partner", "report", "recommendation", "1.2", "-", ",", "(", ")")
LETTERS = "abcdefghijklmnopqrstuvwxyzéèëöüñçå"
name_word = st.text(alphabet=LETTERS, min_size=3, max_size=9).map(str.capitalize).filter(
    lambda w: w.casefold() not in COMMON_WORDS
    and w.casefold() not in {f.casefold() for f in FILLER})
filler = st.lists(st.sampled_from(FILLER), max_size=8).map(" ".join)


@st.composite
def disguise(draw, word: str) -> str:
    """The word as a writer or a tampering hand might put it: each letter perhaps in another
    case, accented or stripped of its accent, full-width, or followed by an invisible mark."""
    out = []
    for ch in word:
        base = unicodedata.normalize("NFD", ch)[0]
        ch = draw(st.sampled_from((ch, ch, ch.upper(), ch.lower(), base)))
        how = draw(st.sampled_from(("plain", "plain", "plain", "accent", "wide", "hidden")))
        if how == "accent":
            ch += draw(st.sampled_from(ACCENTS))
            ch = draw(st.sampled_from((ch, unicodedata.normalize("NFC", ch))))
        elif how == "wide" and ch.isascii():
            ch = chr(ord(ch) - 0x21 + 0xFF01)
        elif how == "hidden":
            ch += draw(st.sampled_from(INVISIBLE))
        out.append(ch)
    return "".join(out)


@st.composite
def leaks(draw) -> tuple[str, str]:
    """(term, text): the term 'Given Surname' and a text holding all of it or one word."""
    given, surname = draw(name_word), draw(name_word)
    shown = draw(st.sampled_from(("whole", "given", "surname")))
    if shown == "whole":
        leaked = draw(disguise(given)) + draw(st.sampled_from(GAPS)) + draw(disguise(surname))
    else:
        leaked = draw(disguise(given if shown == "given" else surname))
    ending = draw(st.sampled_from(("", ".", "'s", ",")))
    return f"{given} {surname}", f"{draw(filler)} {leaked}{ending} {draw(filler)}"


@FUZZ
@example(leak=("Margaret Doyle", "Report on Mar\u00adgaret, known to police"))
@example(leak=("Margaret Doyle", "Mrs DOYLE was known"))
@example(leak=("Margaret Doyle", "MARGARET\u00a0DO\u200bYLE"))
@example(leak=("José Núñez", "as Jose Nunez told the GP"))
@example(leak=("Jose Nunez", "as Jose\u0301 Nun\u0303ez told the GP"))
@example(leak=("Zoë Hart", "\uff3a\uff4f\uff45 was known"))
@given(leak=leaks())
def test_a_disguised_name_is_found(leak):
    term, text = leak
    assert TermMatcher([term]).found_in(text), (term, text)


@FUZZ
@example(given="Ann", surname="Doyle", text="the Annual report; Joanne Doyles", glue="x")
@given(given=name_word, surname=name_word, text=filler,
       glue=st.sampled_from(("x", "9", "é", "ab")))
def test_text_without_the_name_passes(given, surname, text, glue):
    inside = f"{glue}{given.lower()}{glue} {surname}{glue}"  # the name inside longer words
    assert TermMatcher([f"{given} {surname}"]).found_in(f"{text} {inside} {text}") == []


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leak=leaks(), where=st.sampled_from(("overview_report", "executive_summary",
                                            "action_plan", "victim_pseudonym")))
def test_the_check_stops_publication_of_a_disguised_name(make_review, make_user, leak, where):
    """End to end: the term on a review, the disguised name in what a practitioner reads."""
    term, text = leak
    review = make_review(identifying_terms=[term])
    if where == "victim_pseudonym":
        review.victim_pseudonym = text[:80]
    else:
        documents.save_markdown(review, where, f"# Report\n\n{text}", make_user("admin"))
    db.session.commit()
    assert identifying_term_hits(review), (term, text, where)
