"""User management for administrators (everyone) and county coordinators (their own area,
never administrators): list and find accounts, create one, change its role or scope, disable
or enable it, reset its password. The rules are dhr.user_admin's; every change is audited
and ends the person's sessions (and API tokens) as the command line does."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import Form

from dhr.auth.sessions import live_session_count
from dhr.auth.tokens import is_live, tokens_of
from dhr.errors import DomainError, InvalidInput, NotPermitted
from dhr.extensions import db
from dhr.models import ROLES, User
from dhr.models.types import utcnow
from dhr.models.users import ROLE_LABELS
from dhr.user_admin import (
    assignable_areas,
    assignable_csps,
    assignable_roles,
    can_manage_users,
    change_role,
    count_users,
    create_account,
    disable_account,
    enable_account,
    find_users,
    managed_user,
    reset_password,
)
from dhr.web.account_forms import ConfirmForm, RoleForm, UserForm
from dhr.web.blueprint import bp
from dhr.web.pagination import page_number

PER_PAGE = 50
# The order of the fields on the page (and so in the error summary).
USER_FIELDS = ("name", "email", "role", "csps", "area")


def _manager() -> User:
    if not can_manage_users(g.user):
        raise NotPermitted("Only administrators and county coordinators manage users")
    return g.user


def _offer(form: RoleForm) -> None:
    actor = g.user
    form.offer(assignable_roles(actor), assignable_csps(actor), assignable_areas(actor))


def _form_errors(form: Form, exc: DomainError) -> None:
    """Put a refusal on the fields it names (else on the role: where a choice went wrong)."""
    db.session.rollback()
    details = exc.details if isinstance(exc.details, dict) else {}
    for name, message in details.items():
        field = getattr(form, name, None) or form.role
        field.errors = [*field.errors, message]
    if not details:
        form.role.errors = [*form.role.errors, exc.message[:1].upper() + exc.message[1:]]


@bp.get("/users")
def users() -> ResponseReturnValue:
    actor = _manager()
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    search = (request.args.get("q") or "").strip()[:200]
    total = count_users(actor, role=role, search=search)
    pagination = page_number(request.args.get("page"), PER_PAGE, total)
    found = find_users(actor, role=role, search=search, offset=pagination.offset,
                       limit=PER_PAGE)

    def url_for_page(number: int) -> str:
        return url_for("web.users", role=role, q=search or None,
                       page=number if number > 1 else None)

    return render_template("admin/users.html", users=found, total=total, role=role,
                           search=search, roles=assignable_roles(actor), pagination=pagination,
                           url_for_page=url_for_page)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> ResponseReturnValue:
    actor = _manager()
    form = UserForm()
    _offer(form)
    if form.validate_on_submit():
        try:
            user, password = create_account(
                actor, email=form.email.data, name=form.name.data, role=form.role.data,
                csp_names=form.csps.data or [], area_name=form.area.data or None)
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            db.session.commit()
            return render_template("admin/user_password.html", person=user, password=password,
                                   created=True)
    status = 400 if form.errors else 200
    return render_template("admin/user_new.html", form=form, fields=USER_FIELDS), status


@bp.get("/users/<int:user_id>")
def user_page(user_id: int) -> ResponseReturnValue:
    _manager()
    person = managed_user(g.user, user_id)
    now = utcnow()
    live_tokens = sum(1 for row in tokens_of(person) if is_live(row, now))
    return render_template("admin/user.html", person=person, form=ConfirmForm(),
                           sessions=live_session_count(person), live_tokens=live_tokens)


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
def change_user_role(user_id: int) -> ResponseReturnValue:
    _manager()
    person = managed_user(g.user, user_id)
    form = RoleForm(data={"role": person.role, "csps": [c.slug for c in person.csps],
                          "area": person.area.name if person.area else ""})
    _offer(form)
    if form.validate_on_submit():
        try:
            change_role(g.user, person, role=form.role.data, csp_names=form.csps.data or [],
                        area_name=form.area.data or None)
        except NotPermitted as exc:
            db.session.rollback()
            form.role.errors = [*form.role.errors, exc.message]
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{person.display_name} is now {ROLE_LABELS[person.role]}. They have been "
                  "signed out and their API tokens revoked.")
            return redirect(url_for("web.user_page", user_id=person.id))
    status = 400 if form.errors else 200
    return render_template("admin/user_role.html", form=form, person=person), status


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
def disable_user_page(user_id: int) -> ResponseReturnValue:
    _manager()
    person = managed_user(g.user, user_id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            disable_account(g.user, person)
        except NotPermitted as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(f"{person.display_name} has been disabled: they are signed out and "
                  "cannot sign in.")
            return redirect(url_for("web.user_page", user_id=person.id))
    return render_template("admin/user_confirm.html", person=person, form=form, error=error,
                           action="disable"), 400 if error else 200


@bp.post("/users/<int:user_id>/enable")
def enable_user_page(user_id: int) -> ResponseReturnValue:
    _manager()
    person = managed_user(g.user, user_id)
    if ConfirmForm().validate_on_submit():
        enable_account(g.user, person)
        db.session.commit()
        flash(f"{person.display_name} can sign in again.")
    return redirect(url_for("web.user_page", user_id=person.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_user_password(user_id: int) -> ResponseReturnValue:
    _manager()
    person = managed_user(g.user, user_id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            password = reset_password(g.user, person)
        except NotPermitted as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            return render_template("admin/user_password.html", person=person, password=password,
                                   created=False)
    return render_template("admin/user_confirm.html", person=person, form=form, error=error,
                           action="reset"), 400 if error else 200
