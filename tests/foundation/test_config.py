"""Settings: defaults that work with nothing set, and a setting that cannot work stops
start-up with a message naming it (never a traceback deep inside a library later)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dhr import create_app
from dhr.config import ConfigError, load_config
from tests.support import PROJECT


def test_nothing_set_gives_a_working_configuration(tmp_path):
    config = load_config({"DHR_DATA_DIR": str(tmp_path / "data")})
    data = tmp_path / "data"
    assert config["DATA_DIR"] == str(data)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{data / 'dhr.sqlite'}"
    assert config["CELERY"]["broker_url"] == "filesystem://"
    assert (data / "broker" / "queue").is_dir()
    assert config["DHR_ORGANISATION"] == "hertfordshire"
    assert config["LOGIN_MAX_FAILURES"] == 5
    assert config["DECISION_DUE_MONTHS"] == 1 and config["COMPLETION_DUE_MONTHS"] == 6
    assert config["TRAINING_VALID_YEARS"] == 3
    assert config["REQUIRE_2FA"] is True  # API.md: DHR_REQUIRE_2FA defaults to true
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SIGN_IN_RATE_LIMIT"] == "20 per minute;100 per hour"


def test_sign_in_settings_are_read(tmp_path):
    config = load_config({"DHR_DATA_DIR": str(tmp_path), "DHR_REQUIRE_2FA": "false",
                          "DHR_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/5",
                          "DHR_SIGN_IN_RATE_LIMIT": "5 per minute",
                          "DHR_LOGIN_DELAY_SECONDS": "10"})
    assert config["REQUIRE_2FA"] is False
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"
    assert config["SIGN_IN_RATE_LIMIT"] == "5 per minute"
    assert config["LOGIN_DELAY_SECONDS"] == 10


def test_settings_are_read(tmp_path):
    config = load_config({
        "DHR_DATA_DIR": str(tmp_path),
        "DHR_DATABASE_URL": "postgresql://dhr:secret@db.example/dhr",
        "DHR_BROKER_URL": "redis://127.0.0.1:6379/3",
        "DHR_SECRET_KEY": "k" * 40,
        "DHR_ORGANISATION": "herefordshire",
        "DHR_LOGIN_MAX_FAILURES": "3",
        "DHR_TRAINING_VALID_YEARS": "5",
        "DHR_REVIEW_LABEL": "Domestic Abuse Related Death Review",
    })
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://dhr:secret@db.example/dhr"
    assert config["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/3"
    assert config["SECRET_KEY"] == "k" * 40
    assert config["DHR_ORGANISATION"] == "herefordshire"
    assert config["LOGIN_MAX_FAILURES"] == 3
    assert config["TRAINING_VALID_YEARS"] == 5
    assert config["REVIEW_LABEL"] == "Domestic Abuse Related Death Review"


def test_the_search_backend_setting(tmp_path):
    def search_url(**env: str) -> str:
        return load_config({"DHR_DATA_DIR": str(tmp_path), **env})["SEARCH_URL"]

    assert search_url() == ""  # the embedded index
    assert search_url(DHR_DATABASE_URL="postgresql://db.example/dhr",
                      DHR_SEARCH_URL="database") == "database"
    assert search_url(DHR_SEARCH_URL="postgresql://s:pw@search.example/dhr") == (
        "postgresql+psycopg://s:pw@search.example/dhr")


def not_writable(tmp_path: Path) -> str:
    """A data folder that cannot be created (works as root too: a file is in the way)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return str(blocker / "data")


