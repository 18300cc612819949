"""The audit history for administrators: who did, read or was refused what, and when; with
filters and a CSV of exactly what is shown. Entries are append-only (dhr/models/audit.py)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from itertools import chain

from flask import Response, abort, g, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from dhr.audit import AuditFilter, actions, count_entries, find_entries
from dhr.models import AuditEntry
from dhr.web.blueprint import bp
from dhr.web.pagination import page_number
from learning.tracker_export import defuse

PER_PAGE = 50
CSV_COLUMNS = ("when (UTC)", "who", "e-mail", "action", "review", "object", "details")


def _day(text: str) -> date:
    """A day typed as 27/11/2026, 27 11 2026 or 2026-11-27."""
    cleaned = text.strip().replace(" ", "/").replace(".", "/")
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _valid_day(_form: FlaskForm, field: StringField) -> None:
    if field.data:
        try:
            _day(field.data)
        except ValueError:
            raise ValidationError(f"'{field.label.text}' must be a real date, for example "
                                  "27/11/2026") from None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only narrows what an administrator reads

    actor = StringField("Who", description="Part of a name or e-mail address",
                        validators=[Optional(), Length(max=200)])
    action = SelectField("What happened", validators=[Optional()])
    reference = StringField("Review reference", description="As shown on the review page",
                            validators=[Optional(), Length(max=80)])
    since = StringField("From", description="For example 1/11/2026",
                        validators=[Optional(), _valid_day])
    until = StringField("To", description="For example 30/11/2026",
                        validators=[Optional(), _valid_day])

    def validate_until(self, field: StringField) -> None:
        if not (field.data and self.since.data) or field.errors or self.since.errors:
            return  # nothing to compare, or a date already reported as not real
        if _day(field.data) < _day(self.since.data):
            raise ValidationError("'To' must be the same as or after 'From'")

    def filters(self) -> AuditFilter:
        return AuditFilter(actor=(self.actor.data or "").strip(), action=self.action.data or "",
                           reference=(self.reference.data or "").strip(),
                           since=_day(self.since.data) if self.since.data else None,
                           until=_day(self.until.data) if self.until.data else None)


def _form() -> AuditFilterForm:
    if g.user.role != "admin":
        abort(403)
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Anything")] + [(a, a) for a in actions()]
    return form


def _details(entry: AuditEntry) -> str:
    return json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else ""


def _csv_row(entry: AuditEntry, reference: str | None) -> list[str]:
    actor = entry.actor
    return [entry.at_dt.strftime("%Y-%m-%d %H:%M:%S"),
            defuse(actor.name) if actor else "the system", defuse(actor.email) if actor else "",
            entry.action, reference or "", f"{entry.object_type} {entry.object_id}",
            defuse(_details(entry))]


@bp.get("/audit")
def audit_page() -> ResponseReturnValue:
    form = _form()
    shown = [] if request.args and not form.validate() else None
    filters = form.filters() if not form.errors else AuditFilter()
    total = count_entries(filters) if shown is None else 0
    pagination = page_number(request.args.get("page"), PER_PAGE, total)
    entries = list(find_entries(filters, pagination.offset, PER_PAGE)) if shown is None else []
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html", form=form, entries=entries, pagination=pagination, total=total,
        details=_details, csv_url=url_for("web.audit_csv", **args),
        url_for_page=lambda number: url_for("web.audit_page", page=number, **args))


@bp.get("/audit.csv")
def audit_csv() -> ResponseReturnValue:
    form = _form()
    if request.args and not form.validate():
        abort(400)
    filters = form.filters()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        lines = (_csv_row(entry, reference) for entry, reference in find_entries(filters))
        for line in chain([CSV_COLUMNS], lines):
            writer.writerow(line)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return Response(stream_with_context(rows()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="audit-{date.today():%Y-%m-%d}.csv"'})
