"""Settings from `DHR_*` environment variables, with defaults that work with nothing set."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

VOCABULARY_FILE = "vocabularies.json"
# The other data file beside the organisation presets: not an organisation.
THESAURUS_FILE = "thesaurus.json"
NOT_PRESETS = frozenset({VOCABULARY_FILE, THESAURUS_FILE})
WEEK_MINUTES = 7 * 24 * 60


class ConfigError(RuntimeError):
    """A setting is present but cannot be used; raised at start-up with the setting named."""


def _int_setting(env: dict[str, str], name: str, default: int, minimum: int = 0,
                 maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={raw!r} must be at most {maximum}")
    return value


def _bool_setting(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} must be true or false")


def _data_dir(env: dict[str, str]) -> Path:
    """The data folder, made private to the service's user.

    It holds unpublished reviews (the SQLite file, uploads, the search index, queued jobs,
    outgoing mail), so the folder is mode 0700 and the process umask 0077: every file the
    service creates in it (SQLite copies the database file's mode to its journals) is
    readable by this user alone."""
    data_dir = Path(env.get("DHR_DATA_DIR") or "instance").resolve()
    os.umask(0o077)
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if data_dir.stat().st_uid == os.getuid():
            data_dir.chmod(0o700)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"DHR_DATA_DIR={str(data_dir)!r} is not a writable folder: {exc}"
        ) from None
    return data_dir


def _secret_key(env: dict[str, str], data_dir: Path) -> str:
    """Use DHR_SECRET_KEY, else a key generated once and kept in the data folder."""
    configured = env.get("DHR_SECRET_KEY")
    if configured is not None:
        if len(configured) < 32:
            raise ConfigError("DHR_SECRET_KEY must be at least 32 characters long")
        return configured
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # Written in full to a private temporary file, then linked into place: readable by the
        # owner only, and when two processes start at once both end up with the same key.
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, key_file)
        finally:
            os.unlink(tmp)
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{key_file} (the generated DHR_SECRET_KEY) is damaged: delete it")
    return key


def _previous_secret_keys(env: dict[str, str]) -> list[str]:
    """DHR_PREVIOUS_SECRET_KEYS: keys replaced by a new DHR_SECRET_KEY, comma-separated, still
    accepted for sessions already signed and for sealed secrets (dhr.sealing)."""
    keys = [key.strip() for key in (env.get("DHR_PREVIOUS_SECRET_KEYS") or "").split(",")
            if key.strip()]
    if any(len(key) < 32 for key in keys):
        raise ConfigError("each of DHR_PREVIOUS_SECRET_KEYS must be at least 32 characters long")
    return keys


def _rate_limit(env: dict[str, str], name: str, default: str) -> str:
    """A Flask-Limiter rate such as "20 per minute;100 per hour", checked at start-up."""
    raw = (env.get(name) or "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a rate such as '20 per minute'") from None
    return raw


def _rate_limit_storage(env: dict[str, str]) -> str:
    """Where the sign-in throttle counts: this process's memory by default (one process);
    Redis when several processes or hosts serve the app, so they share the counts."""
    url = (env.get("DHR_RATELIMIT_STORAGE_URL") or "").strip() or "memory://"
    if not url.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError(f"DHR_RATELIMIT_STORAGE_URL={_redact(url)!r} must be memory:// "
                          "or a redis:// URL")
    return url


def _redact(url: str) -> str:
    """The URL without its password, fit for an error message or a log."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    configured = env.get("DHR_DATABASE_URL")
    url = configured or f"sqlite:///{data_dir / 'dhr.sqlite'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DHR_DATABASE_URL={_redact(url)!r} is not a database URL "
            "(for example postgresql://user@host/dbname)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DHR_DATABASE_URL uses {backend!r}; only sqlite and postgresql work")
    if backend == "sqlite" and configured and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ConfigError(
                f"DHR_DATABASE_URL={_redact(url)!r}: the folder {str(folder)!r} does not exist"
            )
    if backend == "postgresql" and parsed.drivername in {"postgresql", "postgres"}:
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def search_backend_url(env: dict[str, str], database_url: str) -> str:
    """'' for the embedded Whoosh index; 'database' or a PostgreSQL URL for full-text search
    in PostgreSQL (API.md: DHR_SEARCH_URL)."""
    raw = (env.get("DHR_SEARCH_URL") or "").strip()
    if not raw:
        return ""
    if raw == "database":
        if make_url(database_url).get_backend_name() != "postgresql":
            raise ConfigError("DHR_SEARCH_URL=database needs DHR_DATABASE_URL to be PostgreSQL "
                              "(search in SQLite uses the embedded index: leave it unset)")
        return raw
    try:
        parsed = make_url(raw)
    except ArgumentError:
        parsed = None
    if parsed is None or parsed.get_backend_name() != "postgresql":
        raise ConfigError(f"DHR_SEARCH_URL={_redact(raw)!r} must be 'database' or a "
                          "postgresql:// URL (unset: the embedded index)")
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _broker(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    """Redis when DHR_BROKER_URL is set; otherwise a broker made of folders under the data dir."""
    url = env.get("DHR_BROKER_URL")
    if url:
        if not url.startswith(("redis://", "rediss://")):
            raise ConfigError(f"DHR_BROKER_URL={_redact(url)!r} must be a redis:// URL")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
            database = parts.path.strip("/")
        except ValueError as exc:
            raise ConfigError(f"DHR_BROKER_URL={_redact(url)!r} is not usable: {exc}") from None
        if database and not database.isdigit():
            raise ConfigError(
                f"DHR_BROKER_URL={_redact(url)!r}: the Redis database must be a number"
            )
        # Sending a job tries the broker once more after a short pause, then gives up (the job
        # is held in the database, dhr.jobs.hold): kombu's default waits seconds, and a page
        # would wait with it while Redis is down.
        return {"broker_url": url, "broker_transport_options": {
            "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}}
    try:
        queue_dir = data_dir / "broker"
        for sub in ("queue", "processed", "control"):
            (queue_dir / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"DHR_DATA_DIR: cannot make the job queue folders: {exc}") from None
    return {
        "broker_url": "filesystem://",
        # kombu's filesystem transport, writing each message whole (dhr.job_queue_files)
        "broker_transport": "dhr.job_queue_files:Transport",
        "broker_transport_options": {
            "data_folder_in": str(queue_dir / "queue"),
            "data_folder_out": str(queue_dir / "queue"),
            "processed_folder": str(queue_dir / "processed"),
            "control_folder": str(queue_dir / "control"),
            "store_processed": False,
        },
    }


def _smtp_url(env: dict[str, str]) -> str | None:
    """DHR_SMTP_URL: smtp://[user:pass@]host[:port] or smtps:// (TLS); None writes .eml files."""
    url = env.get("DHR_SMTP_URL") or None
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"DHR_SMTP_URL={_redact(url)!r} is not usable: {exc}") from None
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ConfigError(f"DHR_SMTP_URL={_redact(url)!r} must be smtp://host[:port] or "
                          "smtps://host[:port]")
    return url


def _json_setting(env: dict[str, str], name: str) -> dict[str, Any]:
    """A JSON object given inline or as the path of a file holding one (empty: {})."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return {}
    if not raw.startswith("{"):
        try:
            raw = Path(raw).read_text()
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read {raw!r}: {exc}") from None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object")
    return value


def available_presets() -> list[str]:
    """Names of the organisation presets shipped with the application."""
    names = [
        entry.name.removesuffix(".json")
        for entry in resources.files("dhr.reference").iterdir()
        if entry.name.endswith(".json") and entry.name not in NOT_PRESETS
    ]
    return sorted(names)


def load_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping; raise ConfigError naming any unusable setting."""
    env = dict(os.environ if env is None else env)
    data_dir = _data_dir(env)
    broker = _broker(env, data_dir)
    organisation = env.get("DHR_ORGANISATION") or "hertfordshire"
    if organisation not in available_presets():
        raise ConfigError(
            f"DHR_ORGANISATION={organisation!r} is not a known preset "
            f"(choose from {', '.join(available_presets())})"
        )
    database_url = _database_url(env, data_dir)
    return {
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": _secret_key(env, data_dir),
        "SECRET_KEY_FALLBACKS": _previous_secret_keys(env),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_URL": search_backend_url(env, database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DHR_ORGANISATION": organisation,
        "REVIEW_LABEL": env.get("DHR_REVIEW_LABEL") or "Domestic Homicide Review",
        "SESSION_COOKIE_SECURE": _bool_setting(env, "DHR_SECURE_COOKIES", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool_setting(env, "DHR_SECURE_COOKIES", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": _int_setting(env, "DHR_SESSION_MINUTES", 60, 1,
                                                   WEEK_MINUTES) * 60,
        "SESSION_IDLE_MINUTES": _int_setting(env, "DHR_SESSION_IDLE_MINUTES", 30, 1,
                                             24 * 60),
        "SESSION_MAX_HOURS": _int_setting(env, "DHR_SESSION_MAX_HOURS", 12, 1, 7 * 24),
        "MAX_CONTENT_LENGTH": _int_setting(env, "DHR_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, 1024),
        "MAX_JSON_BYTES": _int_setting(env, "DHR_MAX_JSON_BYTES", 512 * 1024, 1024),
        "LOGIN_MAX_FAILURES": _int_setting(env, "DHR_LOGIN_MAX_FAILURES", 5, 1, 1000),
        # The longest wait an account is made to keep between attempts (see auth.passwords).
        "LOGIN_LOCK_MINUTES": _int_setting(env, "DHR_LOGIN_LOCK_MINUTES", 15, 1, WEEK_MINUTES),
        "LOGIN_DELAY_SECONDS": _int_setting(env, "DHR_LOGIN_DELAY_SECONDS", 30, 1, 3600),
        "SIGN_IN_RATE_LIMIT": _rate_limit(env, "DHR_SIGN_IN_RATE_LIMIT",
                                          "20 per minute;100 per hour"),
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(env),
        "RATELIMIT_HEADERS_ENABLED": False,
        "REQUIRE_2FA": _bool_setting(env, "DHR_REQUIRE_2FA", True),
        # Published learning readable and searchable without signing in (/learning/public/).
        "PUBLIC_LEARNING": _bool_setting(env, "DHR_PUBLIC_LEARNING", False),
        "PUBLIC_SEARCH_RATE_LIMIT": _rate_limit(env, "DHR_PUBLIC_SEARCH_RATE_LIMIT",
                                                "30 per minute;500 per hour"),
        "DECISION_DUE_MONTHS": _int_setting(env, "DHR_DECISION_DUE_MONTHS", 1, 0, 120),
        "COMPLETION_DUE_MONTHS": _int_setting(env, "DHR_COMPLETION_DUE_MONTHS", 6, 0, 120),
        "AGENCY_REQUEST_DUE_WEEKS": _int_setting(env, "DHR_AGENCY_REQUEST_DUE_WEEKS", 6, 0,
                                                 520),
        "API_TOKEN_DAYS": _int_setting(env, "DHR_API_TOKEN_DAYS", 90, 1, 3650),
        "TRAINING_VALID_YEARS": _int_setting(env, "DHR_TRAINING_VALID_YEARS", 3, 1, 50),
        "SMTP_URL": _smtp_url(env),
        "MAIL_FROM": env.get("DHR_MAIL_FROM") or "dhr@localhost",
        "BASE_URL": (env.get("DHR_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Per-deployment changes to the reminder rules (dhr.reminders.rules), checked at start.
        "REMINDER_RULES": _json_setting(env, "DHR_REMINDER_RULES"),
        "RETENTION_YEARS": _int_setting(env, "DHR_RETENTION_YEARS", 20, 1, 200),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "CELERY": {
            **broker,
            "task_ignore_result": True,
            "task_always_eager": False,
            # Deployments (or test runs) sharing one Redis keep apart with their own queue.
            "task_default_queue": env.get("DHR_JOB_QUEUE") or "celery",
            "broker_connection_retry_on_startup": True,
            "worker_hijack_root_logger": False,
            "beat_schedule": {
                "heartbeat": {"task": "dhr.jobs.heartbeat", "schedule": 60.0},
                "reminders": {"task": "dhr.reminders.tasks.run", "schedule": float(
                    _int_setting(env, "DHR_REMINDERS_EVERY_SECONDS", 300, 1, 24 * 60 * 60))},
                "release-held-jobs": {"task": "dhr.jobs.release_held", "schedule": 60.0},
            },
        },
    }
