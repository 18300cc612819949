"""Forms of the account pages (notification settings, API tokens) and of user management."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from dhr.accounts import email_in_use
from dhr.models.users import ROLE_LABELS
from dhr.notifications import PREFERENCE_LABELS
from dhr.web.forms import CheckboxesField, GovSelectField, select_choices


class _ChoiceInWords:
    """A choice not on the list (a tampered form) gets a message in words, not WTForms'
    "Not a valid choice"."""

    def __init__(self, *args: Any, invalid: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid) from None


class ChoiceRadioField(_ChoiceInWords, RadioField):
    pass


class ChoiceCheckboxesField(_ChoiceInWords, CheckboxesField):
    pass


class ConfirmForm(FlaskForm):
    """No fields: a button whose CSRF token is the point."""


class PreferenceForm(FlaskForm):
    preference = ChoiceRadioField(
        "How do you want to hear of reminders and notifications?",
        invalid="Select how you want to hear of notifications",
        description="Everything also stays on your notifications page.",
        choices=select_choices(PREFERENCE_LABELS.items()),
        validators=[InputRequired("Select how you want to hear of notifications")])


class RoleForm(FlaskForm):
    """A role and its scope. Choices are set per manager (a coordinator gives only the roles
    and CSPs of their own area)."""

    role = ChoiceRadioField("Role", invalid="Select a role from the list",
                            validators=[InputRequired("Select a role")])
    csps = ChoiceCheckboxesField("Community Safety Partnerships",
                                 invalid="Select CSPs from the list",
                                 description="A CSP manager needs at least one.")
    area = GovSelectField("Area", invalid="Select an area from the list",
                          validators=[Optional()])

    def offer(self, roles: tuple[str, ...], csps: list, areas: list) -> None:
        self.role.choices = select_choices((role, ROLE_LABELS[role]) for role in roles)
        self.csps.choices = select_choices((csp.slug, csp.name) for csp in csps)
        self.area.choices = select_choices(
            [("", "The area of the CSPs chosen")] + [(area.name, area.name) for area in areas])

    def validate_csps(self, field: ChoiceCheckboxesField) -> None:
        if self.role.data == "csp_manager" and not field.data:
            raise ValidationError("Select at least one CSP for a CSP manager")


class UserForm(RoleForm):
    name = StringField("Full name", validators=[
        DataRequired("Enter the person's full name"),
        Length(max=200, message="Enter a name of 200 characters or fewer")])
    email = EmailField("Email address", filters=[lambda value: (value or "").strip()],
                       validators=[DataRequired("Enter an email address"),
                                   Email("Enter an email address in the correct format, "
                                         "like name@example.com"),
                                   Length(max=254, message="Enter an email address of 254 "
                                                           "characters or fewer")])

    def validate_email(self, field: EmailField) -> None:
        """Checked with the other fields, so that every error shows at once."""
        if email_in_use(field.data):
            raise ValidationError("An account with this email address already exists")
