"""Web forms (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from dhr.models.review import DEATH_TYPES, REVIEW_TYPES
from dhr.web.templating import humanise


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NotificationForm(FlaskForm):
    csp = SelectField("Community Safety Partnership", validators=[
        DataRequired("Select the CSP where the victim lived")])
    victim_pseudonym = StringField(
        "Victim pseudonym",
        description="What will be published, for example 'Adult A' or a name the family chose.",
        validators=[DataRequired("Enter a pseudonym for the victim"), Length(max=120)])
    date_of_death = DateField("Date of death", validators=[
        InputRequired("Enter the date of death as a real date")])
    notification_date = DateField("Date the police notified the CSP", validators=[
        InputRequired("Enter the notification date as a real date")])
    death_type = SelectField("Type of death", choices=[(t, humanise(t)) for t in DEATH_TYPES])
    review_type = RadioField("Type of review", default="full",
                             choices=[(t, humanise(t)) for t in REVIEW_TYPES])
    deceased_16_plus = IntegerField("Number of deceased aged 16 or over", default=1,
                                    validators=[InputRequired("Enter a number"),
                                                NumberRange(1, 50, "Enter a number from 1 to 50")])
    children_under_16 = IntegerField("Children under 16 in the household", default=0,
                                     validators=[InputRequired("Enter a number"),
                                                 NumberRange(0, 50, "Enter a number from 0 to 50")])
    agencies = CheckboxesField("Agencies known to have had contact", validators=[Optional()])
    identifying_terms = TextAreaField(
        "Restricted identifying terms",
        description="Real names and addresses, one per line. Never published; used to check "
                    "that nothing published contains them.",
        validators=[Optional(), Length(max=10000)])
