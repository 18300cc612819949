"""The transition table against DOMAIN.md section 2, written out here independently, and the
generated lifecycle document."""

from __future__ import annotations

import pytest

from dhr.models.states import FINAL_STATES, STATES
from dhr.workflow import diagram, guards
from dhr.workflow.declarations import EVENT_DATA, EVENT_LABELS, EVENTS, roles_for
from dhr.workflow.table import TRANSITIONS, transition
from tests.support import PROJECT

# DOMAIN.md section 2, the lifecycle table: (from, event, to).
MAIN_FLOW = {
    ("notified", "decide_to_review", "chair_appointment"),
    ("notified", "decide_not_to_review", "no_review_ho_scrutiny"),
    ("no_review_ho_scrutiny", "ho_accepts_no_review", "closed_no_review"),
    ("no_review_ho_scrutiny", "ho_directs_review", "chair_appointment"),
    ("chair_appointment", "appoint_chair", "panel_and_scope"),
    ("panel_and_scope", "agree_terms_of_reference", "information_gathering"),
    ("information_gathering", "complete_information_gathering", "drafting"),
    ("drafting", "submit_for_local_qa", "local_qa"),
    ("local_qa", "return_from_local_qa", "drafting"),
    ("local_qa", "approve_local_qa", "ready_for_submission"),
    ("ready_for_submission", "submit_to_home_office", "home_office_qa"),
    ("ho_amendments", "complete_amendments", "publication_pending"),
    ("publication_pending", "publish", "published"),
    ("publication_pending", "withhold_publication", "published"),
    ("published", "close_review", "closed"),
}
HO_OUTCOMES = {"approved": "publication_pending",
               "approved_subject_to_amendments": "ho_amendments", "resubmit": "drafting"}
PAUSABLE = ("chair_appointment", "panel_and_scope", "information_gathering", "drafting",
            "local_qa", "ready_for_submission", "home_office_qa", "ho_amendments",
            "publication_pending")
# DOMAIN.md "Who may send which event" (admin and coordinator: every event).
CSP_MANAGER = {"decide_to_review", "decide_not_to_review", "ho_accepts_no_review",
               "ho_directs_review", "appoint_chair", "agree_terms_of_reference",
               "complete_information_gathering", "submit_for_local_qa", "submit_to_home_office",
               "record_ho_outcome", "complete_amendments", "publish", "withhold_publication",
               "pause", "resume"}
CHAIR = {"agree_terms_of_reference", "complete_information_gathering", "submit_for_local_qa",
         "complete_amendments"}
SUBGROUP = {"approve_local_qa", "return_from_local_qa", "close_review"}


def test_the_main_flow_is_exactly_domain_md():
    found = {(s, e, t.target_for()) for (s, e), t in TRANSITIONS.items()
             if e not in {"pause", "resume", "withdraw", "record_ho_outcome"}}
    assert found == MAIN_FLOW


def test_the_home_office_outcome_picks_the_target():
    move = transition("home_office_qa", "record_ho_outcome")
    assert move is not None
    assert {o: move.target_for(o) for o in HO_OUTCOMES} == HO_OUTCOMES
    assert [s for (s, e) in TRANSITIONS if e == "record_ho_outcome"] == ["home_office_qa"]


def test_pause_and_resume_exist_from_chair_appointment_to_publication_pending():
    for event in ("pause", "resume"):
        sources = tuple(s for (s, e) in TRANSITIONS if e == event)
        assert sources == PAUSABLE
        assert all(TRANSITIONS[(s, event)].target_for() == s for s in sources)


def test_withdraw_from_every_state_that_is_not_final():
    sources = {s for (s, e) in TRANSITIONS if e == "withdraw"}
    assert sources == set(STATES) - FINAL_STATES
    assert {TRANSITIONS[(s, "withdraw")].target_for() for s in sources} == {"withdrawn"}
    assert roles_for("withdraw") == {"admin", "coordinator"}


def test_no_event_leaves_a_final_state():
    assert not [key for key in TRANSITIONS if key[0] in FINAL_STATES]


@pytest.mark.parametrize("event", EVENTS)
def test_roles_follow_the_domain_table(event):
    expected = {"admin", "coordinator"}
    expected |= {"csp_manager"} if event in CSP_MANAGER else set()
    expected |= {"chair"} if event in CHAIR else set()
    expected |= {"subgroup_member"} if event in SUBGROUP else set()
    assert roles_for(event) == expected
    assert "practitioner" not in roles_for(event)


@pytest.mark.parametrize("event", EVENTS)
def test_every_event_has_a_label_a_data_model_and_known_guards(event):
    assert EVENT_LABELS[event]
    assert event in EVENT_DATA
    for (_, name), move in TRANSITIONS.items():
        if name == event and move.guard is not None:
            assert move.guard in guards.GUARDS


def test_every_state_is_reachable_from_notified():
    seen, todo = {"notified"}, ["notified"]
    while todo:
        state = todo.pop()
        for (source, _), move in TRANSITIONS.items():
            if source == state:
                for target in move.targets:
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
    assert seen == set(STATES)


def test_the_lifecycle_document_is_generated_from_the_table():
    text = (PROJECT / "docs" / "lifecycle.md").read_text()
    assert text == diagram.document(), "run: python -m dhr.workflow.diagram > docs/lifecycle.md"
    assert "home_office_qa --> drafting: record_ho_outcome (resubmit)" in diagram.mermaid()
