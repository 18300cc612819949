"""The review lifecycle as data: (state, event) -> target state, roles allowed, guard.

DOMAIN.md section 2 is the specification; the engine (dhr.workflow.engine), the API, the web
pages, the generated diagram (docs/lifecycle.md) and the tests all read this table. What
each event is (label, roles, data, what it sets) is declared in dhr.workflow.declarations.
"""

from __future__ import annotations

from dataclasses import dataclass

from dhr.models.states import FINAL_STATES, STATES
from dhr.workflow.declarations import EVENTS, roles_for

# The states in which a review may be paused (and resumed): chair_appointment to
# publication_pending, in lifecycle order.
PAUSABLE_STATES = STATES[STATES.index("chair_appointment"):STATES.index("publication_pending") + 1]

# Pause and resume leave the state as it is.
SAME = "(same state)"


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    target: str
    roles: frozenset[str]
    guard: str | None
    # Only for record_ho_outcome: the target depends on the `outcome` given.
    targets_by_outcome: tuple[tuple[str, str], ...] = ()

    def target_for(self, outcome: str | None = None) -> str:
        if self.targets_by_outcome:
            return dict(self.targets_by_outcome)[outcome or ""]
        return self.source if self.target == SAME else self.target

    @property
    def targets(self) -> tuple[str, ...]:
        if self.targets_by_outcome:
            return tuple(target for _, target in self.targets_by_outcome)
        return (self.target_for(),)


HO_OUTCOME_TARGETS = (
    ("approved", "publication_pending"),
    ("approved_subject_to_amendments", "ho_amendments"),
    ("resubmit", "drafting"),
)

# (source, event, target, guard): the main flow and the no-review branch. The guard names a
# function in dhr.workflow.guards; what it checks is described there and in DOMAIN.md.
_FLOW = (
    ("notified", "decide_to_review", "chair_appointment", "decision_recorded"),
    ("notified", "decide_not_to_review", "no_review_ho_scrutiny", "decision_recorded"),
    ("no_review_ho_scrutiny", "ho_accepts_no_review", "closed_no_review", "ho_letter_recorded"),
    ("no_review_ho_scrutiny", "ho_directs_review", "chair_appointment", "direction_recorded"),
    ("chair_appointment", "appoint_chair", "panel_and_scope", "chair_eligible"),
    ("panel_and_scope", "agree_terms_of_reference", "information_gathering",
     "terms_of_reference_agreed"),
    ("information_gathering", "complete_information_gathering", "drafting",
     "agency_requests_settled"),
    ("drafting", "submit_for_local_qa", "local_qa", "draft_complete"),
    ("local_qa", "return_from_local_qa", "drafting", "return_comments_recorded"),
    ("local_qa", "approve_local_qa", "ready_for_submission", None),
    ("ready_for_submission", "submit_to_home_office", "home_office_qa", "csp_signed_off"),
    ("home_office_qa", "record_ho_outcome", "", "ho_outcome_recorded"),
    ("ho_amendments", "complete_amendments", "publication_pending", "amendments_done"),
    ("publication_pending", "publish", "published", "ready_to_publish"),
    ("publication_pending", "withhold_publication", "published", "withholding_explained"),
    ("published", "close_review", "closed", "recommendations_settled"),
)


def _build() -> dict[tuple[str, str], Transition]:
    table: dict[tuple[str, str], Transition] = {}
    for source, event, target, guard in _FLOW:
        table[(source, event)] = Transition(
            source, event, target, roles_for(event), guard,
            HO_OUTCOME_TARGETS if event == "record_ho_outcome" else (),
        )
    for state in PAUSABLE_STATES:
        table[(state, "pause")] = Transition(state, "pause", SAME, roles_for("pause"),
                                             "pause_reason_given")
        table[(state, "resume")] = Transition(state, "resume", SAME, roles_for("resume"), None)
    for state in STATES:
        if state not in FINAL_STATES:
            table[(state, "withdraw")] = Transition(state, "withdraw", "withdrawn",
                                                    roles_for("withdraw"), "withdrawal_explained")
    return table


TRANSITIONS: dict[tuple[str, str], Transition] = _build()


def transition(state: str, event: str) -> Transition | None:
    return TRANSITIONS.get((state, event))


def events_from(state: str) -> list[str]:
    """Events possible from `state` (pause and resume both listed for pausable states)."""
    return [event for event in EVENTS if (state, event) in TRANSITIONS]
