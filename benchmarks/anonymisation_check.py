"""How long does the anonymisation check take on a large Word document?

Builds overview reports of several sizes in memory (paragraphs of ordinary text, with
headers, comments and tracked changes), reads every part as the check does and searches it
for T identifying terms and their words. Prints a table; no database needed.

    .venv/bin/python benchmarks/anonymisation_check.py --terms 20 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import zipfile

from dhr.identifying_terms import TermMatcher
from dhr.workflow.docx_reading import docx_texts

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
SENTENCE = ("Adult A was known to several agencies over the three years before her death; "
            "the GP saw her eleven times and housing twice. ")


def make_docx(paragraphs: int) -> bytes:
    body = "".join(
        f"<w:p><w:r><w:t>{SENTENCE * 3}</w:t></w:r>"
        f"<w:del w:id=\"{i}\" w:author=\"Chair\"><w:r><w:delText>old words</w:delText></w:r>"
        "</w:del></w:p>" for i in range(paragraphs))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body>"
                                              "</w:document>")
        archive.writestr("word/header1.xml", f"<w:hdr {W}><w:p><w:r><w:t>Overview report"
                                             "</w:t></w:r></w:p></w:hdr>")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terms", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    terms = [f"Forename{i} Surname{i}" for i in range(args.terms)]
    matcher = TermMatcher(terms)
    print(f"{len(matcher.terms)} terms, {len(matcher.needles)} searched strings")
    print(f"{'paragraphs':>10} {'words':>8} {'docx KB':>8} {'read s':>8} {'search s':>9}")
    for paragraphs in (500, 2000, 8000):
        data = make_docx(paragraphs)
        read, search = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            texts = docx_texts(data)
            read.append(time.perf_counter() - started)
            assert texts is not None
            started = time.perf_counter()
            assert matcher.counts(texts) == []
            search.append(time.perf_counter() - started)
        words = paragraphs * len(SENTENCE.split()) * 3
        print(f"{paragraphs:>10} {words:>8} {len(data) // 1024:>8} "
              f"{statistics.median(read):>8.3f} {statistics.median(search):>9.3f}")


if __name__ == "__main__":
    main()
