"""Migrations, tested as SecureDrop tests them: on an empty database `upgrade head` builds
exactly the schema the models describe, and every revision goes down and up again with
data in the database.

Runs against the test database (a fresh SQLite file, or PostgreSQL with its schema dropped
first). When a revision transforms existing rows, add a check of those rows here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from dhr.demo.demo import load_demo
from dhr.extensions import db
from dhr.models import AuditEntry, Csp, Review, User
from dhr.reference_data import load_reference_data
from dhr.sealing import unseal
from dhr.workflow.clocks import STORED_COLUMNS, due_dates
from tests.support.foundation import app_on, empty_database_url


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch) -> Iterator[Flask]:
    """An app on an empty database (no tables at all)."""
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DHR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    app = app_on(empty_database_url(tmp_path))
    with app.app_context():
        assert table_names() == set()
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def revisions(app: Flask) -> list[str]:
    """Revision ids from the first to the head."""
    script = ScriptDirectory(app.extensions["migrate"].directory)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def load_rows() -> dict[str, int]:
    """Reference data plus the demo: users of every role, chairs, reviews in many states."""
    load_reference_data("hertfordshire")
    assert load_demo()
    db.session.commit()
    counts = {name: db.session.scalar(select(func.count()).select_from(model))
              for name, model in (("users", User), ("reviews", Review),
                                  ("audit_entries", AuditEntry))}
    assert all(counts.values()), counts
    return counts


def test_upgrade_head_builds_exactly_the_models_schema(empty_app):
    upgrade(revision="head")
    assert table_names() == {t.name for t in db.metadata.sorted_tables}
    differences = schema_differences()
    assert differences == [], (
        "the migrations and the models differ; generate a revision "
        f"(flask --app dhr db migrate): {differences}"
    )


def test_every_revision_goes_down_and_up_with_data(empty_app):
    chain = revisions(empty_app)
    assert chain, "no migrations found"
    upgrade(revision="head")
    before = load_rows()
    db.session.remove()

    # Down one revision at a time, with the rows in place, to nothing at all.
    for revision in reversed(chain):
        downgrade(revision="-1")
        db.session.remove()
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        position = chain.index(revision)
        assert current == (chain[position - 1] if position else None)
    assert table_names() == set()

    # Up one revision at a time, back to the head, which is again the models' schema ...
    for revision in chain:
        upgrade(revision=revision)
    assert schema_differences() == []
    # ... and takes the same rows again.
    assert load_rows() == before


def test_upgrade_is_a_no_op_at_head(empty_app):
    upgrade(revision="head")
    load_rows()
    upgrade(revision="head")
    assert db.session.scalar(select(func.count()).select_from(Review)) > 0


def test_0004_moves_recommendation_themes_to_rows_and_back(empty_app):
    """Themes stored as JSON lists become ordered rows, and go back to the same lists."""
    upgrade(revision="0001")
    load_reference_data("hertfordshire")
    csp_id = db.session.scalar(select(Csp.id))
    db.session.commit()
    db.session.remove()
    with db.engine.begin() as connection:  # the 0001 columns only: the models have moved on
        review_id = connection.execute(text(
            "INSERT INTO reviews (reference, csp_id, contributing_csps, review_type,"
            " legal_basis, death_type, date_of_death, notification_date, deceased_16_plus,"
            " children_under_16, victim_pseudonym, identifying_terms, agencies, state,"
            " lock_version, is_directed, is_paused, paused_days, is_withheld, resubmissions,"
            " panel_agencies, created_dt, updated_dt) VALUES ('DHR-DACORUM-2019-01', :csp,"
            " '[]', 'full', 's.9', 'intimate_partner_homicide', '2019-03-01', '2019-03-04',"
            " 1, 0, 'Adult A', '[]', '[]', 'notified', 1, false, false, 0, false, 0, '[]',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"), {"csp": csp_id}).scalar_one()
    with db.engine.begin() as connection:
        stored = {"1": ["routine_enquiry", "training_and_awareness"],
                  "2": [], "3": ["information_sharing", "information_sharing"]}
        for number, themes in stored.items():
            connection.execute(text(
                "INSERT INTO recommendations (review_id, number, text, level, agency, themes,"
                " status, lock_version, created_dt, updated_dt) VALUES (:review, :number,"
                " 'That DA Champions are introduced county wide', 'local', 'gp_primary_care',"
                " :themes, 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"review": review_id, "number": number, "themes": json.dumps(themes)})

    upgrade(revision="0004")
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT r.number, t.code, t.position FROM recommendation_themes t"
            " JOIN recommendations r ON r.id = t.recommendation_id"
            " ORDER BY r.number, t.position")).all()
    assert [tuple(row) for row in rows] == [
        ("1", "routine_enquiry", 0), ("1", "training_and_awareness", 1),
        ("3", "information_sharing", 0)]
    assert "themes" not in {c["name"] for c in inspect(db.engine).get_columns("recommendations")}

    downgrade(revision="0001")
    with db.engine.connect() as connection:
        back = dict(connection.execute(text("SELECT number, themes FROM recommendations")).all())
    restored = {number: json.loads(v) if isinstance(v, str) else v for number, v in back.items()}
    assert restored == {"1": ["routine_enquiry", "training_and_awareness"], "2": [],
                        "3": ["information_sharing"]}
    assert "recommendation_themes" not in table_names()


def test_the_stored_due_dates_are_worked_out_for_existing_reviews(empty_app):
    """0003 adds the stored due dates: reviews already there get them by the clock rules."""
    upgrade(revision="head")
    load_rows()
    db.session.remove()
    downgrade(revision="0001")
    upgrade(revision="head")
    reviews = db.session.scalars(select(Review)).all()
    assert reviews
    for review in reviews:
        dues = due_dates(review)
        assert {c: getattr(review, c) for c in STORED_COLUMNS.values()} == {
            c: getattr(dues, name) for name, c in STORED_COLUMNS.items()}, review.reference


def test_0007_gives_existing_tokens_an_expiry_and_keeps_them_read_write(empty_app):
    """Tokens issued before 0007 never expired: they now expire 90 days after the upgrade."""
    upgrade(revision="0005")
    load_rows()
    user_id = db.session.scalar(select(User.id))
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO api_tokens (user_id, digest, label, created_dt) VALUES"
            " (:user, :digest, 'old script', CURRENT_TIMESTAMP)"),
            {"user": user_id, "digest": "a" * 64})
    upgrade(revision="0007")
    with db.engine.connect() as connection:
        expires, read_only = connection.execute(text(
            "SELECT expires_dt, is_read_only FROM api_tokens")).one()
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(expires)
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    assert not read_only


def test_0015_seals_existing_authenticator_secrets_and_back(empty_app):
    """Secrets stored in the clear before 0015 are sealed by it, and opened again going down."""
    upgrade(revision="0008")
    load_rows()
    user_id = db.session.scalar(select(User.id))
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO two_factor_credentials (user_id, secret, created_dt) VALUES"
            " (:user, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', CURRENT_TIMESTAMP)"), {"user": user_id})
    upgrade(revision="0015")
    with db.engine.connect() as connection:
        sealed = connection.scalar(text("SELECT sealed_secret FROM two_factor_credentials"))
    assert "JBSWY3DP" not in sealed
    assert unseal(sealed, empty_app.config) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    downgrade(revision="0008")
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT secret FROM two_factor_credentials")) == (
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
