"""All database models, importable from one place (Alembic autogenerate sees them all)."""

from dhr.models.agency_requests import AgencyRequest, AgencyRequestFile
from dhr.models.amendments import HoAmendment
from dhr.models.audit import AuditEntry
from dhr.models.counters import ReferenceCounter
from dhr.models.documents import Document, DocumentVersion
from dhr.models.drafts import FormDraft
from dhr.models.jobs import HeldJob, JobHeartbeat, JobRun, Notification
from dhr.models.org import Area, Csp, VocabularyTerm
from dhr.models.pool import ConflictOfInterest, Invitation, PoolMember, TrainingRecord
from dhr.models.reminders import OutboxMessage, ReminderClaim
from dhr.models.review import DEATH_TYPES, REVIEW_TYPES, Review
from dhr.models.search import SearchDocument, SearchWord
from dhr.models.sessions import UserSession
from dhr.models.two_factor import RecoveryCode, TwoFactorCredential
from dhr.models.users import ROLES, ApiToken, User

__all__ = [
    "DEATH_TYPES",
    "REVIEW_TYPES",
    "ROLES",
    "AgencyRequest",
    "AgencyRequestFile",
    "ApiToken",
    "Area",
    "AuditEntry",
    "ConflictOfInterest",
    "Csp",
    "Document",
    "DocumentVersion",
    "FormDraft",
    "HeldJob",
    "HoAmendment",
    "Invitation",
    "JobHeartbeat",
    "JobRun",
    "Notification",
    "OutboxMessage",
    "PoolMember",
    "RecoveryCode",
    "ReferenceCounter",
    "ReminderClaim",
    "Review",
    "SearchDocument",
    "SearchWord",
    "TrainingRecord",
    "TwoFactorCredential",
    "User",
    "UserSession",
    "VocabularyTerm",
]
