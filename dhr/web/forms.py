"""Web forms (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import g, request
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from dhr.errors import DomainError
from dhr.extensions import db
from dhr.models import VocabularyTerm
from dhr.models.review import DEATH_TYPES, REVIEW_TYPES
from dhr.web.date_input import DateInputField
from dhr.web.templating import humanise
from dhr.wording import sentence_case


@dataclass(frozen=True)
class RestoredDraft:
    """A kept form post being shown again (dhr.drafts): the endpoint it was posted to."""

    endpoint: str
    fields: MultiDict


def restored_fields(endpoint: str) -> MultiDict | None:
    """What was typed into the form posted to `endpoint`, when this page brings it back."""
    draft = g.get("restored_draft")
    return draft.fields if draft is not None and draft.endpoint == endpoint else None


class Form(FlaskForm):
    """Every page's form: CSRF, and, when the page brings back a kept post (dhr.drafts),
    filled with what was typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "formdata" not in kwargs and request.method == "GET":
            restored = restored_fields(request.endpoint or "")
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)
        # Hidden fields (the CSRF token too) get no id, so that two forms share a page with
        # no id twice.
        for field in self:
            if isinstance(field, HiddenField):
                field.render_kw = {**(field.render_kw or {}), "id": False}


class MaxLength:
    """Refuses text longer than `max` with a GOV.UK message ("Victim pseudonym must be 120
    characters or fewer"). Unlike WTForms' Length it sets no maxlength attribute: a browser
    cuts pasted text at maxlength without a word, and the person never knows."""

    field_flags: dict[str, Any] = {}

    def __init__(self, max: int, message: str | None = None):
        self.max, self.message = max, message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and len(field.data) > self.max:
            raise ValidationError(self.message or f"{field.label.text} must be "
                                  f"{self.max:,} characters or fewer")


# A message starting with one of these words says something about the field without naming
# it ("must not be in the future"): the field's label is put before it.
PREDICATE_STARTS = frozenset({"must", "is", "are", "has", "should", "cannot", "was"})


def put_error(field: Field, message: str) -> None:
    """An operation's message about `field`, shown on it as a sentence that names the field
    ("Date of death must not be in the future"). A field shows one message: its first."""
    if not field.errors:
        names_no_subject = message.split(" ", 1)[0] in PREDICATE_STARTS
        field.errors = [f"{field.label.text} {message}" if names_no_subject
                        else sentence_case(message)]


def apply_errors(form: Form, exc: DomainError, fallback: str) -> str | None:
    """Put an operation's field errors on the form; return any message that has no field."""
    details = exc.details if exc.code == "validation_error" and isinstance(exc.details,
                                                                          dict) else {}
    leftover = None
    for name, message in details.items():
        target = getattr(form, name.split(".")[0], None)
        if target is not None and target.name != "csrf_token":
            put_error(target, str(message))
        else:
            leftover = sentence_case(str(message))
    if details and not leftover:
        return None
    return leftover or sentence_case(exc.message) or fallback


def operation_data(data: dict[str, Any]) -> dict[str, Any]:
    """Form data as the operations take it: empty values left out."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def agency_choices() -> list[SelectChoice]:
    """The active agencies, in vocabulary order, under a "Select an agency" prompt."""
    terms = db.session.scalars(
        select(VocabularyTerm).where(VocabularyTerm.vocabulary == "agency",
                                     VocabularyTerm.is_active)
        .order_by(VocabularyTerm.position))
    return [SelectChoice("", "Select an agency")] + [SelectChoice(t.code, t.label)
                                                     for t in terms]


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options (passing tuples is deprecated since 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _PlainMessage(Field):
    """A field whose unparseable input gets one message in GOV.UK words ('Enter the date of
    death as a real date'), instead of WTForms' generic 'Not a valid date value.' followed
    by the range check's message about the same input."""

    def __init__(self, *args: Any, invalid: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()  # the message is already there; nothing else to check
        try:
            super().pre_validate(form)
        except ValidationError:  # a value that is not one of the choices
            raise ValidationError(self.invalid) from None


class GovIntegerField(_PlainMessage, IntegerField):
    pass


class GovSelectField(_PlainMessage, SelectField):
    pass


class NotificationForm(Form):
    csp = GovSelectField(
        "Community Safety Partnership", invalid="Select the CSP where the victim lived",
        validators=[DataRequired("Select the CSP where the victim lived")])
    victim_pseudonym = StringField(
        "Victim pseudonym",
        description="What will be published, for example 'Adult A' or a name the family chose.",
        validators=[DataRequired("Enter a pseudonym for the victim"), MaxLength(120)])
    date_of_death = DateInputField("Date of death", required="Enter the date of death")
    notification_date = DateInputField(
        "Date the police notified the CSP",
        required="Enter the date the police notified the CSP")
    death_type = GovSelectField(
        "Type of death", invalid="Select the type of death",
        choices=select_choices((t, humanise(t)) for t in DEATH_TYPES))
    review_type = RadioField("Type of review", default="full",
                             choices=select_choices((t, humanise(t)) for t in REVIEW_TYPES))
    deceased_16_plus = GovIntegerField(
        "Number of deceased aged 16 or over", default=1,
        invalid="Enter the number of deceased aged 16 or over as a whole number",
        validators=[InputRequired("Enter the number of deceased aged 16 or over"),
                    NumberRange(1, 50, "Enter a number of deceased from 1 to 50")])
    children_under_16 = GovIntegerField(
        "Children under 16 in the household", default=0,
        invalid="Enter the number of children under 16 as a whole number",
        validators=[InputRequired("Enter the number of children under 16"),
                    NumberRange(0, 50, "Enter a number of children from 0 to 50")])
    agencies = CheckboxesField("Agencies known to have had contact", validators=[Optional()])
    identifying_terms = TextAreaField(
        "Restricted identifying terms",
        description="Real names and addresses, one per line. Never published; used to check "
                    "that nothing published contains them, nor any word of three or more "
                    "letters of them (write a term in double quotes to search for it only as "
                    "a whole). The pseudonym must not contain any of them.",
        validators=[Optional(), MaxLength(10000)])
