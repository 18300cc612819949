"""A web form for each lifecycle event, generated from the event's pydantic model
(dhr.workflow.events): dates, text, yes/no, choices, and lists one per line or as checkboxes.

The form only turns what was typed into data; the engine validates it and runs the guard,
exactly as for the API, and its answers are put back on the form.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic.fields import FieldInfo
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from dhr.web.date_input import DateInputField
from dhr.web.forms import CheckboxesField, Form, MaxLength, select_choices
from dhr.web.templating import humanise
from dhr.workflow.declarations import EVENT_DATA
from dhr.workflow.events import CHOICE_LABELS, not_future

YES_NO = [("yes", "Yes"), ("no", "No")]


@dataclass(frozen=True)
class FieldSpec:
    """How one field of an event's data is asked for on the page."""

    name: str
    kind: str  # date, text, textarea, yes_no, radios, lines, checkboxes, select
    label: str
    hint: str | None
    choices_from: str | None = None  # "pool" or "agencies": filled in by the page
    choices: tuple[tuple[str, str], ...] = ()
    defaults_to_today: bool = False
    past: bool = True  # a date on which something already happened


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """(the type without None, its Literal values if it is a Literal)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _unwrap(inner[0]) if len(inner) == 1 else (annotation, [])
    if origin is typing.Annotated:
        return _unwrap(args[0])
    if origin is Literal:
        return str, list(args)
    return annotation, []


def field_spec(name: str, info: FieldInfo) -> FieldSpec:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    label = info.title or humanise(name)
    base, literal = _unwrap(info.annotation)
    choices_from = extra.get("choices")
    today = info.default_factory is dt.date.today
    hint = info.description
    if literal:
        labels = CHOICE_LABELS.get(name, {})
        return FieldSpec(name, "radios", label, hint,
                         choices=tuple((v, labels.get(v, humanise(v))) for v in literal))
    if base is dt.date:
        past = any(getattr(m, "func", None) is not_future for m in info.metadata)
        return FieldSpec(name, "date", label, hint, defaults_to_today=today, past=past)
    if base is bool:
        return FieldSpec(name, "yes_no", label, hint, choices=tuple(YES_NO))
    if base is int and choices_from:
        return FieldSpec(name, "select", label, hint, choices_from=str(choices_from))
    if typing.get_origin(base) is list:
        if choices_from:
            return FieldSpec(name, "checkboxes", label, hint, choices_from=str(choices_from))
        return FieldSpec(name, "lines", label, hint or "One per line.")
    return FieldSpec(name, "textarea" if extra.get("multiline") else "text", label, hint)


def field_specs(event: str) -> list[FieldSpec]:
    model = EVENT_DATA[event]
    return [field_spec(name, info) for name, info in model.model_fields.items()]


def _wtforms_field(spec: FieldSpec) -> Field:
    optional = [Optional()]
    if spec.kind == "date":
        return DateInputField(spec.label, description=spec.hint, past=spec.past,
                              years_ahead=0 if spec.past else 5,
                              default=dt.date.today if spec.defaults_to_today else None)
    if spec.kind in {"radios", "yes_no"}:
        return RadioField(spec.label, description=spec.hint, validators=optional,
                          choices=select_choices(spec.choices))
    if spec.kind == "select":
        return SelectField(spec.label, description=spec.hint, validators=optional)
    if spec.kind == "checkboxes":
        return CheckboxesField(spec.label, description=spec.hint, validators=optional)
    if spec.kind in {"textarea", "lines"}:
        return TextAreaField(spec.label, description=spec.hint,
                             validators=[*optional, MaxLength(20_000)])
    return StringField(spec.label, description=spec.hint, validators=[*optional, MaxLength(500)])


class EventForm(Form):
    """Base of the generated forms: CSRF, and the review version the page was built from."""

    expected_version = HiddenField()


_FORM_CLASSES: dict[str, type[EventForm]] = {}


def form_class(event: str) -> type[EventForm]:
    if event not in _FORM_CLASSES:
        fields = {spec.name: _wtforms_field(spec) for spec in field_specs(event)}
        _FORM_CLASSES[event] = type(f"{event.title().replace('_', '')}Form", (EventForm,),
                                    fields)
    return _FORM_CLASSES[event]


def make_form(event: str, choices: dict[str, list[tuple[str, str]]]) -> EventForm:
    """The event's form, with the choices of its pool and agency fields filled in (choices
    keyed by a field's name take precedence over those of its kind)."""
    form = form_class(event)()
    for spec in field_specs(event):
        if spec.choices_from:
            options = choices.get(spec.name, choices.get(spec.choices_from, []))
            field = getattr(form, spec.name)
            field.choices = select_choices(
                [("", "Choose"), *options] if spec.kind == "select" else options)
    return form


def form_data(event: str, form: EventForm) -> dict[str, Any]:
    """What the user entered, as the event's JSON-like data (empty fields left out, so the
    defaults apply and the guard names what is missing)."""
    data: dict[str, Any] = {}
    for spec in field_specs(event):
        value = getattr(form, spec.name).data
        if spec.kind == "date":
            if value is not None:
                data[spec.name] = value.isoformat()
        elif spec.kind == "yes_no":
            if value in {"yes", "no"}:
                data[spec.name] = value == "yes"
        elif spec.kind == "select":
            if value:
                data[spec.name] = int(value) if str(value).isdigit() else value
        elif spec.kind == "checkboxes":
            data[spec.name] = list(value or [])
        elif spec.kind == "lines":
            data[spec.name] = [line.strip() for line in (value or "").splitlines()
                               if line.strip()]
        elif value is not None and str(value).strip():
            data[spec.name] = str(value)
    return data
