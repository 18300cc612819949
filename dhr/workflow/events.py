"""The data each lifecycle event takes (DOMAIN.md section 2, "The data each event takes").

One pydantic model per event. They check the *form* of the data (types, choices, no unknown
fields, no date in the future where that makes no sense) and answer 400 when it is wrong.
What is *missing* is the guards' business (dhr.workflow.guards): fields the guard needs are
optional here, so that leaving them out gives the 422 list of what must be supplied, in
words, together with whatever else is missing on the review.

Dates marked * in DOMAIN.md default to today. Blank text counts as not given. (Dates get no
"before" validator: strict JSON parsing accepts an ISO string for a date only when it reaches
the date validator directly.)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from dhr.models.review import FAMILY_CONTACT, HO_OUTCOMES

PAUSE_REASONS = (
    "criminal_investigation",
    "criminal_trial",
    "inquest",
    "iopc_investigation",
    "other_review",
    "family_request",
    "other",
)
PAUSE_REASON_LABELS = {
    "criminal_investigation": "Criminal investigation",
    "criminal_trial": "Criminal trial",
    "inquest": "Inquest",
    "iopc_investigation": "IOPC investigation",
    "other_review": "Another review (for example a safeguarding adults review)",
    "family_request": "The family asked for a pause",
    "other": "Other",
}
FAMILY_CONTACT_LABELS = {
    "made": "Contact made",
    "declined": "The family declined contact",
    "not_possible": "Contact was not possible",
}
HO_OUTCOME_LABELS = {
    "approved": "Approved for publication",
    "approved_subject_to_amendments": "Approved subject to amendments",
    "resubmit": "Resubmit (the panel asks for a revised report)",
}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > dt.date.today():
        raise ValueError("must not be in the future")
    return value


_WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s]*")


def _web_address(value: str | None) -> str | None:
    if value is not None and not _WEB_ADDRESS.fullmatch(value):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


def _drop_blank_lines(value: Any) -> Any:
    if isinstance(value, list):
        return [item for item in value if not (isinstance(item, str) and not item.strip())]
    return value


# Optional free text: blank means "not given".
Text = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)] | None,
    BeforeValidator(_blank_to_none),
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# A date on which something already happened.
PastDate = Annotated[dt.date, AfterValidator(not_future)]
OptionalPastDate = Annotated[dt.date | None, AfterValidator(not_future)]
Today = Annotated[dt.date, AfterValidator(not_future),
                  Field(default_factory=dt.date.today, description="Defaults to today.")]


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dates(self) -> dict[str, dt.date]:
        """The dates given (or defaulted), by field name: checked against the review."""
        return {name: value for name, value in self if isinstance(value, dt.date)}


class DecisionData(EventData):
    """decide_to_review, decide_not_to_review."""

    decision_date: OptionalPastDate = Field(None, title="Date of the decision")
    rationale: Text = Field(None, title="Rationale for the decision",
                            json_schema_extra={"multiline": True})
    ho_informed_date: OptionalPastDate = Field(
        None, title="Date the Home Office was informed of the decision")


class HoAcceptsNoReviewData(EventData):
    letter_date: OptionalPastDate = Field(None, title="Date of the Home Office letter")


class HoDirectsReviewData(EventData):
    direction_date: OptionalPastDate = Field(
        None, title="Date the Home Office directed a review")


class AppointChairData(EventData):
    chair_id: int | None = Field(None, title="Chair", json_schema_extra={"choices": "pool"})
    report_writer_id: int | None = Field(
        None, title="Report writer (optional)",
        description="Leave empty if the chair writes the report.",
        json_schema_extra={"choices": "pool"})
    appointed_date: Today = Field(title="Date of appointment")


class AgreeTermsOfReferenceData(EventData):
    agreed_date: Today = Field(title="Date the terms of reference were agreed")
    panel_agencies: Annotated[list[Line], BeforeValidator(_drop_blank_lines)] = Field(
        default_factory=list, max_length=60, title="Agencies on the review panel",
        json_schema_extra={"choices": "agencies"})
    family_contact: Annotated[
        Literal[FAMILY_CONTACT] | None, BeforeValidator(_blank_to_none)  # type: ignore[valid-type]
    ] = Field(None, title="Contact with the family",
              description="Including the offer of specialist advocacy (for example AAFDA).")
    family_contact_note: Text = Field(
        None, title="Note on family contact",
        description="Required when contact was declined or not possible: say why.",
        json_schema_extra={"multiline": True})


class DatedData(EventData):
    """complete_information_gathering, close_review."""

    date: Today = Field(title="Date")


class SubmitForLocalQaData(EventData):
    date: Today = Field(title="Date submitted for local quality assurance")
    family_consulted_on_draft: bool | None = Field(
        None, title="Was the family consulted on the draft report?")
    family_note: Text = Field(
        None, title="Note on the family's consultation",
        description="Required if the family was not consulted: say why.",
        json_schema_extra={"multiline": True})


class ReturnFromLocalQaData(EventData):
    date: Today = Field(title="Date returned")
    comments: Text = Field(None, title="What must change before the report is approved",
                           json_schema_extra={"multiline": True})


class ApproveLocalQaData(EventData):
    date: Today = Field(title="Date approved")
    comments: Text = Field(None, title="Comments (optional)",
                           json_schema_extra={"multiline": True})


class SubmitToHomeOfficeData(EventData):
    date: Today = Field(title="Date submitted to the Home Office")
    csp_signoff_date: OptionalPastDate = Field(None, title="Date the CSP chair signed off")

    @model_validator(mode="after")
    def _signed_off_first(self) -> SubmitToHomeOfficeData:
        if self.csp_signoff_date is not None and self.csp_signoff_date > self.date:
            raise ValueError("the CSP sign-off date must not be after the submission date")
        return self


class RecordHoOutcomeData(EventData):
    outcome: Annotated[
        Literal[HO_OUTCOMES] | None, BeforeValidator(_blank_to_none)  # type: ignore[valid-type]
    ] = Field(None, title="Outcome of the Home Office Quality Assurance Panel")
    letter_date: OptionalPastDate = Field(None, title="Date of the Home Office letter")
    points: Annotated[list[Line], BeforeValidator(_drop_blank_lines)] = Field(
        default_factory=list, max_length=100, title="The panel's points",
        description="One per line. With 'approved subject to amendments' each point becomes "
                    "an amendment to mark done.")


class CompleteAmendmentsData(EventData):
    date: Today = Field(title="Date the amendments were completed")
    note: Text = Field(None, title="Note (optional)", json_schema_extra={"multiline": True})


class PublishData(EventData):
    date: Today = Field(title="Date of publication")
    url: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None,
        BeforeValidator(_blank_to_none),
        AfterValidator(_web_address),
    ] = Field(None, title="Web address of the published report",
              description="For example https://www.dacorum.gov.uk/dhr-adult-a")
    dac_copy_sent_date: OptionalPastDate = Field(
        None, title="Date a copy was sent to the Domestic Abuse Commissioner")


class WithholdPublicationData(EventData):
    date: Today = Field(title="Date of the decision to withhold publication")
    reason: Text = Field(None, title="Why the report is not published",
                         json_schema_extra={"multiline": True})
    dac_copy_sent_date: OptionalPastDate = Field(
        None, title="Date a copy was sent to the Domestic Abuse Commissioner")


class PauseData(EventData):
    reason: Annotated[
        Literal[PAUSE_REASONS] | None, BeforeValidator(_blank_to_none)  # type: ignore[valid-type]
    ] = Field(None, title="Reason for the pause")
    date: Today = Field(title="Date the review was paused")
    expected_end: dt.date | None = Field(
        None, title="Expected end of the pause (optional)")

    @model_validator(mode="after")
    def _ends_after_start(self) -> PauseData:
        if self.expected_end is not None and self.expected_end < self.date:
            raise ValueError("the expected end must not be before the date of the pause")
        return self

    def dates(self) -> dict[str, dt.date]:
        return {"date": self.date}  # expected_end may lie in the future


class ResumeData(EventData):
    date: Today = Field(title="Date the review resumed")


class WithdrawData(EventData):
    date: Today = Field(title="Date withdrawn")
    reason: Text = Field(None, title="Reason",
                         description="For example: merged into a joint review with another "
                                     "CSP.",
                         json_schema_extra={"multiline": True})


CHOICE_LABELS: dict[str, dict[str, str]] = {
    "family_contact": FAMILY_CONTACT_LABELS,
    "outcome": HO_OUTCOME_LABELS,
    "reason": PAUSE_REASON_LABELS,
}
