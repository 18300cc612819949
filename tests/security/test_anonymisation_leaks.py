"""Each way a real name reached practitioners past the anonymisation check (the outside
review's findings), one test each. Word files are built here with zipfile."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from dhr.extensions import db
from dhr.identifying_terms import TermMatcher, normalise
from dhr.workflow import documents, docx_reading
from dhr.workflow.anonymisation import anonymisation_check, identifying_term_hits
from learning import recommendations as recs
from tests.conftest import review_fields, sign_in

NAME = "Margaret Doyle"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'
CONTENT_TYPES = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="xml" ContentType="application/xml"/></Types>')


def body(*paragraphs: str) -> str:
    return (f'<w:document {W} xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
            f'wordprocessingDrawing"><w:body>{"".join(paragraphs)}</w:body></w:document>')


def para(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def docx(document: str | None = None, **parts: str) -> bytes:
    """A Word package: [Content_Types].xml, word/document.xml and any other parts, given as
    keyword arguments with '/' written '__' (docProps__core_xml -> docProps/core.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document or body(para("Adult A was known.")))
        for key, xml in parts.items():
            archive.writestr(re.sub(r"_(\w+)$", r".\1", key.replace("__", "/")), xml)
    return buffer.getvalue()


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def review(make_review):
    review = make_review(identifying_terms=[NAME, "14 Larkspur Road"])
    review.state = "publication_pending"
    db.session.commit()
    return review


def upload(review, admin, data: bytes, filename: str = "overview.docx",
           kind: str = "overview_report"):
    saved = documents.save_upload(review, kind, filename, io.BytesIO(data), admin)
    db.session.commit()
    return saved


def write(review, admin, text: str, kind: str = "overview_report"):
    documents.save_markdown(review, kind, text, admin)
    db.session.commit()


# --- matching ------------------------------------------------------------------------------


def test_mrs_doyle_is_found_through_the_surname(review, admin):
    write(review, admin, "Mrs Doyle was seen by her GP.")
    assert identifying_term_hits(review) == [
        '"Doyle" (a word of "Margaret Doyle") appears in the overview report (version 1)']


def test_the_forename_alone_is_found(review, admin):
    write(review, admin, "Margaret was seen twice. MARGARET phoned.")
    assert identifying_term_hits(review) == [
        '"Margaret" (a word of "Margaret Doyle") appears 2 times in the overview report '
        '(version 1)']


def test_a_whole_term_is_reported_once_not_word_by_word(review, admin):
    write(review, admin, "Margaret Doyle lived at 14 Larkspur Road. Mrs Doyle moved.")
    assert identifying_term_hits(review) == [
        '"Margaret Doyle" appears in the overview report (version 1)',
        '"14 Larkspur Road" appears in the overview report (version 1)',
        '"Doyle" (a word of "Margaret Doyle") appears in the overview report (version 1)',
    ]


@pytest.mark.parametrize("text", [
    "Mar\u00adgaret Doyle was seen.",        # soft hyphen inside the word
    "Margaret\u00a0Doyle was seen.",          # no-break space
    "Mar\u200bgaret Doyle was seen.",        # zero-width space inside the word
    "Margaret\u200bDoyle was seen.",         # zero-width space instead of a space
    "Mar\u2060garet D\u200doyle was seen.",  # word joiner, zero-width joiner
    "\uff2d\uff41\uff52\uff47\uff41\uff52\uff45\uff54 Doyle was seen.",  # full-width letters
    "Marg&#97;ret Doyle was seen.",          # a character reference in Markdown
])
def test_invisible_and_look_alike_characters_do_not_hide_a_name(review, admin, text):
    write(review, admin, text)
    hits = identifying_term_hits(review)
    assert hits and all("overview report" in hit for hit in hits), hits
    assert any(hit.startswith('"Margaret Doyle"') for hit in hits), hits


def test_a_soft_hyphenated_term_still_matches_plain_text(make_review, admin):
    review = make_review(identifying_terms=["O\u2019Nei\u00adl"])
    write(review, admin, "Mr O'Neil was arrested.")
    assert identifying_term_hits(review) == ['"O\u2019Nei\u00adl" appears in the overview '
                                             'report (version 1)']


