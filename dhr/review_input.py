"""The input of a new review and the date rules every review's input follows: one shape
for the web form and the JSON API alike."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from dhr.models.review import DEATH_TYPES, REVIEW_TYPES

DeathType = Literal[DEATH_TYPES]  # type: ignore[valid-type]
ReviewType = Literal[REVIEW_TYPES]  # type: ignore[valid-type]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Pseudonym = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewDates(Strict):
    """Shared date rules: nothing in the future, no notification before the death."""

    @field_validator("date_of_death", "notification_date", check_fields=False)
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("must not be in the future")
        return value

    @field_validator("notification_date", check_fields=False)
    @classmethod
    def _after_death(cls, value: date | None, info: ValidationInfo) -> date | None:
        died = info.data.get("date_of_death")
        if value is not None and died is not None and value < died:
            raise ValueError("must not be before the date of death")
        return value


class ReviewCreate(ReviewDates):
    csp: ShortText
    victim_pseudonym: Pseudonym
    date_of_death: date
    notification_date: date
    death_type: DeathType
    review_type: ReviewType = "full"
    deceased_16_plus: int = Field(default=1, ge=1, le=50)
    children_under_16: int = Field(default=0, ge=0, le=50)
    agencies: list[ShortText] = Field(default_factory=list, max_length=60)
    identifying_terms: list[ShortText] = Field(default_factory=list, max_length=100)
    legal_basis: ShortText | None = None
