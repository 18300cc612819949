"""The page where a review's editors add restricted identifying terms (real names,
addresses). Adding is always safe, also after publication: the anonymisation check then runs
again and its result is shown on the review page. Removing is not offered here."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from dhr.extensions import db
from dhr.identifying_terms import normalise
from dhr.permissions import can_edit_review
from dhr.reviews import ReviewInputError, ReviewReadOnly, update_review
from dhr.web.blueprint import bp
from dhr.web.forms import Form, MaxLength
from dhr.web.review_pages import visible_review_or_404

MAX_TERM_CHARS = 200


class AddTermsForm(Form):
    terms = TextAreaField(
        "Identifying terms to add",
        description=("Real names and addresses, one per line. Each word of three or more "
                     "letters is also searched for on its own; write a term in double quotes "
                     "to search for it only as a whole."),
        validators=[DataRequired("Enter at least one term"), MaxLength(10000)])


@bp.route("/reviews/<int:review_id>/identifying-terms", methods=["GET", "POST"])
def identifying_terms_page(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    if not can_edit_review(g.user, review):
        abort(404)  # the terms are restricted: others never learn this page exists
    form = AddTermsForm()
    if form.validate_on_submit():
        current = list(review.identifying_terms or [])
        known = {normalise(t) for t in current}
        added = []
        for line in form.terms.data.splitlines():
            term = line.strip()
            if term and normalise(term) not in known:
                known.add(normalise(term))
                added.append(term)
        too_long = [t for t in added if len(t) > MAX_TERM_CHARS]
        if too_long:
            form.terms.errors = [f"Each term must be at most {MAX_TERM_CHARS} characters"]
        elif not added:
            form.terms.errors = ["These terms are already recorded"]
        else:
            try:
                update_review(g.user, review, {"identifying_terms": current + added})
            except (ReviewInputError, ReviewReadOnly) as exc:
                db.session.rollback()
                form.terms.errors = [_first_upper(m) for m in exc.details.values()]
            else:
                db.session.commit()
                flash(f"{len(added)} identifying {'term' if len(added) == 1 else 'terms'} "
                      "added. The anonymisation check has been run again.")
                return redirect(url_for("web.review_page", review_id=review.id,
                                        _anchor="anonymisation-check"), 303)
    status = 400 if form.errors else 200
    return render_template("reviews/identifying_terms.html", review=review, form=form), status


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
