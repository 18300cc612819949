"""Pages of the chair pool: members and their load, ranked candidates for a review,
and expressions of interest (coordinators invite, chairs answer)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional

from dhr.bounds import form_version, positive_id
from dhr.errors import DomainError, GuardFailed, InvalidInput, NotFound, NotPermitted, Stale
from dhr.extensions import db
from dhr.models import Area, AuditEntry, Csp, Invitation, PoolMember, Review, VocabularyTerm
from dhr.models.pool import POOL_ROLE_LABELS, POOL_ROLES, TRAINING_LABELS
from dhr.models.states import STATE_LABELS
from dhr.permissions import (
    can_see_pool_member,
    can_view_review,
    visible_pool_members_clause,
    visible_reviews_clause,
)
from dhr.reviews import agency_codes
from dhr.web.blueprint import bp
from dhr.web.date_input import DateInputField
from dhr.web.forms import CheckboxesField, Form, MaxLength, put_error, select_choices
from dhr.workflow import allocation, replacement
from dhr.workflow.allocation import AllocationError, can_allocate, can_manage_pool
from dhr.workflow.declarations import may_send
from dhr.workflow.pool import (
    PoolInputError,
    add_conflict,
    add_training,
    create_member,
    remove_conflict,
    remove_training,
    update_member,
)


class MemberForm(Form):
    name = StringField("Full name", validators=[
        DataRequired("Enter the member's full name"), MaxLength(200)])
    email = EmailField("Email address", description="A chair account with this email address "
                       "is linked automatically, so the chair can sign in.", validators=[
        DataRequired("Enter an email address"), Email("Enter a valid email address"),
        MaxLength(254)])
    phone = StringField("Phone number (optional)", validators=[Optional(), MaxLength(40)])
    roles = CheckboxesField("Roles", choices=select_choices(POOL_ROLE_LABELS.items()),
                            validators=[DataRequired("Choose at least one role")])
    is_active = RadioField("Available for new reviews", default="yes",
                           choices=select_choices([("yes", "Active"), ("no", "Inactive")]))
    capacity = IntegerField("Capacity", default=2,
                            description="How many reviews this person can work on at once.",
                            validators=[InputRequired("Enter a number from 0 to 20"),
                                        NumberRange(0, 20, "Enter a number from 0 to 20")])
    areas = CheckboxesField("Areas served", description="Leave all unticked to serve any area.",
                            validators=[Optional()])
    excluded_csps = CheckboxesField("CSPs this member must not serve", validators=[Optional()])


class TrainingForm(Form):
    kind = SelectField("Training", choices=select_choices(TRAINING_LABELS.items()))
    completed_date = DateInputField("Date completed",
                                    required="Enter the date the training was completed")
    expires_date = DateInputField("Expiry date (optional)", past=False, years_ahead=10,
                                  description="Leave empty to use the standard validity.")
    note = StringField("Note (optional)", validators=[Optional(), MaxLength(500)])


class ConflictForm(Form):
    agency = SelectField("Agency", validators=[DataRequired("Choose the agency")])
    note = StringField("Details (optional)", description="For example: employed 2012 to 2018.",
                       validators=[Optional(), MaxLength(500)])


class ReplacementForm(Form):
    """Replace the appointed chair or report writer: the problems are the operation's
    (allocation.replace_appointee lists them all at once), so the fields check only form."""

    member_id = RadioField("Who takes over", validate_choice=False)
    reason = TextAreaField(
        "Reason for the replacement",
        description="For example: illness, or a conflict of interest found after the "
                    "appointment. It is kept in the review's history.",
        validators=[Optional(), MaxLength(10_000, message="Keep the reason under 10,000 "
                                                              "characters")])
    date = DateInputField("Date of the replacement", default=date.today)
    role = HiddenField()
    lock_version = HiddenField()


def _require_pool_manager() -> None:
    if not can_manage_pool(g.user):
        abort(403)


def _member_or_404(member_id: int) -> PoolMember:
    """A member of the pool the user keeps: another area's member is not found."""
    member = db.session.get(PoolMember, member_id)
    if member is None or not can_see_pool_member(g.user, member):
        abort(404)
    return member


