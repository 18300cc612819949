"""Finding restricted identifying terms (real names, addresses) in text a reader will see.

Both the terms and the texts are normalised first (`normalise`): Unicode NFKC, accents and
other non-spacing marks dropped, case folded, invisible format characters such as soft
hyphens and zero-width spaces removed, curly apostrophes and quotes and the various dashes
folded to their plain forms, white space collapsed. So "MAR\\u00adGARET  Doyle" is read as
"margaret doyle", and "José Núñez" as "jose nunez" (a term typed without its accents finds
the name written with them, and the other way round).

A term matches whole words only: "Ann" finds "ann" and "ANN." but not "Annual" or "Joanne".
The boundaries are "no letter or digit just outside", which also works for terms that begin
or end with punctuation ("O'Neil", "12 Orchard Close").

Each word of three or more letters of a multi-word term is searched for on its own too, so
the term "Margaret Doyle" also finds "Mrs Doyle" and "Margaret". Words of two letters or
fewer ("J", "Al") would find too much and are left to the whole term, and so are titles
and the commonest small words ("Mrs", "The"). In a term with a digit or a comma in it (an
address such as "12 Orchard Close" or "Upper House, Kington Road") the street-type words
("Close", "Road") are left to the whole term as well: alone they are ordinary English.
A term written in double quotes ("\"The Old Rectory\"") is searched as a whole only: the
way out when one of its words is too common to search for alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MIN_WORD_LETTERS = 3
_FOLD = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u02b9\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
ADDRESS_WORDS = frozenset({
    "approach", "avenue", "chase", "close", "cottages", "court", "crescent", "drive", "end",
    "estate", "flat", "flats", "gardens", "gate", "green", "grove", "heights", "hill", "house",
    "lane", "mews", "mount", "park", "parade", "place", "rise", "road", "row", "square",
    "street", "terrace", "view", "walk", "way", "wharf", "yard",
})
# Never searched alone in any term: titles and the commonest small words.
COMMON_WORDS = frozenset({"the", "and", "mrs", "miss", "for", "with", "old", "new"})


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _invisible_in(nfkc: str) -> set[str]:
    """The invisible format characters (Unicode category Cf: soft hyphen, zero-width space
    and joiners, bidi marks) in a text; none is ASCII, so only the others are looked at."""
    return {ch for ch in _NON_ASCII.findall(nfkc) if unicodedata.category(ch) == "Cf"}


def _compatible(text: str) -> str:
    """NFKC without the non-spacing marks (accents, combining marks, variation selectors)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


def _fold(nfkc: str, invisible: set[str], replacement: str) -> str:
    if invisible:
        nfkc = re.sub(f"[{re.escape(''.join(sorted(invisible)))}]", replacement, nfkc)
    return " ".join(nfkc.translate(_FOLD).casefold().split())


def normalise(text: str) -> str:
    """The text as it is compared: see the module docstring."""
    nfkc = _compatible(text or "")
    return _fold(nfkc, _invisible_in(nfkc), "")


def readings(text: str) -> tuple[str, ...]:
    """The ways a reader may read a text: an invisible character inside a word joins it
    ("Mar\\u00adgaret"), one between words may look like a gap ("Margaret\\u200bDoyle")."""
    nfkc = _compatible(text or "")
    invisible = _invisible_in(nfkc)
    joined = _fold(nfkc, invisible, "")
    return (joined, _fold(nfkc, invisible, " ")) if invisible else (joined,)


def _pattern(normalised: str) -> re.Pattern[str]:
    """Whole words only. The check that no letter or digit comes just before is placed after
    the first character, so the pattern starts with a literal and the search is fast."""
    first, rest = normalised[0], normalised[1:]
    body = r"\s+".join(re.escape(part) for part in rest.split(" "))
    return re.compile(rf"{re.escape(first)}(?<![^\W_].){body}(?![^\W_])")


@dataclass
class Needle:
    """One thing searched for: a whole term, or one word of multi-word terms (`parents`:
    the indexes of the whole terms it is a word of)."""

    label: str  # how a person is told about it
    pattern: re.Pattern[str]
    parents: list[int] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.parents


def _words_of(normalised: str) -> list[str]:
    words = _WORD.findall(normalised)
    if len(words) < 2:
        return []
    address = any(ch.isdigit() or ch == "," for ch in normalised)
    return [w for w in words if sum(ch.isalpha() for ch in w) >= MIN_WORD_LETTERS
            and w not in COMMON_WORDS and not (address and w in ADDRESS_WORDS)]


class TermMatcher:
    """Searches texts for a review's identifying terms and the words of each."""

    def __init__(self, terms: Iterable[str]):
        self.terms: list[str] = []
        keys: list[str] = []
        whole_only: list[bool] = []
        for raw in terms:
            term = " ".join((raw or "").split())
            quoted = len(term) > 2 and term[0] == term[-1] == '"'
            term = term[1:-1].strip() if quoted else term
            key = normalise(term)
            if key and key not in keys:
                keys.append(key)
                self.terms.append(term)
                whole_only.append(quoted)
        self.needles: list[Needle] = [Needle(f'"{term}"', _pattern(key))
                                      for term, key in zip(self.terms, keys, strict=True)]
        words: dict[str, Needle] = {}
        for index, (term, key) in enumerate(zip(self.terms, keys, strict=True)):
            for word in [] if whole_only[index] else _words_of(key):
                if word in keys:
                    continue  # searched as a term of its own
                if word not in words:
                    label = f'"{_original_word(term, word)}" (a word of "{term}")'
                    words[word] = Needle(label, _pattern(word))
                words[word].parents.append(index)
        self.needles += words.values()
        # One pass finds whether anything at all is there: most texts hold nothing.
        self._any = re.compile("|".join(f"(?:{n.pattern.pattern})" for n in self.needles))

    def __bool__(self) -> bool:
        return bool(self.needles)

    def counts(self, texts: Iterable[str]) -> list[tuple[Needle, int]]:
        """(needle, how often) for each needle found. The texts are readings of one thing
        (a Markdown source and its rendering, a document with and without its tracked
        changes), so a count is the most found in any one of them. A word counts only beyond
        the times its whole terms were found ("Jane Doyle. Mrs Doyle." finds the term once
        and "Doyle" once)."""
        best = [0] * len(self.needles)
        seen: set[str] = set()
        for text in texts:
            for reading in readings(text):
                if reading in seen or not self._any.search(reading):
                    continue
                seen.add(reading)
                for index, needle in enumerate(self.needles):
                    n = sum(1 for _ in needle.pattern.finditer(reading))
                    best[index] = max(best[index], n)
        found = []
        for index, needle in enumerate(self.needles):
            n = best[index] - sum(best[p] for p in needle.parents)
            if n > 0:
                found.append((needle, n))
        return found

    def found_in(self, text: str) -> list[str]:
        """Labels of the needles found in one text ("" finds nothing)."""
        return [needle.label for needle, _ in self.counts([text])]


def _original_word(term: str, word: str) -> str:
    """The word as the term spells it ("Doyle", not "doyle") for messages."""
    for candidate in _WORD.findall(unicodedata.normalize("NFKC", term).translate(_FOLD)):
        if normalise(candidate) == word:
            return candidate
    return word


def sentence(label: str, count: int, where: str) -> str:
    """'"Doyle" (a word of "Margaret Doyle") appears 2 times in the overview report'."""
    times = "" if count == 1 else f" {count} times"
    return f"{label} appears{times} in {where}"
