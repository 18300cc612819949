"""All database models, importable from one place (Alembic autogenerate sees them all)."""

from dhr.models.audit import AuditEntry
from dhr.models.jobs import JobHeartbeat, Notification
from dhr.models.org import Area, Csp, VocabularyTerm
from dhr.models.pool import PoolMember
from dhr.models.review import DEATH_TYPES, REVIEW_TYPES, Review
from dhr.models.users import ROLES, ApiToken, User

__all__ = [
    "DEATH_TYPES",
    "REVIEW_TYPES",
    "ROLES",
    "ApiToken",
    "Area",
    "AuditEntry",
    "Csp",
    "JobHeartbeat",
    "Notification",
    "PoolMember",
    "Review",
    "User",
    "VocabularyTerm",
]