@pytest.mark.parametrize("term, text, found", [
    ("Ann Lee", "The Annual report.", []),                     # whole words only
    ("Jo Lee", "Jo came.", []),                               # words of 2 letters or fewer...
    ("Al Jones", "Al came.", []),                             # ...are left to the whole term
    ("Al Jones", "Mrs Jones came.", ['"Jones" (a word of "Al Jones")']),
    ("Smith-Jones", "Mr Smith came.", ['"Smith" (a word of "Smith-Jones")']),
    ("Anna Smith-Jones", "Mr Smith came.", ['"Smith" (a word of "Anna Smith-Jones")']),
    ("14 Larkspur Road", "She lived near the road.", []),    # street words alone: not names
    ("14 Larkspur Road", "Larkspur was mentioned.", ['"Larkspur" (a word of "14 Larkspur Road")']),
    ("Margaret Lane", "Mrs Lane came.", ['"Lane" (a word of "Margaret Lane")']),  # a name
    ("Doyle", "The Doyles came.", []),
    ("Upper House, Kington Road", "The house on the road.", []),  # a comma: an address
    ("Upper House, Kington Road", "Near Kington.",
     ['"Kington" (a word of "Upper House, Kington Road")']),
    ("The Old Rectory", "An old house.", []),                 # the commonest words: never alone
    ("The Old Rectory", "The rectory.", ['"Rectory" (a word of "The Old Rectory")']),
    ('"Orchard Farm"', "The farm.", []),                      # quoted: the whole term only
    ('"Orchard Farm"', "At orchard  FARM.", ['"Orchard Farm"']),
])
def test_which_words_are_searched(term, text, found):
    assert TermMatcher([term]).found_in(text) == found


def test_the_normaliser():
    text = "  MAR\u00adGARET\u200b \t\n D\u2019OYLE \u2013 \ufb01le "
    assert normalise(text) == "margaret d'oyle - file"


# --- where practitioners read --------------------------------------------------------------


def test_a_pseudonym_equal_to_a_name_is_refused_on_the_api(api_as):
    manager = api_as("csp_manager", csps=["Dacorum"])
    fields = review_fields(victim_pseudonym="Margaret", identifying_terms=[NAME])
    response = manager.post("/reviews", json={k: str(v) if hasattr(v, "isoformat") else v
                                              for k, v in fields.items()})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert "victim_pseudonym" in error["details"]
    assert '"Margaret" (a word of "Margaret Doyle")' in error["details"]["victim_pseudonym"]

    fields["victim_pseudonym"] = "Adult M"
    created = manager.post("/reviews", json={k: str(v) if hasattr(v, "isoformat") else v
                                             for k, v in fields.items()})
    assert created.status_code == 201
    review_id = created.json["id"]
    refused = manager.patch(f"/reviews/{review_id}", json={"victim_pseudonym": "Mrs Doyle"})
    assert refused.status_code == 400
    assert "victim_pseudonym" in refused.json["error"]["details"]
    refused = manager.patch(f"/reviews/{review_id}", json={"identifying_terms": [NAME, "Adult M"]})
    assert refused.status_code == 400
    assert "identifying_terms" in refused.json["error"]["details"]
    assert manager.get(f"/reviews/{review_id}").json["victim_pseudonym"] == "Adult M"


