"""The import pages (/imports): upload a register or a tracker, see a preview (what will be
created, what is skipped as already recorded, every bad row by line and field), then confirm.
Nothing is written before the confirmation, and nothing at all if any row is bad.

Between preview and confirmation the upload waits in DATA_DIR/imports under a random name
owned by the user who sent it (a form field cannot carry a 2 MB file back)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField
from wtforms.validators import Optional

from dhr.extensions import db
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.date_input import DateInputField
from dhr.web.forms import select_choices
from learning.imports import MAX_BYTES, Outcome, problems_out
from learning.register_import import can_import, check_register, import_register
from learning.tracker_import import check_tracker, import_tracker

KINDS = {"register": "Import a register of reviews", "tracker": "Import a recommendations tracker"}
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadForm(FlaskForm):
    file = FileField("Upload a file")
    agency = SelectField("Agency of rows that name none", validators=[Optional()])
    completed_date = DateInputField("Date completed, for rows marked YES that give no date")


class ConfirmForm(FlaskForm):
    token = HiddenField()
    agency = HiddenField()
    completed_date = HiddenField()


def _importer() -> None:
    if not can_import(g.user):
        abort(403)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def _pending(token: str) -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "imports"
    folder.mkdir(exist_ok=True)
    return folder / f"{g.user.id}-{token}"


def _form(kind: str) -> UploadForm:
    form = UploadForm()
    form.agency.choices = select_choices([("", "None: every row names its agency"),
                                          *agency_codes().items()])
    form.file.label.text = ("Upload the register (CSV)" if kind == "register"
                            else "Upload the tracker (CSV or XLSX)")
    return form


def _check(kind: str, raw: bytes, agency: str | None,
           completed: dt.date | None) -> tuple[Sequence[object], Outcome]:
    if kind == "register":
        return check_register(g.user, raw)
    return check_tracker(g.user, raw, agency=agency, completed_date=completed)


@bp.get("/imports")
def imports_index() -> ResponseReturnValue:
    _importer()
    return render_template("learning/imports.html", kinds=KINDS)


@bp.route("/imports/<kind>", methods=["GET", "POST"])
def import_upload(kind: str) -> ResponseReturnValue:
    _importer()
    kind = _kind(kind)
    form = _form(kind)
    preview = None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(MAX_BYTES + 1) if upload else b""
        if not raw:
            form.file.errors = ["Choose a file to upload"]
        else:
            entries, outcome = _check(kind, raw, form.agency.data or None,
                                      form.completed_date.data)
            token = ""
            if not outcome.rejected and entries:
                token = secrets.token_hex(16)
                _pending(token).write_bytes(raw)
            preview = {"entries": entries, "skipped": outcome.skipped,
                       "rejected": problems_out(outcome.rejected), "token": token}
            if outcome.rejected:
                form.file.errors = [f"{len(outcome.rejected)} problems in the file: nothing "
                                    f"will be imported until every row is right"]
    confirm = ConfirmForm(formdata=None, token=(preview or {}).get("token", ""),
                          agency=form.agency.data or "",
                          completed_date=form.completed_date.data.isoformat()
                          if form.completed_date.data else "")
    failed = bool(form.errors)
    return render_template("learning/import.html", kind=kind, title=KINDS[kind], form=form,
                           preview=preview, confirm=confirm,
                           agencies=agency_codes()), 400 if failed else 200


@bp.post("/imports/<kind>/confirm")
def import_confirm(kind: str) -> ResponseReturnValue:
    _importer()
    kind = _kind(kind)
    form = ConfirmForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not TOKEN.match(token):
        abort(400)
    path = _pending(token)
    if not path.is_file():  # confirmed already, or from another account: upload again
        return redirect(url_for("web.import_upload", kind=kind))
    raw = path.read_bytes()
    completed = None
    if form.completed_date.data:
        try:
            completed = dt.date.fromisoformat(form.completed_date.data)
        except ValueError:
            abort(400)
    if kind == "register":
        outcome = import_register(g.user, raw)
    else:
        outcome = import_tracker(g.user, raw, agency=form.agency.data or None,
                                 completed_date=completed)
    if outcome.rejected:  # the database changed since the preview: show it again
        db.session.rollback()
        path.unlink(missing_ok=True)
        return redirect(url_for("web.import_upload", kind=kind))
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Imported {len(outcome.created)}; skipped {len(outcome.skipped)} already recorded")
    return redirect(url_for("web.import_upload", kind=kind))
