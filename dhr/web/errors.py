"""The pages' error pages, in the service's layout with a way back, for every HTTP error
(400, 403, 404, 405, 413, 500...) and for a domain error no page turned into a form error
(the session is rolled back first; never a 500 for a refusal).

A form post refused for its CSRF token (the session cookie is gone, or the token ran out)
keeps what was typed (dhr.drafts) and sends the person to sign in, or straight back to the
form, where it is shown again."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from dhr.drafts import keep_lost_post
from dhr.errors import DomainError
from dhr.extensions import db
from dhr.security import sign_in_url
from dhr.web.blueprint import bp

# (title, what to say) by status; any other status gets the 400 words.
ERROR_WORDS = {
    400: ("There is a problem with what was sent", "The page could not use what was sent."),
    403: ("You cannot do this", "Your role does not allow this on this review."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you "
                            "followed a link, the page may have moved, or you may not have "
                            "access to it."),
    405: ("This page cannot be used like that", "Go back to the page you were on and use "
                                                "its buttons and links."),
    409: ("This cannot be done now", "The review is not at a stage where this can be done."),
    413: ("The file or text is too large", "What was sent is larger than this service "
                                          "accepts."),
    422: ("Something must be done first", "Something must be done before this."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you sent "
                                                       "was saved."),
}


def error_page(exc: HTTPException) -> ResponseReturnValue:
    """The error page for an HTTP error; a description given where it was raised is shown
    instead of the general words (the default descriptions are Werkzeug's, not ours)."""
    status = exc.code or 500
    title, words = ERROR_WORDS.get(status, ERROR_WORDS[400])
    default = default_exceptions.get(status)
    if exc.description and (default is None or exc.description != default.description):
        words = exc.description[:1].upper() + exc.description[1:]
    if status >= 500:
        db.session.rollback()
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return render_template("layout/error.html", status=status, title=title, words=words), status, \
        headers


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    return error_page(default_exceptions[exc.status](description=exc.message))


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> ResponseReturnValue:
    if request.blueprint == "auth":
        return error_page(exc.__class__(
            "The sign-in form had expired. Go back to sign in and try again."))
    if not current_user.is_authenticated:
        return redirect(sign_in_url(token_checked=False), 303)  # keeps what was typed
    token = keep_lost_post(current_user.id, token_checked=False)
    if token is None:
        return error_page(exc.__class__(
            "This form had expired, so nothing was saved. Go back, reload the page and try "
            "again."))
    db.session.commit()
    return redirect(url_for("web.resume_draft", token=token), 303)
