"""The anonymisation check: restricted identifying terms must not appear in what is published."""

from __future__ import annotations

import io
import zipfile

import pytest

from dhr.extensions import db
from dhr.identifying_terms import TermMatcher
from dhr.workflow import documents
from dhr.workflow.anonymisation import identifying_term_hits
from learning import recommendations as recs


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def reviewed(make_review, *terms):
    review = make_review(identifying_terms=list(terms))
    review.state = "drafting"
    db.session.commit()
    return review


def write(review, admin, kind, body):
    documents.save_markdown(review, kind, body, admin)
    db.session.commit()


@pytest.mark.parametrize("term, text, found", [
    ("Ann", "Ann was seen by her GP.", True),
    ("Ann", "ANN attended the appointment.", True),
    ("Ann", "The Annual report was published.", False),
    ("Ann", "Joanne and Annabel attended.", False),
    ("Ann", "The nurse spoke to ann.", True),
    ("Ann", "Called (Ann) twice.", True),
    ("Ann", "Ann's sister phoned.", True),
    ("Ann", "See file Ann_notes", True),
    ("12 Orchard Close", "She lived at 12 Orchard Close, Hemel.", True),
    ("12 Orchard Close", "She lived at 12  orchard\nclose.", True),
    ("12 Orchard Close", "She lived at 112 Orchard Close.", False),
    ("12 Orchard Close", "She lived at 12 Orchard Closed Road.", False),
    ("O'Neil", "Mr O'Neil was arrested.", True),
    ("O'Neil", "Mr O\u2019Neil was arrested.", True),
    ("O'Neil", "Mr O'Neill was arrested.", False),
    ("J. Smith", "Signed J. Smith.", True),
    ("J. Smith", "Signed AJ. Smith.", False),
    ("Zoë", "ZOË was eight.", True),
    ("Zoë", "Zoëlle was eight.", False),
])
def test_whole_words_any_case(term, text, found):
    whole = [label for label in TermMatcher([term]).found_in(text) if "a word of" not in label]
    assert bool(whole) is found


def test_hits_name_the_term_and_where(make_review, admin):
    review = reviewed(make_review, "Jane Realname", "12 Orchard Close", "Ann")
    write(review, admin, "overview_report", "Jane Realname lived at 12 Orchard Close.")
    write(review, admin, "executive_summary", "First draft about jane realname.")
    write(review, admin, "executive_summary", "Adult A. JANE REALNAME. Jane Realname.")
    write(review, admin, "action_plan", "The Annual plan.")
    write(review, admin, "terms_of_reference", "Jane Realname")  # not published: not checked
    recs.create_recommendation(review, admin, {
        "number": "3.2", "text": "Ann's GP should ask about abuse.", "level": "local",
        "agency": "police"})
    recs.create_recommendation(review, admin, {
        "number": "3.3", "text": "Annual training for all staff.", "level": "local",
        "agency": "police"})
    db.session.commit()
    assert identifying_term_hits(review) == [
        '"Jane Realname" appears in the overview report (version 1)',
        '"12 Orchard Close" appears in the overview report (version 1)',
        '"Jane Realname" appears 2 times in the executive summary (version 2)',
        '"Ann" appears in recommendation 3.2',
    ]


def test_clean_when_only_older_versions_mention_a_term(make_review, admin):
    review = reviewed(make_review, "Jane Realname")
    write(review, admin, "overview_report", "Jane Realname was known to services.")
    assert len(identifying_term_hits(review)) == 1
    write(review, admin, "overview_report", "Adult A was known to services.")
    assert identifying_term_hits(review) == []


def test_markdown_formatting_does_not_hide_a_term(make_review, admin):
    review = reviewed(make_review, "Jane Realname", "O'Neil")
    write(review, admin, "executive_summary", "Jane **Realname** and O\\'Neil.")
    assert identifying_term_hits(review) == [
        '"Jane Realname" appears in the executive summary (version 1)',
        '"O\'Neil" appears in the executive summary (version 1)',
    ]


def test_no_terms_or_no_documents_is_clean(make_review, admin):
    assert identifying_term_hits(reviewed(make_review)) == []
    assert identifying_term_hits(reviewed(make_review, "Jane Realname")) == []
    review = reviewed(make_review, " ", "")
    write(review, admin, "overview_report", "Anything at all.")
    assert identifying_term_hits(review) == []


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # Word splits words into runs; the name is split across two here.
        archive.writestr("word/document.xml",
                         f"<w:document {W}><w:body><w:p><w:r><w:t>{text} Jane Real</w:t></w:r>"
                         "<w:r><w:t>name</w:t></w:r></w:p></w:body></w:document>")
        archive.writestr("word/footer1.xml", f"<w:ftr {W}><w:p><w:r><w:t>12 Orchard Close"
                                             "</w:t></w:r></w:p></w:ftr>")
    return buffer.getvalue()


def test_uploaded_word_documents_are_read(make_review, admin):
    review = reviewed(make_review, "Jane Realname", "12 Orchard Close")
    documents.save_upload(review, "overview_report", "report.docx",
                          io.BytesIO(docx("Report about")), admin)
    db.session.commit()
    assert identifying_term_hits(review) == [
        '"Jane Realname" appears in the overview report (version 1)',
        '"12 Orchard Close" appears in the overview report (version 1)',
    ]


def test_an_uploaded_pdf_cannot_be_shown_clean(make_review, admin):
    review = reviewed(make_review, "Jane Realname")
    documents.save_upload(review, "executive_summary", "summary.pdf",
                          io.BytesIO(b"%PDF-1.4\n%%EOF\n"), admin)
    db.session.commit()
    [hit] = identifying_term_hits(review)
    assert hit.startswith("The executive summary (version 1) is an uploaded file that cannot "
                          "be checked")
