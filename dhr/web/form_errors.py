"""What the GOV.UK error summary lists: every field's message once, each a link to the
field's first box (the day of a date, the first of a set of radios or checkboxes), then the
page's problems that belong to no field. Used by templates/layout/_forms.html."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import Field, RadioField
from wtforms.fields import HiddenField

from dhr.web.blueprint import bp
from dhr.web.date_input import PARTS, DateInputField
from dhr.web.forms import CheckboxesField
from dhr.wording import sentence_case

NOT_SHOWN = frozenset({"csrf_token"})


@bp.app_template_global()
def error_target(field: Field) -> str:
    """The id an error summary link for `field` points at (and focuses)."""
    if isinstance(field, DateInputField):
        first = next((part for part in PARTS if part in field.wrong_parts), PARTS[0])
        return f"{field.id}-{first}"
    if isinstance(field, RadioField | CheckboxesField):
        return f"{field.id}-0"
    return field.id


@bp.app_template_global()
def error_items(forms: Any, problems: Any = None) -> list[tuple[str, str | None]]:
    """(message, link target or None) for a form or a list of forms, and the page's own
    problems (one message, or a list of messages or of (message, target) pairs); no message
    twice."""
    items: list[tuple[str, str | None]] = []
    seen: set[str] = set()

    def add(text: str, target: str | None) -> None:
        text = sentence_case(str(text))
        if text and text not in seen:
            seen.add(text)
            items.append((text, target))

    for form in _as_list(forms):
        for field in form:
            if field.errors and field.name not in NOT_SHOWN:
                add(field.errors[0], None if isinstance(field, HiddenField)
                    else error_target(field))
    for problem in _as_list(problems):
        if isinstance(problem, tuple):
            add(*problem)
        else:
            add(problem, None)
    return items


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    if hasattr(value, "_fields"):  # a form is iterable too: it is one form
        return [value]
    return list(value)
