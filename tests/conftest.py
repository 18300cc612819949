"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
DHR_TEST_DATABASE_URL is set), users of every role, and an API client with tokens."""

from __future__ import annotations

import contextlib
import functools
import os
import random
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import whoosh.util
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    Table,
    create_engine,
    event,
    exists,
    inspect,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import URL, make_url

from dhr import create_app
from dhr.accounts import create_user
from dhr.auth import passwords
from dhr.auth.passwords import hash_password
from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import PoolMember, Review, User
from dhr.reference_data import load_organisation, load_reference_data
from dhr.reviews import create_review

# Fixtures kept in tests/support, offered to every test as these are.
pytest_plugins = ["tests.support.csrf"]


def _prepare_postgres(base: URL, name: str) -> None:
    """Create the test database `name` if missing (connecting to `base`, which exists), and
    let its commits return before their WAL reaches the disk (synchronous_commit=off: a
    crash may lose the last commits, never corrupt; nothing a test can see changes). Every
    connection gets it, those of the worker and server processes some tests start too."""
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name})
        if not found:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    engine.dispose()


def _isolate_xdist_worker() -> None:
    """Under pytest-xdist every worker gets its own PostgreSQL database (created if missing)
    and its own Redis database number, so workers never empty each other's tables or queues.
    Runs at import, before any test module reads the variables."""
    base = os.environ.get("DHR_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        if base:
            _prepare_postgres(make_url(base), make_url(base).database)
        return
    number = int(worker[2:])
    if base:
        url = make_url(base)
        name = f"{url.database}_{worker}"
        _prepare_postgres(url, name)
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


@pytest.fixture(autouse=True, scope="session")
def cheap_argon2() -> Iterator[None]:
    """Tests hash and verify with argon2id at a low cost (1 pass over 1 MiB, 1 lane) instead
    of the production parameters (3 passes over 64 MiB, 4 lanes: a tenth of a second of CPU
    each, over a second on a busy CI machine, and every sign-in, refusal and recovery code
    pays it). The code paths are the same: every sign-in still verifies a real argon2id hash.
    benchmarks/sign_in_timing.py measures the production cost."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", hasher)
        patch.setattr(passwords, "_DUMMY_HASH", hasher.hash("not a real password"))
        yield


@functools.cache
def password_hash_for_tests() -> str:
    """PASSWORD hashed once (real argon2id, see cheap_argon2) for every user of every test.
    Signing in still verifies it for real."""
    return hash_password(PASSWORD)


def _test_config(database_url: str, search_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        # Two-factor sign-in has its own tests (tests/security/test_two_factor*.py), which
        # turn it on.
        "REQUIRE_2FA": False,
        "CELERY": {"task_always_eager": True},
        "SEARCH_URL": search_url,
    }


def fast_sqlite(connection: Any, _record: Any) -> None:
    """Connect hook: no disk syncs on SQLite commits (a crash would only lose test data;
    nothing a test can see changes). Tests commit thousands of times."""
    connection.execute("PRAGMA synchronous=OFF")


def _seed() -> None:
    """The reference data every test starts with."""
    load_reference_data("hertfordshire")
    load_organisation("herefordshire")
    db.session.commit()


def _filled_tables(tables: list[Table]) -> list[Table]:
    """The tables that hold at least one row, in the order given (one round trip)."""
    probes = union_all(*(select(literal(position)).where(exists().select_from(table))
                         for position, table in enumerate(tables)))
    return [tables[position] for position in sorted(db.session.scalars(probes))]


def _reset_postgres(app: Flask) -> None:
    """Empty every table and restart every id sequence, so no test sees another's rows and
    ids start at 1 as on a new database. DELETE from the few tables a test filled is much
    cheaper than TRUNCATE of all of them (which rewrites and syncs every table's files). The
    schema is rebuilt only when it is not exactly the models' tables (the first test, or
    after a migration test)."""
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        if tables == set(db.metadata.tables):
            children_first = list(reversed(db.metadata.sorted_tables))
            for table in _filled_tables(children_first):
                db.session.execute(table.delete())
            db.session.execute(text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"))
        else:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            db.create_all()
        db.session.commit()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """SQLite only: a database with the schema and the reference data, built once per worker.
    Each test gets a copy of the file (a millisecond) instead of create_all (about a second).
    None on PostgreSQL."""
    if PG_URL:
        return None
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DHR_DATA_DIR", str(folder / "data"))
        patch.delenv("DHR_DATABASE_URL", raising=False)
        patch.delenv("DHR_BROKER_URL", raising=False)
        template = create_app(_test_config(f"sqlite:///{path}", ""))
        with template.app_context():
            db.create_all()
            _seed()
            db.session.remove()
            db.engine.dispose()
    return path


@pytest.fixture
def search_url() -> str:
    """The app's DHR_SEARCH_URL: '' is the embedded Whoosh index. The search contract tests
    override this to run against PostgreSQL full-text search too."""
    return ""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search_url: str,
        sqlite_template: Path | None) -> Iterator[Flask]:
    """An app on a database of its own with the reference data: a copy of the SQLite
    template, or the PostgreSQL test database emptied and seeded again."""
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DHR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    if sqlite_template is not None:
        database = tmp_path / "test.sqlite"
        shutil.copyfile(sqlite_template, database)
    app = create_app(_test_config(PG_URL or f"sqlite:///{database}", search_url))
    if PG_URL:
        _reset_postgres(app)
    with app.app_context():
        if PG_URL:
            _seed()
        else:
            event.listen(db.engine, "connect", fast_sqlite)
        yield app
        db.session.remove()
        # Every test has its own app and engine: close its connections now, not when the
        # garbage collector gets to it, or parallel workers run PostgreSQL out of clients.
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _whoosh_names_from_the_system() -> Iterator[None]:
    """Whoosh names its index files with the global `random`, which hypothesis reseeds
    identically before every example: two examples' segments would get the same name and
    Whoosh would fail. In tests it draws them from the operating system instead."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(whoosh.util, "random", random.SystemRandom())
        yield


@contextlib.contextmanager
def shared_app(tmp: Path) -> Iterator[Flask]:
    """One app and database (reference data loaded, app context pushed) for a whole module,
    where building one per test would take minutes: module-scoped fixtures use it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DHR_DATA_DIR", str(tmp / "data"))
        mp.delenv("DHR_DATABASE_URL", raising=False)
        mp.delenv("DHR_BROKER_URL", raising=False)
        app = create_app({
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp / 'shared.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "REQUIRE_2FA": False,
            "CELERY": {"task_always_eager": True},
        })
        if PG_URL:
            _reset_postgres(app)
        with app.app_context():
            if not PG_URL:
                event.listen(db.engine, "connect", fast_sqlite)
                db.create_all()
            load_reference_data("hertfordshire")
            load_organisation("herefordshire")
            db.session.commit()
            yield app
            db.session.remove()
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
