"""The admins' pages for keeping the vocabularies: the terms of each with their use, and one
term's page to rename, retire (or bring back) and merge it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired

from dhr.errors import DomainError, NotFound
from dhr.extensions import db
from dhr.models import VocabularyTerm
from dhr.web.blueprint import bp
from dhr.web.forms import select_choices
from learning import vocabularies as operations


class LabelForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired("Enter a label")])


class RetireForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""


class MergeForm(FlaskForm):
    into = SelectField("Merge into", description="Everything tagged with this term will be "
                       "tagged with the one you choose, and this term will be removed.",
                       validators=[DataRequired("Choose the term to merge into")])


def _keeper() -> None:
    if not operations.can_keep_vocabularies(g.user):
        abort(403)


def _term(vocabulary: str, code: str) -> VocabularyTerm:
    try:
        return operations.find_term(vocabulary, code)
    except NotFound:
        abort(404)


def _show_error(form: FlaskForm, name: str, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    message = details.get(name) or exc.message[:1].upper() + exc.message[1:]
    getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.get("/vocabularies")
def vocabularies_index() -> ResponseReturnValue:
    _keeper()
    return render_template("learning/vocabularies.html", labels=operations.VOCABULARY_LABELS)


@bp.route("/vocabularies/<vocabulary>", methods=["GET", "POST"])
def vocabulary_page(vocabulary: str) -> ResponseReturnValue:
    _keeper()
    if vocabulary not in operations.VOCABULARY_LABELS:
        abort(404)
    form = LabelForm()
    if form.validate_on_submit():
        try:
            term = operations.add_term(g.user, vocabulary, form.label.data or "")
            db.session.commit()
            flash(f"Added {term.label}")
            return redirect(url_for("web.vocabulary_page", vocabulary=vocabulary))
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, "label", exc)
    return render_template("learning/vocabulary.html", vocabulary=vocabulary,
                           title=operations.VOCABULARY_LABELS[vocabulary], form=form,
                           terms=operations.terms_of(vocabulary),
                           uses=operations.usage(vocabulary)), 400 if form.errors else 200


def _term_page(term: VocabularyTerm, label_form: LabelForm | None = None,
               merge_form: MergeForm | None = None) -> ResponseReturnValue:
    label_form = label_form or LabelForm(label=term.label, formdata=None)
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.into.choices = _merge_choices(term)
    failed = bool(label_form.errors or merge_form.errors)
    return render_template(
        "learning/vocabulary_term.html", term=term, label_form=label_form,
        merge_form=merge_form,
        title=operations.VOCABULARY_LABELS[term.vocabulary],
        in_use=operations.usage(term.vocabulary).get(term.code, 0)), 400 if failed else 200


def _merge_choices(term: VocabularyTerm) -> list[Any]:
    others = [(t.code, t.label + (" (retired)" if not t.is_active else ""))
              for t in operations.terms_of(term.vocabulary) if t.id != term.id]
    return select_choices([("", "Choose a term"), *others])


@bp.get("/vocabularies/<vocabulary>/<code>")
def vocabulary_term_page(vocabulary: str, code: str) -> ResponseReturnValue:
    _keeper()
    return _term_page(_term(vocabulary, code))


@bp.post("/vocabularies/<vocabulary>/<code>/rename")
def vocabulary_term_rename(vocabulary: str, code: str) -> ResponseReturnValue:
    _keeper()
    term = _term(vocabulary, code)
    form = LabelForm()
    if form.validate_on_submit():
        try:
            operations.rename_term(g.user, term, form.label.data or "")
            db.session.commit()
            flash(f"Renamed to {term.label}")
            return redirect(url_for("web.vocabulary_page", vocabulary=vocabulary))
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, "label", exc)
    return _term_page(term, label_form=form)


@bp.post("/vocabularies/<vocabulary>/<code>/retire")
def vocabulary_term_retire(vocabulary: str, code: str) -> ResponseReturnValue:
    return _set_retired(vocabulary, code, True)


@bp.post("/vocabularies/<vocabulary>/<code>/restore")
def vocabulary_term_restore(vocabulary: str, code: str) -> ResponseReturnValue:
    return _set_retired(vocabulary, code, False)


def _set_retired(vocabulary: str, code: str, retired: bool) -> ResponseReturnValue:
    _keeper()
    term = _term(vocabulary, code)
    if not RetireForm().validate_on_submit():
        abort(400)
    try:
        operations.set_retired(g.user, term, retired)
        db.session.commit()
        flash(f"{'Retired' if retired else 'Brought back'} {term.label}")
    except DomainError:  # already so (a second click): nothing to do
        db.session.rollback()
    return redirect(url_for("web.vocabulary_page", vocabulary=vocabulary))


@bp.post("/vocabularies/<vocabulary>/<code>/merge")
def vocabulary_term_merge(vocabulary: str, code: str) -> ResponseReturnValue:
    _keeper()
    source = _term(vocabulary, code)
    form = MergeForm()
    form.into.choices = _merge_choices(source)
    if form.validate_on_submit():
        label = source.label
        try:
            target = operations.find_merge_target(vocabulary, form.into.data or "")
            operations.merge_terms(g.user, source, target)
            db.session.commit()
            flash(f"Merged {label} into {target.label}")
            return redirect(url_for("web.vocabulary_page", vocabulary=vocabulary))
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, "into", exc)
    return _term_page(source, merge_form=form)
