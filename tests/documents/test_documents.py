"""Documents of a review: versions, sanitised rendering, who may read and write, via the API."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from dhr.errors import NotPermitted, ReadOnly
from dhr.extensions import db
from dhr.models import AuditEntry, DocumentVersion, PoolMember, Review, User
from dhr.workflow import documents

OVERVIEW = "# Overview\n\nAdult A lived in Dacorum. Agencies **missed** chances to ask."


def set_state(review, state, **fields):
    review.state = state
    for name, value in fields.items():
        setattr(review, name, value)
    db.session.commit()


def appoint(review, chair_user, role="chair"):
    member = db.session.scalar(select(PoolMember).where(PoolMember.user_id == chair_user.id))
    setattr(review, role, member)
    db.session.commit()


def version_count() -> int:
    return db.session.scalar(select(func.count(DocumentVersion.id)))


def test_each_put_makes_a_new_version_and_get_lists_them(api_as, make_review):
    review = make_review()
    api = api_as("csp_manager", csps=["Dacorum"])
    first = api.put(f"/reviews/{review.id}/documents/overview_report",
                    {"format": "markdown", "body": "Draft one"})
    assert first.status_code == 201, first.json
    assert first.json["version"] == 1
    second = api.put(f"/reviews/{review.id}/documents/overview_report",
                     {"format": "markdown", "body": OVERVIEW})
    assert second.status_code == 200
    assert second.json["version"] == 2

    body = api.get(f"/reviews/{review.id}/documents/overview_report").json
    assert body["kind"] == "overview_report"
    assert body["version"] == 2
    assert body["format"] == "markdown"
    assert body["body"] == OVERVIEW
    assert "<strong>missed</strong>" in body["html"]
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert documents.latest(review, "overview_report").body == OVERVIEW
    assert documents.latest(review, "executive_summary") is None
    # nothing was overwritten
    assert [v.body for v in documents.versions(review, "overview_report")] == [OVERVIEW,
                                                                              "Draft one"]


def test_every_save_is_audited_without_copying_the_text(api_as, make_review):
    review = make_review()
    api_as("admin").put(f"/reviews/{review.id}/documents/executive_summary",
                        {"format": "markdown", "body": "Jane Realname was failed."})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "document.saved"))
    assert entry.review_id == review.id
    assert entry.data["kind"] == "executive_summary" and entry.data["version"] == 1
    assert "Jane Realname" not in str(entry.data)


def test_saving_from_an_old_version_is_refused_so_no_edit_is_buried(api_as, make_review):
    review = make_review()
    api = api_as("csp_manager", csps=["Dacorum"])
    url = f"/reviews/{review.id}/documents/action_plan"
    assert api.put(url, {"format": "markdown", "body": "v1", "base_version": 0}).status_code == 201
    assert api.put(url, {"format": "markdown", "body": "v2", "base_version": 1}).status_code == 200
    stale = api.put(url, {"format": "markdown", "body": "my edit of v1", "base_version": 1})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "conflict"
    assert documents.latest(review, "action_plan").body == "v2"
    assert version_count() == 2


@pytest.mark.parametrize("body", [
    {"format": "markdown", "body": ""},
    {"format": "markdown", "body": "   \n "},
    {"format": "file", "body": "x"},
    {"format": "markdown"},
    {"format": "markdown", "body": 42},
    {"format": "markdown", "body": "x", "extra": 1},
])
def test_bad_bodies_are_400_and_save_nothing(api_as, make_review, body):
    review = make_review()
    response = api_as("admin").put(f"/reviews/{review.id}/documents/overview_report", body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert version_count() == 0


def test_unknown_kind_and_unwritten_document_are_404(api_as, make_review):
    review = make_review()
    api = api_as("admin")
    assert api.get(f"/reviews/{review.id}/documents/diary").status_code == 404
    assert api.put(f"/reviews/{review.id}/documents/diary",
                   {"format": "markdown", "body": "x"}).status_code == 404
    assert api.get(f"/reviews/{review.id}/documents/overview_report").status_code == 404


class Elements(HTMLParser):
    """The real elements and attributes of an HTML fragment (escaped text is not markup)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag not in {"script", "iframe", "img", "style", "object", "embed", "form"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name == "href":
                assert value.startswith(("https:", "http:", "mailto:")), value


DANGEROUS = [
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://e.example" onclick="steal()">x</a>',
    '<img src=x onerror="steal()">',
    "<iframe src='https://evil.example'></iframe>",
    '<div style="background:url(x)">x</div>',
    "![tracker](https://evil.example/pixel.png)",
]


@pytest.mark.parametrize("dangerous", DANGEROUS)
def test_rendered_markdown_contains_nothing_that_could_run(dangerous):
    html = documents.render_markdown(f"Before\n\n{dangerous}\n\nAfter")
    assert_harmless(html)
    assert "Before" in html and "After" in html


@pytest.mark.parametrize("dangerous, removed", [
    ("<p>ok</p><script>alert('x')</script>", "alert"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="https://e.example" onclick="steal()">x</a>', "steal"),
    ('<p onmouseover="steal()">x</p>', "steal"),
    ('<img src=x onerror="steal()">', "steal"),
    ('<p style="background:url(x)">x</p>', "background"),
])
def test_the_sanitiser_strips_script_even_if_the_parser_let_it_through(dangerous, removed):
    html = documents.sanitise_html(dangerous)
    assert_harmless(html)
    assert removed not in html


def test_raw_html_is_shown_as_text_not_markup():
    html = documents.render_markdown("<b>bold?</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


def test_links_get_noopener_noreferrer_and_formatting_survives():
    html = documents.render_markdown(
        "# Findings\n\n* one\n* two\n\n[Home Office guidance](https://www.gov.uk/dhr)\n\n"
        "| Agency | Contacts |\n|---|---|\n| Police | 3 |\n"
    )
    assert 'href="https://www.gov.uk/dhr"' in html
    assert 'rel="noopener noreferrer"' in html
    assert '<h2 class="govuk-heading-m">Findings</h2>' in html  # one level down: under the h1
    assert "<li>one</li>" in html
    assert '<td class="govuk-table__cell">Police</td>' in html


def test_the_appointed_chair_writes_reports_but_not_home_office_letters(
        api_as, make_review, make_user):
    review = make_review()
    chair = make_user("chair")
    appoint(review, chair)
    api = api_as(chair)
    ok = api.put(f"/reviews/{review.id}/documents/overview_report",
                 {"format": "markdown", "body": OVERVIEW})
    assert ok.status_code == 201
    letter = api.put(f"/reviews/{review.id}/documents/ho_letter",
                     {"format": "markdown", "body": "Dear CSP"})
    assert letter.status_code == 403
    # the report writer also writes the reports
    writer = make_user("chair")
    appoint(review, writer, role="report_writer")
    assert api_as(writer).put(f"/reviews/{review.id}/documents/executive_summary",
                              {"format": "markdown", "body": "Summary"}).status_code == 201


def test_roles_that_may_not_write_are_refused(api_as, make_review, make_user):
    review = make_review()
    url = f"/reviews/{review.id}/documents/overview_report"
    body = {"format": "markdown", "body": "text"}
    # can see the review, may not write: 403
    assert api_as("subgroup_member").put(url, body).status_code == 403
    # cannot see the review at all: 404, never revealing it exists
    assert api_as("csp_manager", csps=["Watford"]).put(url, body).status_code == 404
    assert api_as("chair").put(url, body).status_code == 404  # a chair not appointed to it
    assert api_as("practitioner").put(url, body).status_code == 404
    assert api_as("coordinator", area="Herefordshire").put(url, body).status_code == 404
    assert version_count() == 0


def test_subgroup_member_reads_drafts_practitioner_does_not(api_as, make_review):
    review = make_review()
    api_as("admin").put(f"/reviews/{review.id}/documents/executive_summary",
                        {"format": "markdown", "body": "Draft summary"})
    assert api_as("subgroup_member").get(
        f"/reviews/{review.id}/documents/executive_summary").status_code == 200
    assert api_as("practitioner").get(
        f"/reviews/{review.id}/documents/executive_summary").status_code == 404


def test_after_publication_practitioners_read_the_reports_only(api_as, make_review):
    review = make_review()
    admin = api_as("admin")
    for kind, text in [("executive_summary", "Draft"), ("executive_summary", "Final summary"),
                       ("overview_report", OVERVIEW), ("action_plan", "Plan"),
                       ("ho_letter", "Letter"), ("terms_of_reference", "ToR")]:
        admin.put(f"/reviews/{review.id}/documents/{kind}", {"format": "markdown", "body": text})
    set_state(review, "published")
    practitioner = api_as("practitioner")
    summary = practitioner.get(f"/reviews/{review.id}/documents/executive_summary")
    assert summary.status_code == 200
    assert summary.json["body"] == "Final summary"
    assert [v["version"] for v in summary.json["versions"]] == [2]  # no drafts
    assert summary.json["author"] is None
    assert practitioner.get(f"/reviews/{review.id}/documents/overview_report").status_code == 200
    for kind in ("ho_letter", "terms_of_reference", "action_plan"):
        assert practitioner.get(f"/reviews/{review.id}/documents/{kind}").status_code == 404
    # a practitioner may read, never write: 403 because they may know the report exists
    assert practitioner.put(f"/reviews/{review.id}/documents/executive_summary",
                            {"format": "markdown", "body": "x"}).status_code == 403


def test_withheld_reports_stay_hidden_from_practitioners(api_as, make_review):
    review = make_review()
    api_as("admin").put(f"/reviews/{review.id}/documents/executive_summary",
                        {"format": "markdown", "body": "Summary"})
    set_state(review, "published", is_withheld=True)
    assert api_as("practitioner").get(
        f"/reviews/{review.id}/documents/executive_summary").status_code == 404


def test_published_reports_can_no_longer_change(api_as, make_review):
    review = make_review()
    api = api_as("admin")
    api.put(f"/reviews/{review.id}/documents/overview_report",
            {"format": "markdown", "body": "Published text"})
    set_state(review, "published")
    refused = api.put(f"/reviews/{review.id}/documents/overview_report",
                      {"format": "markdown", "body": "Rewritten after publication"})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "read_only"
    assert documents.latest(review, "overview_report").body == "Published text"


def test_withdrawn_review_refuses_every_document(make_review, make_user):
    review = make_review()
    set_state(review, "withdrawn")
    admin = make_user("admin")
    with pytest.raises(ReadOnly):
        documents.save_markdown(review, "ho_letter", "Letter", admin)


def test_operation_checks_permission_itself(make_review, make_user):
    review = make_review()
    with pytest.raises(NotPermitted):
        documents.save_markdown(review, "overview_report", "x", make_user("subgroup_member"))
    assert version_count() == 0


def test_the_openapi_document_lists_the_document_routes(api_as):
    spec = api_as("admin").get("/openapi.json").json
    ops = spec["paths"]["/api/v1/reviews/{review_id}/documents/{kind}"]
    assert set(ops) == {"get", "put"}
    types = {p["name"]: p["schema"]["type"] for p in ops["get"]["parameters"]}
    assert types == {"review_id": "integer", "kind": "string"}


def test_two_saves_at_the_same_moment_get_different_versions(app, make_review, make_user,
                                                             monkeypatch):
    """Two real threads save the same document at once: both versions are kept, numbered 2
    and 3, because the number is claimed with one UPDATE on the document row."""
    review = make_review()
    admin = make_user("admin")
    documents.save_markdown(review, "overview_report", "v1", admin)
    db.session.commit()
    review_id, admin_id = review.id, admin.id
    db.session.close()
    both_ready = threading.Barrier(2, timeout=20)
    find_document = documents._document_for

    def find_then_wait(review, kind):
        found = find_document(review, kind)
        both_ready.wait()
        return found

    monkeypatch.setattr(documents, "_document_for", find_then_wait)
    errors = []

    def writer(text):
        try:
            with app.app_context():
                documents.save_markdown(db.session.get(Review, review_id), "overview_report",
                                        text, db.session.get(User, admin_id))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(text,)) for text in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    saved = documents.versions(db.session.merge(review), "overview_report")
    assert [v.version for v in saved] == [3, 2, 1]
    assert {v.body for v in saved[:2]} == {"A", "B"}
