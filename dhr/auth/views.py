"""Sign in and out of the web pages (password, then the second factor where required), and
"Your account" (sign out everywhere)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from dhr.after_commit import run_after_commit
from dhr.audit import record
from dhr.auth import two_factor
from dhr.auth.passwords import check_password, clear_failures, count_failure, must_wait
from dhr.auth.sessions import (
    SESSION_KEY,
    complete_second_factor,
    end_all_sessions,
    end_session,
    live_session,
    live_session_count,
    start_session,
)
from dhr.extensions import db, limiter, login_manager
from dhr.jobs import enqueue, notify_sign_in
from dhr.models import User
from dhr.models.types import utcnow

bp = Blueprint("auth", __name__)
REFUSED = "Enter a correct email address and password."
WRONG_CODE = "Enter a correct code from your authenticator app, or an unused recovery code."
# Audited in place of an account when the e-mail address typed is nobody's.
_NO_ACCOUNT = SimpleNamespace(__tablename__="users", id=None)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Only through a live server-side session: a copied cookie of an ended session, or a
    "remember me" cookie (which carries no session id), signs nobody in. Whether the session
    still waits for its second factor is kept in g for security._authenticate."""
    row = live_session(session.get(SESSION_KEY) or "")
    if row is None or str(row.user.id) != user_id:
        return None
    g.awaiting_second_factor = row.awaiting_second_factor
    return row.user


def _address_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _refused(response: Response) -> bool:
    """Only refused attempts count against the address: a busy office behind one address
    signs in all morning without reaching the limit."""
    return response.status_code == 400


_throttled = limiter.limit(_address_limit, methods=["POST"], deduct_when=_refused)


@bp.errorhandler(TooManyRequests)
def _too_many_requests(_exc: TooManyRequests) -> ResponseReturnValue:
    return render_template("auth/too_many_requests.html"), 429


class LoginForm(FlaskForm):
    # Stripped: phones and password managers often add a trailing space.
    email = EmailField("Email address", filters=[lambda value: (value or "").strip()],
                       validators=[DataRequired("Enter your email address"),
                                   Email("Enter a valid email address"), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password"), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[
        DataRequired("Enter the 6-digit code from your authenticator app"),
        Length(max=40, message="Enter the 6-digit code from your authenticator app")])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user off the site after sign-in.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so a
    path such as "/" + backslash + "evil.example" would lead off the site: refuse them all.
    """
    if not target or any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target):
        return url_for("web.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    return target


def _record_sign_in(user: User, **audit: str) -> None:
    """Fully signed in (after the second factor where there is one): audit it, and tell the
    user by a notification once the commit has happened."""
    record("user.signed_in", user, user, {"address": request.remote_addr, **audit})
    run_after_commit(db.session, enqueue, notify_sign_in, user.id,
                     utcnow().isoformat(), request.remote_addr or "unknown")


def _signed_in(user: User, target: str, **audit: str) -> ResponseReturnValue:
    _record_sign_in(user, **audit)
    db.session.commit()
    return redirect(target)


def _password_accepted(user: User) -> ResponseReturnValue:
    session.clear()  # nothing from before sign-in carries over
    pending = two_factor.required_for(user)
    session[SESSION_KEY] = start_session(user, awaiting_second_factor=pending)
    login_user(user)
    g.awaiting_second_factor = pending  # as the user loader would say from now on
    target = _safe_next(request.args.get("next"))
    if not pending:
        return _signed_in(user, target)
    session["next"] = target
    record("user.password_accepted", user, user, {"address": request.remote_addr})
    db.session.commit()
    step = "auth.two_factor_code" if two_factor.is_enrolled(user) else "auth.two_factor_setup"
    return redirect(url_for(step))


def _audit_refusal(action: str, user: User | None, reason: str, **data: str) -> None:
    """Who was refused, from where and why (never what they typed as a password or code)."""
    record(action, user or _NO_ACCOUNT, None,
           {"address": request.remote_addr, "reason": reason, **data})


@bp.route("/sign-in", methods=["GET", "POST"])
@_throttled
def login() -> ResponseReturnValue:
    """The same answer, after the same work (one argon2 verification), whether the account
    exists, is disabled, must wait after failures, or the password is wrong."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        accepted, reason = check_password(user, form.password.data)
        if accepted and user is not None:
            return _password_accepted(user)
        _audit_refusal("user.sign_in_failed", user, reason,
                       **({"email": email} if user is None else {}))
        db.session.commit()  # keep the failure count and the audit entry
        error = REFUSED
    status = 400 if request.method == "POST" and (error or form.errors) else 200
    kept = (request.args.get("next") or "").startswith("/drafts/")
    return render_template("auth/login.html", form=form, error=error, draft_kept=kept), status


def _awaiting() -> bool:
    return bool(g.get("awaiting_second_factor"))


def _second_factor_done() -> None:
    complete_second_factor(session.get(SESSION_KEY) or "")
    g.awaiting_second_factor = False


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@_throttled
def two_factor_code() -> ResponseReturnValue:
    """Second step of signing in: a code from the authenticator app, or a recovery code."""
    user = g.user
    if not _awaiting():
        return redirect(url_for("web.dashboard"))
    if not two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_setup"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if must_wait(user):
            used, reason = None, "waiting"
        else:
            used = two_factor.check_second_factor(user, form.code.data)
            reason = "wrong_code"
        if used is not None:
            clear_failures(user)
            _second_factor_done()
            return _signed_in(user, session.pop("next", url_for("web.dashboard")),
                              second_factor=used)
        if reason == "wrong_code":
            count_failure(user)
        _audit_refusal("user.second_factor_failed", user, reason)
        db.session.commit()
        error = WRONG_CODE
    status = 400 if request.method == "POST" and (error or form.errors) else 200
    return render_template("auth/two_factor_code.html", form=form, error=error,
                           user=None), status


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@_throttled
def two_factor_setup() -> ResponseReturnValue:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code;
    then the recovery codes are shown, this once."""
    user = g.user
    if two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_status"))
    secret = two_factor.enrolment_secret(user)
    db.session.commit()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        codes = two_factor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            target = session.pop("next", url_for("web.dashboard"))
            if _awaiting():
                _second_factor_done()
                _record_sign_in(user, second_factor="enrolled")
            db.session.commit()
            return render_template("auth/two_factor_recovery_codes.html", codes=codes,
                                   target=target)
        _audit_refusal("user.second_factor_failed", user, "wrong_enrolment_code")
        db.session.commit()
        error = "Enter the 6-digit code your authenticator app shows now."
    status = 400 if request.method == "POST" and (error or form.errors) else 200
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/two_factor_setup.html", form=form, error=error,
        qr_code=Markup(two_factor.qr_code_svg(uri)),  # noqa: S704 - segno's own SVG
        secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        awaiting=_awaiting(), **({"user": None} if _awaiting() else {})), status


@bp.get("/account/two-factor")
def two_factor_status() -> ResponseReturnValue:
    return render_template("auth/two_factor_status.html",
                           enrolled=two_factor.is_enrolled(g.user),
                           required=two_factor.required_for(g.user),
                           codes_left=two_factor.recovery_codes_left(g.user))


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    end_session(session.get(SESSION_KEY) or "", g.user)
    db.session.commit()
    logout_user()
    session.clear()
    g.pop("awaiting_second_factor", None)
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