def _agency_choices() -> list[SelectChoice]:
    terms = db.session.scalars(
        select(VocabularyTerm)
        .where(VocabularyTerm.vocabulary == "agency", VocabularyTerm.is_active)
        .order_by(VocabularyTerm.position))
    return select_choices([("", "Choose an agency"), *((t.code, t.label) for t in terms)])


def _member_form(member: PoolMember | None = None) -> MemberForm:
    form = MemberForm()
    form.areas.choices = select_choices((a.name, a.name) for a in db.session.scalars(
        select(Area).order_by(Area.name)))
    form.excluded_csps.choices = select_choices((c.name, c.name) for c in db.session.scalars(
        select(Csp).order_by(Csp.name)))
    if member is not None and request.method == "GET":
        form.name.data, form.email.data, form.phone.data = member.name, member.email, member.phone
        form.roles.data = list(member.roles or [])
        form.is_active.data = "yes" if member.is_active else "no"
        form.capacity.data = member.capacity
        form.areas.data = [a.name for a in member.areas]
        form.excluded_csps.data = [c.name for c in member.excluded_csps]
    return form


def _form_values(form: MemberForm) -> dict:
    return {
        "name": form.name.data, "email": form.email.data, "phone": form.phone.data,
        "roles": form.roles.data, "is_active": form.is_active.data == "yes",
        "capacity": form.capacity.data, "areas": form.areas.data or [],
        "excluded_csps": form.excluded_csps.data or [],
    }


def _show_errors(form: Form, details: dict[str, str]) -> None:
    for name, message in details.items():
        put_error(getattr(form, name.split(".")[0], None) or form.name, message)


# The pool ----------------------------------------------------------------------------------

@bp.get("/pool")
def pool_index() -> ResponseReturnValue:
    _require_pool_manager()
    members = list(db.session.scalars(select(PoolMember).where(
        visible_pool_members_clause(g.user)).order_by(PoolMember.name)))
    current = allocation.reviews_by_member([m.id for m in members], current=True)
    today = date.today()
    rows = []
    for member in members:
        role = "chair" if member.has_role("chair") else "report_writer"
        rows.append({
            "member": member, "current": current.get(member.id, []),
            "trained_until": allocation.trained_until(member, role),
            "expiring": allocation.training_expiring_soon(member, today),
            "lapsed": allocation.training_lapsed_on_live_review(
                member, current.get(member.id, []), today),
        })
    waiting = db.session.scalars(
        select(Review).where(visible_reviews_clause(g.user),
                             Review.state == "chair_appointment")
        .order_by(Review.notification_date)).all()
    return render_template("pool/index.html", rows=rows, today=today, waiting=waiting,
                           role_labels=POOL_ROLE_LABELS,
                           warning_days=allocation.EXPIRY_WARNING_DAYS)


@bp.route("/pool/new", methods=["GET", "POST"])
def pool_new() -> ResponseReturnValue:
    _require_pool_manager()
    form = _member_form()
    if form.validate_on_submit():
        try:
            member = create_member(g.user, _form_values(form))
        except PoolInputError as exc:
            db.session.rollback()
            _show_errors(form, exc.details)
        else:
            db.session.commit()
            flash(f"{member.name} added to the pool. Record their training next.")
            return redirect(url_for("web.pool_member", member_id=member.id))
    return render_template("pool/edit.html", form=form, member=None), 400 if form.errors else 200


@bp.route("/pool/<int:member_id>/edit", methods=["GET", "POST"])
def pool_edit(member_id: int) -> ResponseReturnValue:
    _require_pool_manager()
    member = _member_or_404(member_id)
    form = _member_form(member)
    if form.validate_on_submit():
        try:
            update_member(g.user, member, _form_values(form))
        except PoolInputError as exc:
            db.session.rollback()
            _show_errors(form, exc.details)
        else:
            db.session.commit()
            flash(f"{member.name}'s record is saved.")
            return redirect(url_for("web.pool_member", member_id=member.id))
    return render_template("pool/edit.html", form=form, member=member), \
        400 if form.errors else 200


