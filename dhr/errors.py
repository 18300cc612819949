"""The one domain error tree: every operation refuses with one of these.

Each error carries what an interface needs to answer: an HTTP-like `status`, a short `code`,
a `message` in words and optional `details` (for field problems `{field: message}`). The
JSON API turns any of them into its error body in one handler (dhr.api.errors); the web
pages turn them into form errors or error pages. No interface translates them per module.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

STALE_MESSAGE = "the review has moved on: re-read and retry"


class DomainError(Exception):
    """A refused operation: nothing was written."""

    status = 400
    code = "error"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """Malformed input; details is {field: message}."""

    status, code = 400, "validation_error"


class NotPermitted(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    status, code = 404, "not_found"


class IllegalMove(DomainError):
    """The change is not possible from the object's current state."""

    status, code = 409, "illegal_transition"


class Stale(DomainError):
    """Someone else changed the object since the caller read it."""

    status, code = 409, "conflict"


class ReadOnly(DomainError):
    """The review is published or finished, so this can no longer change."""

    status, code = 409, "read_only"


class GuardFailed(DomainError):
    """What must hold first does not; details is {"missing": [...]} in words."""

    status, code = 422, "guard_failed"

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message, {"missing": missing})
        self.missing = missing


class BackupError(DomainError):
    """A backup that cannot be made, or an archive that must not be restored."""

    status, code = 400, "backup_failed"


class Missing(str):
    """One thing a guard finds missing, in words; `field` names the event's data field that
    supplies it, when one does (the pages put the message on that field and link to it).
    A plain string everywhere else (the API's list of what is missing)."""

    field: str | None

    def __new__(cls, text: str, field: str | None = None) -> Missing:
        item = super().__new__(cls, text)
        item.field = field
        return item


class Refused(DomainError):
    """A refusal whose status and code are chosen where it is raised (pool allocation, and the
    API's own body checks: payload too large, malformed JSON)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message, details)
        self.status, self.code = status, code


def field_errors(exc: ValidationError) -> dict[str, str]:
    """{field: message} from a pydantic error, the first message per field."""
    details: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "body"
        details.setdefault(field, err["msg"].removeprefix("Value error, "))
    return details