def test_a_pseudonym_equal_to_a_name_is_a_form_error(client, make_user):
    manager = make_user("csp_manager", csps=["Dacorum"])
    sign_in(client, manager)
    response = client.post("/reviews/new", data={
        "csp": "dacorum", "victim_pseudonym": NAME, "date_of_death": "2024-01-31",
        "notification_date": "2024-02-02", "death_type": "intimate_partner_homicide",
        "review_type": "full", "deceased_16_plus": "1", "children_under_16": "0",
        "identifying_terms": f"{NAME}\n14 Larkspur Road"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The pseudonym must not contain a restricted identifying term" in page
    assert "govuk-error-message" in page


def test_a_pseudonym_already_holding_a_name_fails_the_check(review, admin):
    review.victim_pseudonym = "Maggie Doyle"  # recorded before the refusal existed
    review.legal_basis = "Section 9, Doyle family consulted"
    db.session.commit()
    assert identifying_term_hits(review, "https://www.dacorum.gov.uk/dhr-margaret") == [
        '"Doyle" (a word of "Margaret Doyle") appears in the victim pseudonym',
        '"Margaret" (a word of "Margaret Doyle") appears in the web address of the published '
        'report',
        '"Doyle" (a word of "Margaret Doyle") appears in the legal basis',
    ]


def test_a_recommendation_number_and_text_are_checked(review, admin):
    recs.create_recommendation(review, admin, {
        "number": "3.1", "text": "Housing should have asked Mrs Doyle about abuse.",
        "level": "local", "agency": "housing"})
    db.session.commit()
    assert identifying_term_hits(review) == [
        '"Doyle" (a word of "Margaret Doyle") appears in recommendation 3.1']


def test_an_uploaded_file_name_is_checked(review, admin):
    upload(review, admin, docx(), "Margaret Doyle final.docx")
    assert identifying_term_hits(review) == [
        '"Margaret Doyle" appears in the file name of the overview report (version 1)']


def test_word_document_properties_are_checked(review, admin):
    core = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:title>DHR into the death of Margaret Doyle</dc:title>'
            '<dc:creator>Mrs Doyle</dc:creator><cp:keywords>Larkspur</cp:keywords>'
            '</cp:coreProperties>')
    upload(review, admin, docx(docProps__core_xml=core))
    assert identifying_term_hits(review) == [
        '"Margaret Doyle" appears in the overview report (version 1)',
        '"Doyle" (a word of "Margaret Doyle") appears in the overview report (version 1)',
        '"Larkspur" (a word of "14 Larkspur Road") appears in the overview report (version 1)',
    ]


@pytest.mark.parametrize("part, xml", [
    ("docProps__app_xml", '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
                          '2006/extended-properties"><Company>Doyle household</Company>'
                          '</Properties>'),
    ("docProps__custom_xml", '<Properties xmlns="http://schemas.openxmlformats.org/'
                             'officeDocument/2006/custom-properties"><property name="Subject">'
                             '<vt:lpwstr xmlns:vt="x">Doyle</vt:lpwstr></property></Properties>'),
])
def test_other_property_parts_are_checked(review, admin, part, xml):
    upload(review, admin, docx(**{part: xml}))
    assert identifying_term_hits(review) == [
        '"Doyle" (a word of "Margaret Doyle") appears in the overview report (version 1)']


def test_image_alt_text_is_checked(review, admin):
    drawing = ('<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1" '
               'descr="Photograph of Margaret at home"/></wp:inline></w:drawing></w:r></w:p>')
    upload(review, admin, docx(body(para("Adult A was known."), drawing)))
    assert identifying_term_hits(review) == [
        '"Margaret" (a word of "Margaret Doyle") appears in the overview report (version 1)']


def test_a_tracked_deletion_is_checked(review, admin):
    deleted = ('<w:p><w:r><w:t>Adult A</w:t></w:r><w:del w:id="1" w:author="Chair">'
               '<w:r><w:delText>Margaret Doyle</w:delText></w:r></w:del>'
               '<w:r><w:t>, known to services.</w:t></w:r></w:p>')
    upload(review, admin, docx(body(deleted)))
    assert identifying_term_hits(review) == [
        '"Margaret Doyle" appears in the overview report (version 1)']


def test_a_tracked_insertion_splitting_a_word_is_checked(review, admin):
    inserted = ('<w:p><w:r><w:t>Mrs Doy</w:t></w:r><w:ins w:id="1" w:author="Chair">'
                '<w:r><w:t>-</w:t></w:r></w:ins><w:r><w:t>le</w:t></w:r></w:p>')
    upload(review, admin, docx(body(inserted)))
    assert identifying_term_hits(review) == [
        '"Doyle" (a word of "Margaret Doyle") appears in the overview report (version 1)']


def test_runs_split_by_hyphens_and_soft_hyphens_are_joined(make_review, admin):
    review = make_review(identifying_terms=["Anna Smith-Jones"])
    split = ('<w:p><w:r><w:t>Mrs Smith</w:t><w:noBreakHyphen/><w:t>Jo</w:t><w:softHyphen/>'
             '<w:t>nes</w:t></w:r></w:p>')
    upload(review, admin, docx(body(split)))
    assert identifying_term_hits(review) == [
        f'"{word}" (a word of "Anna Smith-Jones") appears in the overview report (version 1)'
        for word in ("Smith", "Jones")]
    [text] = [t for t in docx_reading.docx_texts(docx(body(split))) if "Mrs" in t][:1]
    assert text == "Mrs Smith-Jones"


def test_headers_footers_comments_and_notes_are_checked(review, admin):
    def part(tag: str, text: str) -> str:
        return f"<w:{tag} {W}>{para(text)}</w:{tag}>"

    comments = (f'<w:comments {W}><w:comment w:id="0" w:author="Margaret Doyle" w:initials="MD">'
                f'{para("Check this")}</w:comment></w:comments>')
    upload(review, admin, docx(
        word__header2_xml=part("hdr", "Prepared for the Doyle family"),
        word__footer3_xml=part("ftr", "14 Larkspur Road"),
        word__footnotes_xml=part("footnotes", "As Margaret said."),
        word__comments_xml=comments))
    hits = identifying_term_hits(review)
    assert hits == [
        '"Margaret Doyle" appears in the overview report (version 1)',
        '"14 Larkspur Road" appears in the overview report (version 1)',
    ]
    write(review, admin, "Clean.", kind="executive_summary")
    upload(review, admin, docx(word__header1_xml=part("hdr", "Mrs Doyle")), kind="action_plan")
    assert identifying_term_hits(review)[-1] == (
        '"Doyle" (a word of "Margaret Doyle") appears in the action plan (version 1)')


def test_a_word_document_with_a_part_that_cannot_be_read_is_not_clean(review, admin):
    upload(review, admin, docx(word__embeddings__oleObject1_bin="binary"))
    [hit] = identifying_term_hits(review)
    assert hit.startswith("The overview report (version 1) is an uploaded file that cannot be "
                          "checked")


def test_xml_bombs_and_oversized_parts_are_not_read(review, admin, monkeypatch):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            f'<w:document {W}><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body>'
            '</w:document>')
    assert docx_reading.docx_texts(docx(bomb)) is None
    monkeypatch.setattr(docx_reading, "MAX_PART_BYTES", 1000)
    assert docx_reading.docx_texts(docx(body(para("x" * 2000)))) is None
    assert docx_reading.docx_texts(docx(body(para("x" * 100)))) is not None


def test_the_check_says_what_it_searched(client, make_user, review, admin):
    upload(review, admin, docx(), "final.docx")
    write(review, admin, "Summary.", kind="executive_summary")
    recs.create_recommendation(review, admin, {"number": "3.1", "text": "Ask.",
                                               "level": "local", "agency": "housing"})
    db.session.commit()
    check = anonymisation_check(review)
    assert check.hits == []
    assert check.summary == (
        "Searched for 2 restricted identifying terms and 3 words of them on their own in the "
        "victim pseudonym; the legal basis; the file name of the overview report (version 1); "
        "the overview "
        "report (version 1): its text, headers, footers, notes, comments, tracked changes, "
        "document properties and image descriptions; the executive summary (version 1); the "
        "number and text of recommendation 3.1.")
    sign_in(client, make_user("csp_manager", csps=["Dacorum"]))
    for path in (f"/reviews/{review.id}", f"/reviews/{review.id}/events/publish"):
        page = client.get(path).get_data(as_text=True)
        assert "Passed" in page and "3 words of them on their own" in page, path