def _render_member(member: PoolMember, training_form: TrainingForm | None = None,
                   conflict_form: ConflictForm | None = None) -> ResponseReturnValue:
    training_form = training_form or TrainingForm(prefix="training", formdata=None)
    conflict_form = conflict_form or ConflictForm(prefix="conflict", formdata=None)
    conflict_form.agency.choices = _agency_choices()
    current, past = allocation.current_reviews(member), allocation.past_reviews(member)
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.member_id == member.id)
        .order_by(Invitation.invited_dt.desc())).all()
    status = 400 if training_form.errors or conflict_form.errors else 200
    return render_template(
        "pool/member.html", member=member, training_form=training_form,
        conflict_form=conflict_form, agency_labels=agency_codes(), today=date.today(),
        current=[r for r in current if can_view_review(g.user, r)],
        current_hidden=sum(1 for r in current if not can_view_review(g.user, r)),
        past=[r for r in past if can_view_review(g.user, r)],
        past_hidden=sum(1 for r in past if not can_view_review(g.user, r)),
        invitations=[i for i in invitations if can_view_review(g.user, i.review)],
        effective_expiry=allocation.effective_expiry,
        trained_until=allocation.trained_until(
            member, "chair" if member.has_role("chair") else "report_writer"),
        role_labels=POOL_ROLE_LABELS,
    ), status


@bp.get("/pool/<int:member_id>")
def pool_member(member_id: int) -> ResponseReturnValue:
    _require_pool_manager()
    return _render_member(_member_or_404(member_id))


@bp.post("/pool/<int:member_id>/training")
def pool_add_training(member_id: int) -> ResponseReturnValue:
    _require_pool_manager()
    member = _member_or_404(member_id)
    form = TrainingForm(prefix="training")
    if form.validate():
        if form.completed_date.data > date.today():
            form.completed_date.errors.append("The date completed must not be in the future")
        elif form.expires_date.data and form.expires_date.data < form.completed_date.data:
            form.expires_date.errors.append("The expiry date must be after the date completed")
        else:
            add_training(g.user, member, form.kind.data, form.completed_date.data,
                         form.expires_date.data, form.note.data or "")
            db.session.commit()
            flash(f"{TRAINING_LABELS[form.kind.data]} recorded for {member.name}.")
            return redirect(url_for("web.pool_member", member_id=member.id))
    return _render_member(member, training_form=form)


@bp.route("/pool/<int:member_id>/training/<int:training_id>/remove", methods=["GET", "POST"])
def pool_remove_training(member_id: int, training_id: int) -> ResponseReturnValue:
    """Removing a training record can end a chair's eligibility: it is confirmed first."""
    _require_pool_manager()
    member = _member_or_404(member_id)
    training = next((t for t in member.training if t.id == training_id), None)
    if training is None:
        abort(404)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        others = [t for t in member.training if t.id != training.id]
        consequence = ("This is the only training recorded for "
                       f"{member.name}: without it they cannot be appointed."
                       if not others else "")
        return render_template("pool/remove_training.html", member=member, training=training,
                               valid_until=allocation.effective_expiry(training),
                               consequence=consequence)
    remove_training(g.user, member, training)
    db.session.commit()
    flash("Training record removed.")
    return redirect(url_for("web.pool_member", member_id=member.id))


@bp.post("/pool/<int:member_id>/conflicts")
def pool_add_conflict(member_id: int) -> ResponseReturnValue:
    _require_pool_manager()
    member = _member_or_404(member_id)
    form = ConflictForm(prefix="conflict")
    form.agency.choices = _agency_choices()
    if form.validate():
        try:
            add_conflict(g.user, member, form.agency.data, form.note.data or "")
        except PoolInputError as exc:
            db.session.rollback()
            put_error(form.agency, next(iter(exc.details.values())))
        else:
            db.session.commit()
            flash("Conflict of interest recorded.")
            return redirect(url_for("web.pool_member", member_id=member.id))
    return _render_member(member, conflict_form=form)


