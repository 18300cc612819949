"""The searcher's query text: words, "quoted phrases", AND / OR / NOT and parentheses.

The domain thesaurus is applied here, at query time: a word, a run of words or a quoted
phrase that belongs to a group becomes an OR of the whole group, the searcher's own wording
weighted above its synonyms (so "GP" ranks a report saying "GP" above one saying "primary
care", and still finds both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dhr.search.thesaurus import Thesaurus

OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
SYNONYM_WEIGHT = 0.5  # chosen with benchmarks/relevance.py
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_WORD = re.compile(r"[\w'&-]+")


@dataclass(frozen=True)
class Token:
    text: str

    @property
    def is_phrase(self) -> bool:
        return self.text.startswith('"')

    @property
    def is_operator(self) -> bool:
        return self.text in OPERATORS or self.text in {"(", ")"}

    @property
    def is_word(self) -> bool:
        return not (self.is_phrase or self.is_operator) and bool(_WORD.fullmatch(self.text))

    @property
    def phrase_text(self) -> str:
        return self.text.strip('"')


def tokens(text: str) -> list[Token]:
    return [Token(t) for t in _TOKEN.findall(text)]


def _alternatives(term: str, thesaurus: Thesaurus) -> str:
    own, *others = thesaurus.synonyms(term)
    parts = [_quoted(own)] + [f"{_quoted(other)}^{SYNONYM_WEIGHT}" for other in others]
    return "(" + " OR ".join(parts) + ")"


def _quoted(term: str) -> str:
    """A lone plain word as it is (so that its weight applies); anything else as a phrase."""
    return term if re.fullmatch(r"\w+", term) else f'"{term}"'


def expand(text: str, thesaurus: Thesaurus) -> str:
    """The query with thesaurus terms replaced by the OR of their group."""
    found = tokens(text)
    out: list[str] = []
    i = 0
    while i < len(found):
        token = found[i]
        if token.is_phrase and token.phrase_text in thesaurus:
            out.append(_alternatives(token.phrase_text, thesaurus))
            i += 1
            continue
        if token.is_word:
            matched = _longest_match(found, i, thesaurus)
            if matched:
                out.append(_alternatives(" ".join(t.text for t in found[i:i + matched]),
                                         thesaurus))
                i += matched
                continue
        out.append(token.text)
        i += 1
    return " ".join(out)


def _longest_match(found: list[Token], start: int, thesaurus: Thesaurus) -> int:
    """How many words from `start` form the longest thesaurus term (0: none)."""
    for length in range(min(thesaurus.longest, len(found) - start), 0, -1):
        run = found[start:start + length]
        if all(t.is_word for t in run) and " ".join(t.text for t in run) in thesaurus:
            return length
    return 0


def plain_words(text: str) -> list[str]:
    """The searcher's words (no operators, no syntax), for spelling suggestions."""
    words = []
    for token in tokens(text):
        if token.is_phrase:
            words += _WORD.findall(token.phrase_text)
        elif token.is_word:
            words.append(token.text)
    return words
