"""dhr: Domestic Homicide Reviews for Community Safety Partnerships.

create_app is the composition root: the one place that knows every area (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from dhr import (
    after_commit,  # noqa: F401 - installs the after-commit session hooks
    read_audit,
    security,
)
from dhr.api import errors as api_errors
from dhr.api.blueprint import bp as api_bp
from dhr.assets import bp as assets_bp
from dhr.auth.views import bp as auth_bp
from dhr.cli import register_commands
from dhr.config import load_config
from dhr.extensions import csrf, db, limiter, login_manager, migrate
from dhr.jobs import celery_init_app
from dhr.reminders import tasks as reminder_tasks  # noqa: F401 - the scheduled scan
from dhr.reminders.rules import rules_from
from dhr.search import sync  # noqa: F401 - queues index updates after each commit
from dhr.web import errors as page_errors
from dhr.web.blueprint import bp as web_bp
from dhr.web.templating import install_template_helpers
from learning import api as learning_api  # noqa: F401 - adds recommendations' routes to the API
from learning import (  # noqa: F401 - learning's routes: repeats, tracker, stats, vocabularies
    import_api,
    import_pages,
    repeats_api,
    repeats_pages,
    search_api,
    stats_api,
    stats_pages,
    themes_pages,
    tracker_api,
    tracker_pages,
    vocabulary_api,
    vocabulary_pages,
)
from learning.public_pages import bp as public_bp
from learning.search_pages import bp as search_bp

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    """An HTTP error no blueprint answered (unknown URLs and methods, a 500, errors raised
    outside the pages' and the API's views): JSON under /api/v1, the error page elsewhere."""
    if api_errors.is_api_path(request.path):
        return api_errors.http_error(exc)
    return page_errors.error_page(exc)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(load_config())
    if test_config:
        celery_overrides = test_config.pop("CELERY", None)
        app.config.from_mapping(test_config)
        if celery_overrides:
            app.config["CELERY"] = {**app.config["CELERY"], **celery_overrides}

    rules_from(app.config["REMINDER_RULES"])  # a bad DHR_REMINDER_RULES stops start-up
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "strong"

    security.install(app)
    read_audit.install(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(public_bp)
    csrf.exempt(api_bp)  # bearer tokens only, never cookies: not exposed to CSRF
    app.register_error_handler(HTTPException, _http_error)
    install_template_helpers(app)
    celery_init_app(app)

    register_commands(app)
    return app