@bp.post("/pool/<int:member_id>/conflicts/<int:conflict_id>/remove")
def pool_remove_conflict(member_id: int, conflict_id: int) -> ResponseReturnValue:
    _require_pool_manager()
    member = _member_or_404(member_id)
    conflict = next((c for c in member.conflicts if c.id == conflict_id), None)
    if conflict is None:
        abort(404)
    remove_conflict(g.user, member, conflict)
    db.session.commit()
    flash("Conflict of interest removed.")
    return redirect(url_for("web.pool_member", member_id=member.id))


# Candidates and invitations ----------------------------------------------------------------

def _allocatable_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or not can_view_review(g.user, review):
        abort(404)
    if not can_allocate(g.user, review):
        abort(403)
    return review


@bp.app_template_global()
def can_replace_appointee(review: Review) -> bool:
    """For the review page: link to the replacement form next to the chair's name."""
    user = g.get("user")
    return (user is not None and replacement.replacement_open(review)
            and replacement.can_replace(user, review))


def _replacement_form(review: Review, role: str, candidates: list[allocation.Candidate],
                      form: ReplacementForm | None) -> ReplacementForm | None:
    """The form to replace the appointed `role`, when there is one and it may be replaced
    (whoever sees the candidates may replace: the same people appoint)."""
    appointed = review.chair if role == "chair" else review.report_writer
    if appointed is None or not can_replace_appointee(review):
        return None
    if form is None:
        form = ReplacementForm(prefix="replace", formdata=None)
        form.lock_version.data = str(review.lock_version)
    form.role.data = role
    form.member_id.choices = select_choices(
        (str(c.member.id), f"{c.member.name} ({c.load} of {c.member.capacity} current "
                           f"reviews)")
        for c in candidates if c.eligible and c.member.id != appointed.id)
    return form


def _choose_url(review: Review, role: str) -> Callable[[allocation.Candidate], str | None]:
    """Where choosing a candidate leads: the appointment to confirm, when it can be made now."""
    can_choose = (review.state == "chair_appointment" and not review.is_paused
                  and may_send(g.user, review, "appoint_chair"))

    def url(candidate: allocation.Candidate) -> str | None:
        if not can_choose or not candidate.eligible:
            return None
        return url_for("web.review_event", review_id=review.id, event="appoint_chair",
                       **{f"{role}_id": candidate.member.id})

    return url


def _appointment_entry(review: Review, role: str) -> AuditEntry | None:
    """The history entry that made the current appointment (the event or a replacement)."""
    actions = ["event.appoint_chair", f"{role}.replaced"]
    return db.session.scalar(
        select(AuditEntry).where(AuditEntry.review_id == review.id,
                                 AuditEntry.action.in_(actions))
        .order_by(AuditEntry.id.desc()).limit(1))


def _render_candidates(review: Review, role: str, errors: list[str] | None = None,
                       status: int = 200, replace_form: ReplacementForm | None = None
                       ) -> ResponseReturnValue:
    candidates = allocation.rank_candidates(review, role, viewer=g.user)
    appointed = review.chair if role == "chair" else review.report_writer
    return render_template("pool/candidates.html", review=review, candidates=candidates,
                           role=role, role_labels=POOL_ROLE_LABELS, with_actions=True,
                           errors=errors or [], choose_url=_choose_url(review, role),
                           appointed=appointed,
                           appointment=_appointment_entry(review, role) if appointed else None,
                           replace_form=_replacement_form(review, role, candidates,
                                                          replace_form)), status


@bp.get("/reviews/<int:review_id>/chair-candidates")
def pool_candidates(review_id: int) -> ResponseReturnValue:
    review = _allocatable_review_or_404(review_id)
    role = request.args.get("role", "chair")
    return _render_candidates(review, role if role in POOL_ROLES else "chair")


