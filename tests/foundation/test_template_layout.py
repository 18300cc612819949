"""Templates live in one folder per area of the product, and each one is in use.

File reading only: every template under templates/ is placed in a known area folder (nothing
at the root), every template is named by some Python module or another template, and every
template name written in the code or the templates exists (a stale name after a move is a
500 on the page that renders it).
"""

from __future__ import annotations

import re

from tests.support import PROJECT

ROOT = PROJECT
TEMPLATES = ROOT / "templates"
CODE = ("dhr", "learning")

# Area folder -> what it holds. A new area is a decision: add it here and to the README.
AREAS: dict[str, str] = {
    "layout": "the page frame, error page and the macros every page uses",
    "reviews": "review list, home, a review's page, its events, identifying terms",
    "documents": "a review's documents, their versions and the published view",
    "agency_requests": "agency requests (IMRs, chronologies, short reports) and contacts",
    "pool": "the chair pool, candidates and invitations",
    "learning": "recommendations, tracker, themes, repeats, statistics, search, "
                "vocabularies, imports",
    "auth": "sign-in, two-factor, the account, API tokens, notification settings",
    "admin": "users and the audit log",
    "notifications": "the signed-in person's notifications",
}

# A quoted template name: "reviews/review.html", 'layout/_forms.html'.
TEMPLATE_NAME = re.compile(r"""["']([\w/]+\.html)["']""")


def template_names() -> set[str]:
    return {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")}


def references() -> dict[str, set[str]]:
    """Template name -> the files (relative to the project) that name it."""
    sources = [path for package in CODE for path in (ROOT / package).rglob("*.py")]
    sources += sorted(TEMPLATES.rglob("*.html"))
    found: dict[str, set[str]] = {}
    for path in sources:
        for name in TEMPLATE_NAME.findall(path.read_text("utf-8")):
            found.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_template_is_in_an_area_folder() -> None:
    misplaced = sorted(name for name in template_names()
                       if "/" not in name or name.split("/")[0] not in AREAS)
    assert misplaced == [], (
        f"templates outside the area folders ({', '.join(AREAS)}): {misplaced}")


def test_every_template_is_used() -> None:
    named = references()
    unused = sorted(name for name in template_names()
                    if not named.get(name, set()) - {f"templates/{name}"})
    assert unused == [], f"templates nothing renders, includes, imports or extends: {unused}"


def test_every_named_template_exists() -> None:
    existing = template_names()
    missing = sorted(f"{name} (in {', '.join(sorted(files))})"
                     for name, files in references().items() if name not in existing)
    assert missing == [], f"template names with no template: {missing}"
