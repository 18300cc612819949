"""The web pages' one handler for a domain error no page turned into a form error: the
session is rolled back and the person gets the error page for its status (never a 500)."""

from __future__ import annotations

from werkzeug.exceptions import HTTPException, default_exceptions

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.web.blueprint import bp


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> HTTPException:
    db.session.rollback()
    return default_exceptions[exc.status](description=exc.message)
