"""Helpers for the foundation tests: the people whose access is tested, reviews put in the
states those tests need, and a snapshot of every table's row count to prove that a refused
request wrote nothing.

Putting a review in a state writes its columns directly: that is test set-up, not a
transition (the lifecycle tests exercise the transitions).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, text

from dhr import create_app
from dhr.audit import READ_ACTIONS
from dhr.extensions import db
from dhr.models import AuditEntry, PoolMember, Review, User

PG_URL = os.environ.get("DHR_TEST_DATABASE_URL")

# Who is asking, relative to a Dacorum (Hertfordshire) review.
PERSONAS: dict[str, tuple[str, dict]] = {
    "admin": ("admin", {}),
    "herts_coordinator": ("coordinator", {"area": "Hertfordshire"}),
    "hereford_coordinator": ("coordinator", {"area": "Herefordshire"}),
    "dacorum_manager": ("csp_manager", {"csps": ["Dacorum"]}),
    "watford_manager": ("csp_manager", {"csps": ["Watford"]}),
    "herts_subgroup": ("subgroup_member", {"area": "Hertfordshire"}),
    "hereford_subgroup": ("subgroup_member", {"area": "Herefordshire"}),
    "appointed_chair": ("chair", {}),
    "other_chair": ("chair", {}),
    "practitioner": ("practitioner", {}),
}


def persona(make_user: Callable[..., User], name: str, review: Review | None = None) -> User:
    """Create the user called `name` in PERSONAS; the appointed chair chairs `review`."""
    role, kwargs = PERSONAS[name]
    user = make_user(role, **kwargs)
    if name == "appointed_chair" and review is not None:
        review.chair = db.session.scalars(
            select(PoolMember).where(PoolMember.user_id == user.id)
        ).one()
        db.session.commit()
    return user


def publish(review: Review, *, withheld: bool = False) -> Review:
    """Put the review straight into `published` (set-up, not a transition)."""
    review.state = "published"
    review.is_withheld = withheld
    review.decision_date = review.notification_date
    review.submitted_date = review.notification_date
    review.published_date = date(2025, 3, 1)
    review.published_url = "https://www.dacorum.gov.uk/dhr/adult-a"
    db.session.commit()
    return review


def row_counts() -> dict[str, int]:
    """Rows in every table: compare before and after to show nothing was written. Audit
    entries of reading (and of refusals) are left out: a refused request records who was
    refused, and that is not a change (tests/security/test_audit_reading.py covers them). Nor
    are kept drafts: a post that arrives after its session ended keeps what was typed, to give
    it back after sign-in (tests/foundation/test_error_pages.py covers them)."""
    db.session.expire_all()
    present = set(inspect(db.engine).get_table_names())
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table).where(
            *([AuditEntry.action.not_in(READ_ACTIONS)] if table.name == "audit_entries"
              else [])))
        for table in db.metadata.sorted_tables if table.name in present
        and table.name != "form_drafts"
    }
    db.session.rollback()
    return counts


def error_summary(html: str) -> list[str]:
    """The messages in the page's GOV.UK error summary (empty if there is none)."""
    found = re.search(r'class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not found:
        return []
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def empty_database_url(tmp_path: Path) -> str:
    """The test database (PostgreSQL when DHR_TEST_DATABASE_URL is set, else a new SQLite
    file), with no tables at all: PostgreSQL's schema is dropped first."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


def app_on(url: str, **config: Any) -> Flask:
    """A test app (jobs run eagerly) on the database at `url`, with no tables made for it."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False,
                       "REQUIRE_2FA": False, "CELERY": {"task_always_eager": True},
                       **config})
