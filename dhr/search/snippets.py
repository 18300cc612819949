"""Snippets shared by the backends: matched words are marked with two control characters
(removed from indexed text, so they cannot occur in it) and turned into offsets."""

from __future__ import annotations

import re

START, END = "\x02", "\x03"
SNIPPET_CHARS = 240
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """Text fit to index: control characters (the markers among them) become spaces."""
    return _CONTROL.sub(" ", text or "")


def offsets(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with marker characters -> plain text and the [start, end) spans marked."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = 0
    for part in re.split(f"([{START}{END}])", marked):
        if part == START:
            start = length
        elif part == END:
            spans.append((start, length))
        else:
            plain.append(part)
            length += len(part)
    return "".join(plain), spans


def opening(body: str) -> str:
    """The start of an item's text, for a hit with no matched words to show."""
    cut = (body or "")[:SNIPPET_CHARS]
    return cut + "…" if len(body or "") > SNIPPET_CHARS else cut
