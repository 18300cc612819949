"""A review's page (GOV.UK task list of its stages, what is missing for the next step, the
history), the form for each lifecycle event, and the form to record a new notification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from sqlalchemy import select

from dhr import errors
from dhr.audit import review_history
from dhr.bounds import form_version, positive_id
from dhr.extensions import db
from dhr.models import AuditEntry, Csp, HoAmendment, PoolMember, Review, VocabularyTerm
from dhr.models.states import STATE_LABELS
from dhr.permissions import (
    can_create_review_in,
    can_create_reviews,
    can_edit_review,
    can_view_review,
    sees_restricted_detail,
)
from dhr.review_input import ReviewCreate
from dhr.reviews import NotPermitted, ReviewInputError, agency_codes, create_review
from dhr.web.blueprint import bp
from dhr.web.event_forms import field_specs, form_data, make_form
from dhr.web.forms import NotificationForm, put_error, select_choices
from dhr.web.next_steps import SIDE_EVENTS, Step, next_steps
from dhr.web.templating import format_date, humanise
from dhr.wording import sentence_case
from dhr.workflow.allocation import (
    REPLACED_ACTIONS,
    ROLE_WORDS,
    describe_replacement,
    rank_candidates,
)
from dhr.workflow.amendments import AmendmentDone, amendments_for, mark_done
from dhr.workflow.clocks import Clocks, clocks_for
from dhr.workflow.declarations import EVENT_DATA, EVENT_LABELS, EVENTS, may_send
from dhr.workflow.drafting import panel_or_scope
from dhr.workflow.engine import (
    EventOption,
    available_events,
    event_problems,
    possible_events,
    send_event,
)
from dhr.workflow.events import CHOICE_LABELS, PAUSE_REASON_LABELS


def visible_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or not can_view_review(g.user, review):
        abort(404)
    return review


# --- the task list --------------------------------------------------------------------------

# (key, name, the states in which this stage is the one in progress)
STAGES = (
    ("decision", "Decide whether to hold a review", ("notified",)),
    ("scrutiny", "Home Office scrutiny of the decision not to review",
     ("no_review_ho_scrutiny",)),
    ("chair", "Appoint an independent chair", ("chair_appointment",)),
    ("scope", "Convene the panel and agree the terms of reference", ("panel_and_scope",)),
    ("information", "Gather information from agencies (IMRs, chronologies)",
     ("information_gathering",)),
    ("drafting", "Draft the overview report, executive summary and action plan", ("drafting",)),
    ("local_qa", "Local quality assurance by the DHR sub-group", ("local_qa",)),
    ("submission", "CSP sign-off and submission to the Home Office",
     ("ready_for_submission",)),
    ("home_office", "Home Office quality assurance", ("home_office_qa", "ho_amendments")),
    ("publication", "Publication", ("publication_pending",)),
    ("monitoring", "Monitor the action plan and close the review", ("published",)),
)
# Stages whose lateness the statutory completion clock measures (completion = submission).
BEFORE_SUBMISSION = frozenset({"chair", "scope", "information", "drafting", "local_qa",
                               "submission"})


@dataclass
class Stage:
    key: str
    name: str
    status: str  # completed, in_progress, overdue, paused, cannot_start, not_needed, withdrawn
    hint: str = ""
    options: list[EventOption] = field(default_factory=list)
    link: str | None = None  # where the stage's name leads: the first step offered


def _withdrawn_from(review: Review) -> str | None:
    return db.session.scalar(
        select(AuditEntry.from_state)
        .where(AuditEntry.review_id == review.id, AuditEntry.action == "event.withdraw")
        .order_by(AuditEntry.id.desc()).limit(1)
    )


def _stage_of(state: str | None) -> str | None:
    for key, _, states in STAGES:
        if state in states:
            return key
    return None


def stages_for(review: Review, clocks: Clocks, options: list[EventOption],
               steps: list[Step] | None = None) -> list[Stage]:
    """The stages of the review with their status, in the GOV.UK task list's terms."""
    state = review.state
    if state == "withdrawn":  # show where it stopped
        state = _withdrawn_from(review) or "notified"
    if state in {"no_review_ho_scrutiny", "closed_no_review"}:
        keys = ["decision", "scrutiny"]
    else:
        keys = [key for key, _, _ in STAGES if key != "scrutiny" or review.is_directed]
    current = _stage_of(state)
    finished = review.state in {"closed", "closed_no_review"}
    result = []
    position = keys.index(current) if current in keys else len(keys)
    for index, key in enumerate(keys):
        name = next(n for k, n, _ in STAGES if k == key)
        if finished or index < position:
            status = "completed"
        elif index > position:
            status = "not_needed" if review.state == "withdrawn" else "cannot_start"
        elif review.state == "withdrawn":
            status = "withdrawn"
        elif review.is_paused:
            status = "paused"
        elif (key == "decision" and clocks.decision_overdue) or (
                key in BEFORE_SUBMISSION and clocks.completion_overdue):
            status = "overdue"
        else:
            status = "in_progress"
        stage = Stage(key, name, status)
        if status in {"in_progress", "overdue", "paused"}:
            order = {step.event: index for index, step in enumerate(steps or [])}
            stage.options = sorted((o for o in options if o.event not in SIDE_EVENTS),
                                   key=lambda o: order.get(o.event, len(order)))
            stage.link = next((s.url for s in steps or [] if not s.is_side), None)
        result.append(stage)
    return result