# (setting, value, words the message must contain besides the setting's name)
BAD_SETTINGS = [
    ("DHR_DATABASE_URL", "not a url at all", "not a database URL"),
    ("DHR_DATABASE_URL", "mysql://dhr@db.example/dhr", "only sqlite and postgresql"),
    ("DHR_DATABASE_URL", "sqlite:////no/such/folder/dhr.sqlite", "does not exist"),
    ("DHR_BROKER_URL", "amqp://guest@127.0.0.1//", "must be a redis:// URL"),
    ("DHR_BROKER_URL", "redis://127.0.0.1:sixthreesevennine/0", "not usable"),
    ("DHR_BROKER_URL", "redis://127.0.0.1:6379/queue", "must be a number"),
    ("DHR_SECRET_KEY", "too-short", "at least 32 characters"),
    ("DHR_SECRET_KEY", "", "at least 32 characters"),
    ("DHR_DATA_DIR", None, "not a writable folder"),
    ("DHR_ORGANISATION", "narnia", "not a known preset"),
    ("DHR_ORGANISATION", "thesaurus", "not a known preset"),  # a data file, not an area
    ("DHR_ORGANISATION", "vocabularies", "not a known preset"),
    ("DHR_LOGIN_MAX_FAILURES", "five", "not a whole number"),
    ("DHR_LOGIN_MAX_FAILURES", "0", "at least 1"),
    ("DHR_LOGIN_LOCK_MINUTES", "1.5", "not a whole number"),
    ("DHR_SESSION_MINUTES", "-10", "at least 1"),
    ("DHR_DECISION_DUE_MONTHS", str(10**18), "at most 120"),
    ("DHR_AGENCY_REQUEST_DUE_WEEKS", "99999", "at most 520"),
    ("DHR_TRAINING_VALID_YEARS", "1000", "at most 50"),
    ("DHR_LOGIN_LOCK_MINUTES", str(10**12), "at most 10080"),
    ("DHR_SESSION_IDLE_MINUTES", "0", "at least 1"),
    ("DHR_SESSION_IDLE_MINUTES", "half an hour", "not a whole number"),
    ("DHR_SESSION_IDLE_MINUTES", str(10**18), "at most 1440"),
    ("DHR_SESSION_MAX_HOURS", "-1", "at least 1"),
    ("DHR_SESSION_MAX_HOURS", "1e20", "not a whole number"),
    ("DHR_SESSION_MAX_HOURS", "10000", "at most 168"),
    ("DHR_MAX_JSON_BYTES", "1e6", "not a whole number"),
    ("DHR_DECISION_DUE_MONTHS", "one", "not a whole number"),
    ("DHR_COMPLETION_DUE_MONTHS", "six", "not a whole number"),
    ("DHR_AGENCY_REQUEST_DUE_WEEKS", "6w", "not a whole number"),
    ("DHR_TRAINING_VALID_YEARS", "three", "not a whole number"),
    ("DHR_TRAINING_VALID_YEARS", "0", "at least 1"),
    ("DHR_SECURE_COOKIES", "maybe", "must be true or false"),
    ("DHR_SEARCH_URL", "database", "needs DHR_DATABASE_URL to be PostgreSQL"),
    ("DHR_SEARCH_URL", "elasticsearch://127.0.0.1:9200", "must be 'database' or a postgresql"),
    ("DHR_SEARCH_URL", "sqlite:///search.db", "must be 'database' or a postgresql"),
    ("DHR_REQUIRE_2FA", "sometimes", "must be true or false"),
    ("DHR_SIGN_IN_RATE_LIMIT", "lots", "not a rate such as"),
    ("DHR_RATELIMIT_STORAGE_URL", "memcached://127.0.0.1", "must be memory://"),
    ("DHR_LOGIN_DELAY_SECONDS", "0", "at least 1"),
]


@pytest.mark.parametrize(("name", "value", "words"), BAD_SETTINGS,
                         ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_an_unusable_setting_is_named(tmp_path, name, value, words):
    env = {"DHR_DATA_DIR": str(tmp_path)}
    env[name] = not_writable(tmp_path) if value is None else value
    with pytest.raises(ConfigError) as raised:
        load_config(env)
    assert name in str(raised.value)
    assert words in str(raised.value)


def test_messages_never_show_a_password(tmp_path):
    for name, value in [("DHR_DATABASE_URL", "mysql://dhr:hunter2@db.example/dhr"),
                        ("DHR_BROKER_URL", "amqp://guest:hunter2@127.0.0.1//"),
                        ("DHR_BROKER_URL", "redis://:hunter2@127.0.0.1:63x9/0")]:
        with pytest.raises(ConfigError) as raised:
            load_config({"DHR_DATA_DIR": str(tmp_path), name: value})
        assert "hunter2" not in str(raised.value)


def test_create_app_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DHR_ORGANISATION", "narnia")
    with pytest.raises(ConfigError, match="DHR_ORGANISATION"):
        create_app()


def test_the_command_line_says_which_setting_is_wrong(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env.update(DHR_DATA_DIR=str(tmp_path), DHR_SECRET_KEY="short")
    dhr = Path(sys.executable).parent / "dhr"
    result = subprocess.run([str(dhr), "db", "upgrade"], env=env, capture_output=True,
                            text=True, timeout=120, cwd=PROJECT)
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: DHR_SECRET_KEY must be at least 32 characters long"


def test_the_generated_secret_key_is_kept_and_private(tmp_path):
    first = load_config({"DHR_DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config({"DHR_DATA_DIR": str(tmp_path)})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []


def test_a_damaged_secret_key_file_is_reported(tmp_path):
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError, match="secret_key"):
        load_config({"DHR_DATA_DIR": str(tmp_path)})