@bp.post("/reviews/<int:review_id>/chair-invitations")
def pool_invite(review_id: int) -> ResponseReturnValue:
    review = _allocatable_review_or_404(review_id)
    role = request.form.get("role", "chair")
    member_id = positive_id(request.form.get("member_id"))
    member = db.session.get(PoolMember, member_id) if member_id else None
    if member is None or role not in POOL_ROLES or not can_see_pool_member(g.user, member):
        abort(400)
    try:
        allocation.invite(review, member, g.user, role)
    except AllocationError as exc:
        db.session.rollback()
        reasons = (exc.details or {}).get("reasons", [])
        return _render_candidates(review, role, [exc.message, *reasons], exc.status)
    db.session.commit()
    flash(f"{member.name} has been invited to express interest.")
    return redirect(url_for("web.pool_candidates", review_id=review.id, role=role))


@bp.post("/reviews/<int:review_id>/chair-replacement")
def pool_replace(review_id: int) -> ResponseReturnValue:
    review = _allocatable_review_or_404(review_id)
    form = ReplacementForm(prefix="replace")
    role = form.role.data if form.role.data in POOL_ROLES else "chair"
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400, "The form has expired. Go back, reload the page and try again.")
        if form.date.errors:
            form.date.errors = ["Enter the date of the replacement as a real date"]
        return _render_candidates(review, role, status=400, replace_form=form)
    chosen = form.member_id.data
    member_id = positive_id(chosen)
    member = db.session.get(PoolMember, member_id) if member_id else None
    if member is not None and not can_see_pool_member(g.user, member):
        member = None
    version = form.lock_version.data
    previous = review.chair if role == "chair" else review.report_writer
    try:
        replacement.replace_appointee(
            review, member, role, form.reason.data or "", g.user, form.date.data,
            expected_version=form_version(version))
    except (NotFound, NotPermitted):
        db.session.rollback()
        abort(403)
    except InvalidInput as exc:
        db.session.rollback()
        form.date.errors = [f"The date of the replacement {message}"
                            for message in (exc.details or {}).values()]
        return _render_candidates(review, role, status=400, replace_form=form)
    except Stale:
        db.session.rollback()
        db.session.refresh(review)
        form.lock_version.data = str(review.lock_version)
        return _render_candidates(review, role, [
            "Someone else changed this review while you were filling in the form: it is now "
            f"at the stage '{STATE_LABELS[review.state]}'. Check the chair and try again."],
            409, form)
    except DomainError as exc:  # GuardFailed (422) or IllegalMove (409)
        db.session.rollback()
        problems = exc.missing if isinstance(exc, GuardFailed) else [exc.message]
        return _render_candidates(review, role, problems, exc.status, form)
    db.session.commit()
    flash(f"{member.name} is now the {allocation.ROLE_WORDS[role]} of {review.reference}, "
          f"replacing {previous.name}. The reason is kept in the history.")
    return redirect(url_for("web.review_page", review_id=review.id, _anchor="history"), 303)


def _render_invitations(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("pool/invitations.html",
                           invitations=allocation.invitations_for_user(g.user),
                           agency_labels=agency_codes(), role_labels=POOL_ROLE_LABELS,
                           error=error), status


@bp.get("/chair-invitations")
def pool_my_invitations() -> ResponseReturnValue:
    return _render_invitations()


@bp.post("/chair-invitations/<int:invitation_id>/respond")
def pool_respond(invitation_id: int) -> ResponseReturnValue:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not allocation.can_see_invitation(g.user, invitation):
        abort(404)
    try:
        allocation.respond(invitation, g.user, request.form.get("response", ""))
    except AllocationError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        return _render_invitations(f"Your answer was not recorded: {exc.message}.", exc.status)
    db.session.commit()
    flash(f"You have {invitation.state} the invitation for {invitation.review.reference}.")
    return redirect(url_for("web.pool_my_invitations"))
