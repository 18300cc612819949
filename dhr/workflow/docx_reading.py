"""Reading every part of a Word (.docx) package a reader could see, for the anonymisation check.

A .docx is a zip of XML parts. Anything in any of them can reach a reader: the body,
headers, footers, foot- and endnotes, comments, tracked insertions and deletions, the
document properties (docProps/core.xml: title, subject, author, last modified by, keywords,
description; app.xml; custom.xml) and attribute values such as an image's alt text
(`descr`/`title` on `wp:docPr`). So every XML part is read, and from each come:

- each paragraph's text with its runs joined (Word splits words across runs), three ways:
  with every tracked change, with the changes accepted, and with them rejected;
- every piece of text on its own, separated by spaces (a deleted word inside a sentence);
- every attribute value.

The names of the parts are read too. A package that holds something that cannot be read
(an embedded object or workbook, a macro project, a part that is not well-formed XML, or
more than the limits below) gives None: it cannot be shown clean.

XML is parsed with defusedxml (no entity expansion, no external resources), and each part is
inflated to at most MAX_PART_BYTES, the package to at most MAX_PACKAGE_BYTES.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_PART_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_PARTS = 2000
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Parts that are pictures or fonts: no words in them to check.
SKIPPED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf",
                    ".wmf", ".svg", ".odttf", ".ttf", ".jfif", ".webp", ".ico")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_TAGS = {f"{_W}t", f"{_W}delText", f"{_W}instrText", f"{_W}delInstrText"}
# Elements that stand for a character between runs: a tab or line break reads as a gap.
_CHARACTER_TAGS = {f"{_W}tab": " ", f"{_W}br": " ", f"{_W}cr": " ", f"{_W}noBreakHyphen": "-"}
_INSERTED = {f"{_W}ins", f"{_W}moveTo"}
_DELETED = {f"{_W}del", f"{_W}moveFrom"}


class Unreadable(Exception):
    """The package cannot be checked."""


def docx_texts(data: bytes) -> list[str] | None:
    """The texts of a Word document to search for identifying terms; None if any part of it
    cannot be read safely."""
    try:
        return list(_package_texts(data))
    except (Unreadable, zipfile.BadZipFile, OSError, ValueError, RuntimeError,
            ParseError, DefusedXmlException, EOFError):
        return None


def _package_texts(data: bytes) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise Unreadable("too many parts or too large")
        yield "\n".join(info.filename for info in infos)
        for info in infos:
            name = info.filename.lower()
            if info.is_dir() or name.endswith(SKIPPED_SUFFIXES):
                continue
            if not name.endswith(XML_SUFFIXES):
                raise Unreadable(f"part {info.filename} cannot be read")
            if info.file_size > MAX_PART_BYTES:
                raise Unreadable(f"part {info.filename} is too large")
            with archive.open(info) as handle:
                xml = handle.read(MAX_PART_BYTES + 1)
            if len(xml) > MAX_PART_BYTES:
                raise Unreadable(f"part {info.filename} is too large")
            yield from part_texts(fromstring(xml))


def part_texts(root: Element) -> Iterator[str]:
    """The texts of one parsed XML part (see the module docstring)."""
    paragraphs = list(root.iter(f"{_W}p"))
    if paragraphs:
        for skip in (frozenset(), _DELETED, _INSERTED):
            yield "\n".join(_paragraph_text(p, skip) for p in paragraphs)
    pieces: list[str] = []
    values: list[str] = []
    for element in root.iter():
        pieces += [t for t in (element.text, element.tail) if t and t.strip()]
        values += element.attrib.values()
    yield " ".join(pieces)
    yield "\n".join(values)


def _paragraph_text(paragraph: Element, skip: frozenset[str]) -> str:
    parts: list[str] = []

    def walk(element: Element) -> None:
        for child in element:
            if child.tag in skip or child.tag == f"{_W}p":
                continue  # a change left out, or a nested paragraph read on its own
            if child.tag in _TEXT_TAGS:
                parts.append(child.text or "")
            elif child.tag in _CHARACTER_TAGS:
                parts.append(_CHARACTER_TAGS[child.tag])
            walk(child)

    walk(paragraph)
    return "".join(parts)
