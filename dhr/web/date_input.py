"""The GOV.UK date input (day, month and year boxes) as a WTForms field, with the GOV.UK
error messages and a plausible range, so that no page uses the browser's own date box
(which shows mm/dd/yyyy and takes a five-digit year).

The boxes are posted as `<name>-day`, `<name>-month` and `<name>-year`. A single ISO date
posted under the field's own name is taken too (scripts, and forms saved before the boxes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from dhr.wording import date_in_words

PARTS = ("day", "month", "year")
# Nothing this service records happened before the first Domestic Homicide Reviews' law.
EARLIEST = dt.date(1990, 1, 1)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class DateInputField(Field):
    """A date typed in three boxes. `past`: today or earlier; `years_ahead`: how far ahead a
    future date may be; `required`: the message when nothing is typed (None: optional)."""

    def __init__(self, label: str, *, past: bool = True, years_ahead: int = 0,
                 earliest: dt.date = EARLIEST, required: str | None = None,
                 default: dt.date | Callable[[], dt.date] | None = None, **kwargs: Any):
        super().__init__(label, default=default, **kwargs)
        self.past, self.years_ahead, self.earliest = past, years_ahead, earliest
        self.required = required
        self.parts: tuple[str, str, str] = ("", "", "")
        self.wrong_parts: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = unset_value,
                extra_filters: Any = None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = self.data = data
        self.parts = _parts_of(data)
        if formdata is None:
            return
        names = [f"{self.name}-{part}" for part in PARTS]
        if any(name in formdata for name in names):
            self.parts = tuple(  # type: ignore[assignment]
                (formdata.get(name) or "").strip() for name in names)
            self.data = self._parse()
        elif self.name in formdata:
            self.data = self._parse_iso(formdata.get(self.name) or "")
        else:
            self.data = None

    def _fail(self, message: str, parts: tuple[str, ...] = PARTS) -> None:
        self.process_errors.append(message)
        self.wrong_parts = parts

    def _parse_iso(self, text: str) -> dt.date | None:
        if not text.strip():
            return None
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            self._fail(f"{self.label.text} must be a real date")
            return None
        self.parts = _parts_of(day)
        return day

    def _parse(self) -> dt.date | None:
        if not any(self.parts):
            return None
        missing = tuple(part for part, value in zip(PARTS, self.parts, strict=True)
                        if not value)
        if missing:
            words = " and ".join(missing) if len(missing) > 1 else missing[0]
            self._fail(f"{self.label.text} must include a {words}", missing)
            return None
        if not all(value.isdigit() for value in self.parts):
            self._fail(f"{self.label.text} must be a real date")
            return None
        day, month, year = (int(value) for value in self.parts)
        if len(self.parts[2]) != 4:
            self._fail("Year must include 4 numbers", ("year",))
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            self._fail(f"{self.label.text} must be a real date")
            return None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()  # one message per field: the first problem found
        if self.data is None:
            if self.required:
                self.wrong_parts = PARTS
                raise StopValidation(self.required)
            return
        today = dt.date.today()
        latest = _years_after(today, self.years_ahead) if not self.past else today
        if self.data > latest:
            self.wrong_parts = PARTS
            raise StopValidation(
                f"{self.label.text} must be today or in the past" if self.past else
                f"{self.label.text} must be the same as or before {date_in_words(latest)}")
        if self.data < self.earliest:
            self.wrong_parts = PARTS
            raise StopValidation(
                f"{self.label.text} must be the same as or after "
                f"{date_in_words(self.earliest)}")

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""


def _parts_of(value: Any) -> tuple[str, str, str]:
    if isinstance(value, dt.date):
        return str(value.day), str(value.month), str(value.year)
    return "", "", ""
