"""The `dhr` command line: schema and reference data, users, tokens, demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from dhr.extensions import db
from dhr.models import Area, Csp, User, VocabularyTerm
from dhr.reference_data import _read
from tests.conftest import PASSWORD, sign_in
from tests.support import PROJECT
from tests.support.foundation import app_on, empty_database_url, row_counts

HERTS_CSPS = ["Broxbourne", "Dacorum", "East Herts", "Hertsmere", "North Herts", "St Albans",
              "Stevenage", "Three Rivers", "Watford", "Welwyn Hatfield"]
DHR = Path(sys.executable).parent / "dhr"


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch) -> Iterator[Flask]:
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DHR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    app = app_on(empty_database_url(tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def run(app: Flask, *args: str, stdin: str | None = None):
    result = app.test_cli_runner().invoke(args=list(args), input=stdin)
    db.session.remove()  # see what the command committed, not a cached view
    return result


def vocabulary_sizes() -> dict[str, int]:
    rows = db.session.execute(
        select(VocabularyTerm.vocabulary, func.count()).group_by(VocabularyTerm.vocabulary))
    return dict(rows.all())


def test_db_upgrade_loads_the_reference_data_once(empty_app):
    result = run(empty_app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    assert db.session.scalars(select(Csp.name).order_by(Csp.name)).all() == HERTS_CSPS
    assert db.session.scalars(select(Area.name)).all() == ["Hertfordshire"]
    expected = {name: len(terms) for name, terms in _read("vocabularies.json").items()}
    assert vocabulary_sizes() == expected
    assert expected["agency"] == 25  # DOMAIN.md section 6
    assert (Path(empty_app.config["DATA_DIR"]) / "search-index").is_dir()

    before = row_counts()
    again = run(empty_app, "db", "upgrade")
    assert again.exit_code == 0, again.output
    assert row_counts() == before


def test_db_upgrade_loads_the_configured_organisation(tmp_path, monkeypatch):
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    app = app_on(empty_database_url(tmp_path), DHR_ORGANISATION="herefordshire")
    with app.app_context():
        try:
            assert run(app, "db", "upgrade").exit_code == 0
            assert db.session.scalars(select(Csp.name)).all() == ["Herefordshire"]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_user_create(app, client):
    result = run(app, "user", "create", "Dan.Price@Herts.example", "--role", "csp_manager",
                 "--csp", "Dacorum", "--csp", "three rivers", "--name", "Dan Price",
                 "--password-stdin", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created csp_manager dan.price@herts.example"
    user = db.session.scalars(select(User)).one()
    assert (user.role, user.name, user.area.name) == ("csp_manager", "Dan Price",
                                                      "Hertfordshire")
    assert [c.name for c in user.csps] == ["Dacorum", "Three Rivers"]
    assert PASSWORD not in (user.password_hash or "")
    assert sign_in(client, user).status_code == 302  # the password from stdin works


def test_a_user_without_a_password_cannot_sign_in_until_given_one(app, client):
    assert run(app, "user", "create", "sub@herts.example", "--role", "subgroup_member",
               "--area", "Hertfordshire").exit_code == 0
    user = db.session.scalars(select(User)).one()
    assert user.password_hash is None and user.area.name == "Hertfordshire"
    assert sign_in(client, user).status_code == 400


@pytest.mark.parametrize(("args", "stdin", "message", "code"), [
    (["x@test.example", "--role", "superuser"], None, "Invalid value for '--role'", 2),
    (["x@test.example"], None, "Missing option '--role'", 2),
    (["x@test.example", "--role", "csp_manager", "--csp", "Narnia"], None,
     "unknown CSP 'Narnia'", 1),
    (["x@test.example", "--role", "csp_manager"], None, "a csp_manager needs at least one --csp",
     1),
    (["x@test.example", "--role", "coordinator"], None, "needs --area", 1),  # two areas
    (["x@test.example", "--role", "coordinator", "--area", "Narnia"], None,
     "unknown area 'Narnia'", 1),
    (["not-an-email", "--role", "admin"], None, "is not an email address", 1),
    (["x@test.example", "--role", "admin", "--password-stdin"], "short\n",
     "password must be at least 12 characters", 1),
])
def test_user_create_refuses_with_a_clear_message(app, args, stdin, message, code):
    before = row_counts()
    result = run(app, "user", "create", *args, stdin=stdin)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert row_counts() == before


def test_user_create_refuses_a_second_account_with_the_same_email(app):
    assert run(app, "user", "create", "a@test.example", "--role", "admin").exit_code == 0
    before = row_counts()
    result = run(app, "user", "create", "A@TEST.example", "--role", "practitioner")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert row_counts() == before


def test_token_create_prints_a_token_that_works(app, client, make_user):
    email = make_user("coordinator").email
    result = run(app, "token", "create", email.upper(), "--label", "reporting script")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("dhr_") and len(token) > 40
    response = client.get("/api/v1/csps", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert len(response.json["items"]) == 10  # a Hertfordshire coordinator's CSPs
    second = run(app, "token", "create", email).output.strip()
    assert second != token


def test_token_create_for_an_unknown_user(app):
    before = row_counts()
    result = run(app, "token", "create", "nobody@test.example")
    assert result.exit_code == 1
    assert "no user with email nobody@test.example" in result.output
    assert row_counts() == before


def test_demo_loads_once(app, client):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    coordinator = db.session.scalars(
        select(User).where(User.email == "coordinator@herts.example")).one()
    assert sign_in(client, coordinator, password="demo-password-2026").status_code == 302
    assert "DHR-DACORUM-" in client.get("/reviews").get_data(as_text=True)
    loaded = row_counts()
    assert loaded["reviews"] >= 20 and loaded["users"] >= 10

    again = run(app, "demo")
    assert again.exit_code == 0  # ./scripts/serve runs it on every start
    assert "already loaded" in again.output
    assert row_counts() == loaded


def test_the_console_script_end_to_end(tmp_path):
    """The installed `dhr` command, as an operator runs it on a new machine."""
    url = empty_database_url(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env.update(DHR_DATA_DIR=str(tmp_path / "data"), DHR_DATABASE_URL=url)

    def dhr(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(DHR), *args], env=env, input=stdin, capture_output=True,
                              text=True, timeout=120, cwd=PROJECT)

    assert dhr("db", "upgrade").returncode == 0
    created = dhr("user", "create", "admin@test.example", "--role", "admin", "--password-stdin",
                  stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    token = dhr("token", "create", "admin@test.example").stdout.strip()
    refused = dhr("user", "create", "y@test.example", "--role", "csp_manager", "--csp", "Narnia")
    assert refused.returncode == 1
    assert "unknown CSP 'Narnia'" in refused.stderr

    app = app_on(url)
    try:
        response = app.test_client().get("/api/v1/csps",
                                         headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert [c["name"] for c in response.json["items"]] == HERTS_CSPS
    finally:
        with app.app_context():
            db.engine.dispose()
