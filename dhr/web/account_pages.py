"""Parts of "Your account": how the user hears of notifications, and their own API tokens
(seen and revoked here; created from the command line)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from dhr.auth.tokens import is_live, own_token, revoke_token, tokens_of
from dhr.extensions import db
from dhr.models.types import utcnow
from dhr.notifications import set_preference
from dhr.web.account_forms import ConfirmForm, PreferenceForm
from dhr.web.blueprint import bp


@bp.route("/account/notifications", methods=["GET", "POST"])
def notification_settings() -> ResponseReturnValue:
    form = PreferenceForm(data={"preference": g.user.notification_preference})
    if form.validate_on_submit():
        set_preference(g.user, form.preference.data)
        db.session.commit()
        flash("Your notification settings have been saved.")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/notification_settings.html", form=form), status


@bp.get("/account/tokens")
def api_tokens() -> ResponseReturnValue:
    now = utcnow()
    rows = [(row, is_live(row, now)) for row in tokens_of(g.user)]
    return render_template("auth/tokens.html", rows=rows)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    row = own_token(g.user, token_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        revoke_token(row, g.user)
        db.session.commit()
        flash(f"Token {row.label or row.id} has been revoked: it no longer works.")
        return redirect(url_for("web.api_tokens"))
    return render_template("auth/revoke_token.html", token=row, form=form,
                           live=is_live(row))