def _spoken(value: Any, agencies: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value)) if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, list):
        return "; ".join(_spoken(agencies.get(v, v) if isinstance(v, str) else v, agencies)
                         for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{humanise(k)} version {v}" for k, v in sorted(value.items()))
    return str(value)


def _member_name(member_id: Any, recorded: str | None = None) -> str:
    """A pool member's name for the history (the name recorded at the time, if any)."""
    member = db.session.get(PoolMember, member_id) if isinstance(member_id, int) else None
    return recorded or (member.name if member else "a former pool member")


def _names_a_pool_member(field_info: Any) -> bool:
    extra = field_info.json_schema_extra if isinstance(field_info.json_schema_extra, dict) else {}
    return extra.get("choices") == "pool"


INVITATION_TITLES = {
    "sent": "Invitation to be the {role} sent to {name}",
    "accepted": "{name} said yes to being the {role}",
    "declined": "{name} declined to be the {role}",
    "not_needed": "Invitation to {name} no longer needed: someone else was appointed {role}",
}


def history_title(entry: AuditEntry) -> str:
    """The heading of a history entry, in words (names, never ids)."""
    event = entry.action.removeprefix("event.")
    if event != entry.action and event in EVENT_LABELS:
        title = EVENT_LABELS[event]
        if entry.to_state and entry.from_state and entry.to_state != entry.from_state:
            title += (f": {STATE_LABELS.get(entry.from_state, entry.from_state)} → "
                      f"{STATE_LABELS.get(entry.to_state, entry.to_state)}")
        return title
    kind, _, outcome = entry.action.partition(".")
    data = entry.data or {}
    if kind == "chair_invitation" and outcome in INVITATION_TITLES:
        return INVITATION_TITLES[outcome].format(
            name=_member_name(data.get("member_id"), data.get("member")),
            role=ROLE_WORDS.get(data.get("role", "chair"), "chair"))
    return humanise(entry.action.removeprefix("review.").replace(".", "_"))


def history_details(entry: AuditEntry, agencies: dict[str, str]) -> list[tuple[str, str]]:
    """The data an event recorded, as (label, words) for the timeline: names and words,
    never database ids."""
    if entry.action in REPLACED_ACTIONS:
        return describe_replacement(entry.data or {})
    if entry.action.startswith("chair_invitation.") and (entry.data or {}).get("note"):
        return [("Note", entry.data["note"])]
    event = entry.action.removeprefix("event.")
    if event == entry.action or event not in EVENT_DATA:
        return []
    fields = EVENT_DATA[event].model_fields
    rows = []
    for key, value in (entry.data or {}).items():
        if value in (None, "", [], {}):
            continue
        info = fields.get(key)
        title = info.title if info is not None and info.title else humanise(key)
        if info is not None and _names_a_pool_member(info):
            rows.append((title.removesuffix(" (optional)"), _member_name(value)))
            continue
        choice = CHOICE_LABELS.get(key, {}).get(value) if isinstance(value, str) else None
        rows.append((title, choice or _spoken(value, agencies)))
    return rows


def _pause_note(review: Review) -> str:
    if not review.is_paused:
        return ""
    return PAUSE_REASON_LABELS.get(review.pause_reason or "", review.pause_reason or "")


@bp.get("/reviews/<int:review_id>")
def review_page(review_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    restricted = sees_restricted_detail(g.user)
    clocks = clocks_for(review)
    options = available_events(review, g.user) if restricted else []
    steps = next_steps(review, g.user, options)
    amendments = amendments_for(review) if restricted else []
    agencies = agency_codes()
    return render_template(
        "reviews/review.html", review=review, clocks=clocks,
        history=review_history(review) if restricted else [],
        restricted=restricted, can_edit=can_edit_review(g.user, review),
        agency_labels=agencies, history_details=history_details, history_title=history_title,
        stages=stages_for(review, clocks, options, steps),
        options=options, steps=steps, event_labels=EVENT_LABELS, pause_reason=_pause_note(review),
        amendments=amendments,
        can_mark_amendments=(review.state == "ho_amendments"
                             and may_send(g.user, review, "complete_amendments")),
    )


# --- the event forms ------------------------------------------------------------------------

# The success banner's sentence for each event.
DONE_WORDS = {
    "decide_to_review": "You recorded the decision to hold a review",
    "decide_not_to_review": "You recorded the decision not to hold a review",
    "ho_accepts_no_review": "You recorded that the Home Office accepts the decision",
    "ho_directs_review": "You recorded that the Home Office directs a review",
    "appoint_chair": "You appointed the independent chair",
    "agree_terms_of_reference": "You recorded that the terms of reference are agreed",
    "complete_information_gathering": "You completed information gathering",
    "submit_for_local_qa": "You submitted the report for local quality assurance",
    "return_from_local_qa": "You returned the report to the chair",
    "approve_local_qa": "You approved the report after local quality assurance",
    "submit_to_home_office": "You recorded the submission to the Home Office",
    "record_ho_outcome": "You recorded the Home Office outcome",
    "complete_amendments": "You recorded that the Home Office amendments are complete",
    "publish": "You recorded the publication of the report",
    "withhold_publication": "You recorded that publication is withheld",
    "close_review": "You closed the review",
    "pause": "You paused the review",
    "resume": "You resumed the review",
    "withdraw": "You withdrew the review",
}


def _choices() -> dict[str, list[tuple[str, str]]]:
    agencies = db.session.scalars(
        select(VocabularyTerm).where(VocabularyTerm.vocabulary == "agency",
                                     VocabularyTerm.is_active)
        .order_by(VocabularyTerm.position))
    return {"agencies": [(t.code, t.label) for t in agencies]}


def _eligible_choices(review: Review) -> dict[str, list[tuple[str, str]]]:
    """For the appointment: only the eligible, in the pool's ranking order (never everyone
    alphabetically), each with their load."""
    choices = {}
    for name, role in (("chair_id", "chair"), ("report_writer_id", "report_writer")):
        choices[name] = [
            (str(c.member.id), f"{c.member.name} ({c.load} of {c.member.capacity} current "
                               f"reviews{'; ' + c.warnings[0] if c.warnings else ''})")
            for c in rank_candidates(review, role, viewer=g.user) if c.eligible]
    return choices


def _chosen(form: Any, event: str) -> dict[str, PoolMember]:
    """On the appointment's form opened from the candidates page: who was chosen."""
    chosen = {}
    if event != "appoint_chair":
        return chosen
    for name in ("chair_id", "report_writer_id"):
        member_id = positive_id(request.args.get(name))
        allowed = {choice.value for choice in getattr(form, name).choices}
        member = db.session.get(PoolMember, member_id) if member_id else None
        if member is not None and str(member.id) in allowed:
            getattr(form, name).data = str(member.id)
            chosen[name] = member
    return chosen


@bp.route("/reviews/<int:review_id>/events/<event>", methods=["GET", "POST"])
def review_event(review_id: int, event: str) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    if event not in EVENTS:
        abort(404)
    if not may_send(g.user, review, event):
        abort(403)
    choices = _choices() | (_eligible_choices(review) if event == "appoint_chair" else {})
    form = make_form(event, choices)
    if event == "appoint_chair":  # someone no longer listed is refused with the pool's reasons
        form.chair_id.validate_choice = form.report_writer_id.validate_choice = False
    problems: list[str] = []
    chosen: dict[str, PoolMember] = {}
    status = 200
    if form.is_submitted():
        status, problems = _submit(review, event, form)
        if status == 303:
            flash(f"{DONE_WORDS[event]}. The review is now at the stage "
                  f"'{STATE_LABELS[review.state]}'.")
            return redirect(url_for("web.review_page", review_id=review.id), 303)
    else:
        if not form.expected_version.data:  # a kept draft brings its own
            form.expected_version.data = str(review.lock_version)
        if event == "agree_terms_of_reference" and not form.panel_agencies.data:
            form.panel_agencies.data = panel_or_scope(review)
        chosen = _chosen(form, event)
        if event not in possible_events(review):
            problems = [sentence_case(_not_now(review, event))]
            status = 409
    options = {o.event: o for o in available_events(review, g.user)}
    ahead = options[event].missing if event in options and not problems else []
    return render_template(
        "reviews/event.html", review=review, event=event, label=EVENT_LABELS[event], form=form,
        specs=field_specs(event), problems=problems, missing_ahead=ahead, chosen=chosen,
        problem_title=_problem_title(event, status),
    ), status


def _problem_title(event: str, status: int) -> str:
    """The error summary's title when the event is refused (a chair at capacity will not
    become eligible by waiting: no "yet" for an appointment)."""
    if event == "appoint_chair" and status == 422:
        return "This appointment cannot be made"
    return f"You cannot {EVENT_LABELS[event].lower()} yet"


def _not_now(review: Review, event: str) -> str:
    if review.is_paused:
        return "the review is paused: resume it first (nothing else can happen while paused)"
    if event == "resume":
        return "the review is not paused"
    return f"this cannot be done while the review is at the stage '{STATE_LABELS[review.state]}'"


def _submit(review: Review, event: str, form: Any) -> tuple[int, list[str]]:
    """Send the event from the form: (303 on success, else the status and the problems that
    belong to no field). Every problem is found at once: what the boxes could not read,
    what the event's data rules refuse and what the guard finds missing, each on its field."""
    unreadable = not form.validate()
    if "csrf_token" in form.errors:
        abort(400, "The form has expired. Go back, reload the page and try again.")
    data = form_data(event, form)
    version = form_version(form.expected_version.data)
    try:
        details, missing = event_problems(review, g.user, event, data, expected_version=version)
        problems = _field_problems(form, details) + _missing_problems(form, missing)
        if form.errors or problems:
            return (400 if unreadable or details else 422), problems
        send_event(review, g.user, event, data, expected_version=version)
    except errors.Stale:
        db.session.rollback()
        db.session.refresh(review)
        form.expected_version.data = str(review.lock_version)
        return 409, [
            "Someone else changed this review while you were filling in the form: it is now "
            f"at the stage '{STATE_LABELS[review.state]}'"
            f"{' and paused' if review.is_paused else ''}. Check the review, then try again."]
    except errors.IllegalMove as exc:
        db.session.rollback()
        return 409, [sentence_case(exc.message)]
    except errors.GuardFailed as exc:  # the review changed between the check and the send
        db.session.rollback()
        return 422, _missing_problems(form, exc.missing)
    except errors.InvalidInput as exc:
        db.session.rollback()
        return 400, _field_problems(form, exc.details or {})
    except (errors.NotPermitted, errors.NotFound):
        db.session.rollback()
        abort(403)
    db.session.commit()
    return 303, []


def _field_problems(form: Any, details: dict[str, str]) -> list[str]:
    """Put field errors on their fields (one message each: a field that already has one
    keeps it); return the rest for the summary."""
    rest = []
    for name, message in details.items():
        target = getattr(form, name.split(".")[0], None)
        if target is not None and name != "expected_version":
            put_error(target, message)
        else:
            rest.append(sentence_case(message))
    return rest


def _missing_problems(form: Any, missing: list[str]) -> list[str]:
    """What the guard finds missing: an item that a field supplies goes on that field (and
    so into the summary as a link to it); the rest are listed as they are."""
    rest = []
    for item in missing:
        target = getattr(form, getattr(item, "field", None) or "", None)
        if target is not None:
            if not target.errors:
                target.errors = [sentence_case(item)]
        else:
            rest.append(sentence_case(item))
    return rest


@bp.post("/reviews/<int:review_id>/amendments/<int:amendment_id>/done")
def amendment_done(review_id: int, amendment_id: int) -> ResponseReturnValue:
    review = visible_review_or_404(review_id)
    amendment = db.session.get(HoAmendment, amendment_id)
    if amendment is None or amendment.review_id != review.id:
        abort(404)
    try:
        mark_done(review, amendment, g.user, AmendmentDone())
    except (errors.NotPermitted, errors.NotFound):
        db.session.rollback()
        abort(403)
    except errors.DomainError as exc:
        db.session.rollback()
        flash(sentence_case(exc.message) + ".")
        return redirect(url_for("web.review_page", review_id=review.id, _anchor="amendments"),
                        303)
    db.session.commit()
    flash(f"Amendment {amendment.number} marked as done.")
    return redirect(url_for("web.review_page", review_id=review.id, _anchor="amendments"), 303)


# --- recording a notification ---------------------------------------------------------------


def _apply_errors(form: NotificationForm, details: dict[str, str]) -> None:
    for field_name, message in details.items():
        name = field_name.split(".")[0]
        target = getattr(form, name, None)
        if target is None:
            target = form.notification_date if "date" in message else form.csp
        put_error(target, message)


@bp.route("/reviews/new", methods=["GET", "POST"])
def new_review() -> ResponseReturnValue:
    if not can_create_reviews(g.user):
        abort(403)
    form = NotificationForm()
    csps = [c for c in db.session.scalars(select(Csp).order_by(Csp.name))
            if can_create_review_in(g.user, c)]
    form.csp.choices = select_choices([("", "Select a CSP")] + [(c.slug, c.name) for c in csps])
    form.agencies.choices = select_choices(
        (t.code, t.label) for t in db.session.scalars(
            select(VocabularyTerm).where(VocabularyTerm.vocabulary == "agency",
                                         VocabularyTerm.is_active)
            .order_by(VocabularyTerm.position)))
    if form.validate_on_submit():
        terms = [line.strip() for line in (form.identifying_terms.data or "").splitlines()]
        raw = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        raw["identifying_terms"] = [t for t in terms if t]
        raw["agencies"] = raw["agencies"] or []
        try:
            fields = ReviewCreate.model_validate(raw).model_dump(exclude_none=True)
            review = create_review(g.user, fields)
        except ValidationError as exc:
            db.session.rollback()
            _apply_errors(form, errors.field_errors(exc))
        except ReviewInputError as exc:
            db.session.rollback()
            _apply_errors(form, exc.details)
        except NotPermitted:
            db.session.rollback()
            abort(403)
        else:
            db.session.commit()
            flash(f"Notification recorded as {review.reference}.")
            return redirect(url_for("web.review_page", review_id=review.id))
    status = 400 if form.errors else 200
    return render_template("reviews/new.html", form=form), status
