"""Request and response shapes. They validate input and generate the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    RootModel,
    field_validator,
)

from dhr.bounds import DB_INT_MAX
from dhr.review_input import (  # noqa: F401 - ReviewCreate and ShortText are part of the API
    DeathType,
    Pseudonym,
    ReviewCreate,
    ReviewDates,
    ReviewType,
    ShortText,
    Strict,
)


def _as_utc(value: datetime) -> datetime:
    """Timestamps are stored in UTC, but SQLite gives them back without their zone."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# A timestamp in an answer: always in UTC and written with its Z (API.md).
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class ReviewPatch(ReviewDates):
    csp: ShortText | None = None
    victim_pseudonym: Pseudonym | None = None
    date_of_death: date | None = None
    notification_date: date | None = None
    death_type: DeathType | None = None
    review_type: ReviewType | None = None
    deceased_16_plus: int | None = Field(default=None, ge=1, le=50)
    children_under_16: int | None = Field(default=None, ge=0, le=50)
    agencies: list[ShortText] | None = Field(default=None, max_length=60)
    identifying_terms: list[ShortText] | None = Field(default=None, max_length=100)
    legal_basis: ShortText | None = None

    @field_validator("*")
    @classmethod
    def _no_nulls(cls, value: object) -> object:
        """Leave a field out to keep it; null is refused (runs only for fields given)."""
        if value is None:
            raise ValueError("cannot be null")
        return value


class ReviewListQuery(Strict):
    csp: str | None = None
    state: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    overdue: bool | None = None
    page: int = Field(default=1, ge=1, le=DB_INT_MAX)
    per_page: int = Field(default=50, ge=1, le=200)


class HistoryOut(BaseModel):
    at: UtcDateTime
    actor: str | None
    action: str
    event: str | None
    from_state: str | None
    to_state: str | None
    data: dict[str, Any]


class PersonOut(BaseModel):
    id: int
    name: str


class AnonymisationCheckOut(BaseModel):
    passed: bool
    hits: list[str]
    searched: str


class ReviewOut(BaseModel):
    """A review as the people running reviews see it (every role but practitioner)."""

    id: int
    reference: str
    csp: str
    state: str
    lock_version: int = Field(description="send as expected_version with a transition")
    paused: bool
    pause_reason: str | None
    withdrawn: bool
    withheld: bool
    directed: bool
    victim_pseudonym: str
    death_type: str
    review_type: str
    legal_basis: str
    date_of_death: date | None
    month_of_death: str
    notification_date: date
    deceased_16_plus: int
    children_under_16: int
    agencies: list[str]
    decision_due: date
    statutory_due: date | None
    adjusted_due: date | None
    paused_days: int
    overdue: bool
    decision_overdue: bool
    completion_overdue: bool
    resubmissions: int
    chair: PersonOut | None
    report_writer: PersonOut | None
    published_date: date | None
    published_url: str | None
    identifying_terms: list[str] | None = Field(
        default=None, description="only for roles allowed to edit the review"
    )
    history: list[HistoryOut] | None = Field(
        default=None, description="omitted in lists"
    )
    anonymisation_check: AnonymisationCheckOut | None = Field(
        default=None, description="for roles allowed to edit the review, from publication "
        "pending on (one review, not lists): what the anonymisation check found and searched"
    )


class PractitionerReviewOut(BaseModel):
    """A review as a practitioner sees it: the published view only, the same facts as the
    published report page. Never exact dates, clocks, pauses, resubmissions, household
    counts, agencies, the chair, identifying terms or history."""

    id: int
    reference: str
    csp: str
    state: str = Field(description="published or closed")
    victim_pseudonym: str
    month_of_death: str = Field(description="YYYY-MM: the exact date is never published")
    death_type: str
    review_type: str
    published_date: date | None
    published_url: str | None
    themes: list[str] = Field(description="the learning themes of its recommendations")


class ReviewAnswer(RootModel[ReviewOut | PractitionerReviewOut]):
    """ReviewOut, or PractitionerReviewOut when the caller is a practitioner."""


class ReviewList(BaseModel):
    items: list[ReviewOut | PractitionerReviewOut] = Field(
        description="PractitionerReviewOut items when the caller is a practitioner")
    total: int
    page: int
    per_page: int


class CspOut(BaseModel):
    id: int
    name: str
    slug: str
    area: str


class CspList(BaseModel):
    items: list[CspOut]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    search: Literal["ok", "degraded"]
    jobs: Literal["ok", "degraded"]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody


class TermOut(BaseModel):
    code: str
    label: str


class Vocabularies(BaseModel):
    """Each controlled vocabulary (agency, risk_factor, theme, ...) with its active terms."""

    vocabularies: dict[str, list[TermOut]]
