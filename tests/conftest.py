"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
DHR_TEST_DATABASE_URL is set), users of every role, and an API client with tokens."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from dhr import create_app
from dhr.accounts import create_user
from dhr.auth.passwords import hash_password
from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.reference_data import load_organisation, load_reference_data
from dhr.reviews import create_review

# Fixtures kept in tests/support, offered to every test as these are.
pytest_plugins = ["tests.support.csrf"]


def _isolate_xdist_worker() -> None:
    """Under pytest-xdist every worker gets its own PostgreSQL database (created if missing)
    and its own Redis database number, so workers never empty each other's tables or queues.
    Runs at import, before any test module reads the variables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    number = int(worker[2:])
    base = os.environ.get("DHR_TEST_DATABASE_URL")
    if base:
        url = make_url(base)
        name = f"{url.database}_{worker}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": name})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        os.environ["DHR_TEST_DATABASE_URL"] = url.set(database=name).render_as_string(
            hide_password=False)
    redis_url = os.environ.get("DHR_TEST_REDIS_URL")
    if redis_url:
        head, _, db_number = redis_url.rpartition("/")
        os.environ["DHR_TEST_REDIS_URL"] = f"{head}/{int(db_number or 0) - number}"


_isolate_xdist_worker()
PG_URL = os.environ.get("DHR_TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
ROLES_ALL = ("admin", "coordinator", "csp_manager", "subgroup_member", "chair", "practitioner")


@functools.cache
def password_hash_for_tests() -> str:
    """PASSWORD hashed once (real argon2id): hashing afresh for every user of every test
    would cost a fifth of a second each. Signing in still verifies it for real."""
    return hash_password(PASSWORD)


def _database_url(tmp_path) -> str:
    return PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"


def _reset_postgres(app: Flask) -> None:
    """Empty every table, so no test sees another's rows. The schema is rebuilt only when
    it is not exactly the models' tables (the first test, or after a migration test)."""
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        if tables == set(db.metadata.tables):
            names = ", ".join(f'"{name}"' for name in sorted(tables))
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            db.create_all()
        db.session.commit()


@pytest.fixture
def search_url() -> str:
    """The app's DHR_SEARCH_URL: '' is the embedded Whoosh index. The search contract tests
    override this to run against PostgreSQL full-text search too."""
    return ""


@pytest.fixture
def app(tmp_path, monkeypatch, search_url) -> Iterator[Flask]:
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DHR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        # Two-factor sign-in has its own tests (tests/security/test_two_factor.py), which turn
        # it on.
        "REQUIRE_2FA": False,
        "CELERY": {"task_always_eager": True},
        "SEARCH_URL": search_url,
    })
    if PG_URL:
        _reset_postgres(app)
    with app.app_context():
        if not PG_URL:
            db.create_all()
        load_reference_data("hertfordshire")
        load_organisation("herefordshire")
        db.session.commit()
        yield app
        db.session.remove()
        # Every test has its own app and engine: close its connections now, not when the
        # garbage collector gets to it, or parallel workers run PostgreSQL out of clients.
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask):
    """make_user(role, csps=["Dacorum"], area="Hertfordshire") -> User (password PASSWORD)."""
    counter = {"n": 0}

    def _make(role: str, csps: list[str] | None = None, area: str | None = None,
              email: str | None = None) -> User:
        counter["n"] += 1
        if csps is None and role == "csp_manager":
            csps = ["Dacorum"]
        if area is None and role in {"coordinator", "subgroup_member"} and not csps:
            area = "Hertfordshire"
        user = create_user(email=email or f"{role}{counter['n']}@test.example", role=role,
                           csp_names=csps or [], area_name=area, name=f"Test {role}")
        user.password_hash = password_hash_for_tests()
        if role == "chair":
            db.session.add(PoolMember(name=user.name, email=user.email, user=user))
        db.session.commit()
        return user

    return _make


class Api:
    """A JSON client that signs every request with a user's bearer token."""

    def __init__(self, client: FlaskClient, user: User):
        self.client = client
        self.user = user
        self.token = issue_token(user)
        db.session.commit()

    def _call(self, method: str, path: str, **kwargs: Any):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any):
        return self._call("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any):
        return self._call("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any):
        return self._call("PATCH", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any):
        return self._call("PUT", path, json=json, **kw)


@pytest.fixture
def api_as(client: FlaskClient, make_user):
    """api_as("csp_manager") or api_as(user) -> Api signed as that user."""

    def _as(role_or_user: str | User, **kwargs: Any) -> Api:
        user = role_or_user if isinstance(role_or_user, User) else make_user(role_or_user, **kwargs)
        return Api(client, user)

    return _as


def review_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "csp": "Dacorum",
        "victim_pseudonym": "Adult A",
        "date_of_death": date(2024, 1, 31),
        "notification_date": date(2024, 2, 2),
        "death_type": "intimate_partner_homicide",
        "review_type": "full",
        "deceased_16_plus": 1,
        "children_under_16": 2,
        "agencies": ["police", "housing"],
        "identifying_terms": ["Jane Realname", "12 Orchard Close"],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_review(app: Flask, make_user):
    """make_review(csp="Dacorum", **fields) -> Review in state notified."""
    admin = {}

    def _make(**overrides: Any) -> Review:
        if "user" not in admin:
            admin["user"] = make_user("admin")
        review = create_review(admin["user"], review_fields(**overrides))
        db.session.commit()
        return review

    return _make


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password})
