"""Sign in and out of the web pages, and "Your account" (sign out everywhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.auth.passwords import check_password, is_locked
from dhr.auth.sessions import (
    SESSION_KEY,
    end_all_sessions,
    end_session,
    live_session_count,
    session_user,
    start_session,
)
from dhr.extensions import db, login_manager
from dhr.jobs import enqueue, notify_sign_in
from dhr.models import User
from dhr.models.types import utcnow

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Only through a live server-side session: a copied cookie of an ended session, or a
    "remember me" cookie (which carries no session id), signs nobody in."""
    user = session_user(session.get(SESSION_KEY) or "")
    return user if user is not None and str(user.id) == user_id else None


class LoginForm(FlaskForm):
    # Stripped: phones and password managers often add a trailing space.
    email = EmailField("Email address", filters=[lambda value: (value or "").strip()],
                       validators=[DataRequired("Enter your email address"),
                                   Email("Enter a valid email address"), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password"), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user off the site after sign-in.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so a
    path such as "/" + backslash + "evil.example" would lead off the site: refuse them all.
    """
    if not target or any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target):
        return url_for("web.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.dashboard")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None and is_locked(user):
            error = "This account is locked after too many failed attempts. Try again later."
        elif check_password(user, form.password.data) and user.is_enabled:
            session.clear()  # nothing from before sign-in carries over
            session[SESSION_KEY] = start_session(user)
            login_user(user)
            record("user.signed_in", user, user, {"address": request.remote_addr})
            run_after_commit(db.session, enqueue, notify_sign_in, user.id,
                             utcnow().isoformat(), request.remote_addr or "unknown")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        else:
            error = "Enter a correct email address and password."
        db.session.commit()  # keep the failed-attempt count
    status = 200 if error is None and not form.errors else 400 if request.method == "POST" else 200
    kept = (request.args.get("next") or "").startswith("/drafts/")
    return render_template("auth/login.html", form=form, error=error, draft_kept=kept), status


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    end_session(session.get(SESSION_KEY) or "", g.user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


class SignOutEverywhereForm(FlaskForm):
    """No fields: the CSRF token is the point."""


@bp.get("/account")
def account() -> ResponseReturnValue:
    return render_template("auth/account.html", form=SignOutEverywhereForm(),
                           sessions=live_session_count(g.user))


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere() -> ResponseReturnValue:
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    end_all_sessions(g.user, g.user, "signed_out_everywhere")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out on every device.")
    return redirect(url_for("auth.login"))
