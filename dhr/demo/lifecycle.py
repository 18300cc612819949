"""The demo's current reviews, each taken through the real lifecycle by the people who would act.

A `Story` records a police notification (dhr.reviews.create_review) and then sends every step
through the operations the application itself uses: lifecycle events (dhr.workflow.engine),
documents, agency requests, recommendations, Home Office amendments and the chair pool's
ranking. Nothing is set directly, so every guard, date check and capacity rule applies.

Steps are given as days after the notification and must come in order, never after today.
The engine stamps its history entries with the time they are written (it takes no other
time); the real dates are in each event's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dhr.after_commit import discard_pending
from dhr.demo.content import (
    CASES,
    Facts,
    Planned,
    action_plan,
    executive_summary,
    ho_letter,
    overview_report,
    terms_of_reference,
)
from dhr.demo.loader import load_json
from dhr.extensions import db
from dhr.models import AgencyRequest, Csp, PoolMember, User
from dhr.reviews import agency_codes, create_review, find_csp
from dhr.workflow.agency_requests import create_request, send_request_event
from dhr.workflow.allocation import invite, rank_candidates, respond
from dhr.workflow.amendments import AmendmentDone, amendments_for, mark_done
from dhr.workflow.clocks import add_months
from dhr.workflow.documents import save_markdown
from dhr.workflow.engine import send_event
from dhr.workflow.events import HO_OUTCOME_LABELS
from learning.models import Recommendation
from learning.recommendations import (
    add_progress,
    complete,
    create_recommendation,
    recommendations_for,
    update_recommendation,
)

DOCUMENTS = {"terms_of_reference": terms_of_reference, "overview_report": overview_report,
             "executive_summary": executive_summary, "action_plan": action_plan}
REPORTS = ("overview_report", "executive_summary", "action_plan")
# What the people in each story write (notes, comments, progress), and what every story shares.
STORY_TEXT: dict[str, dict[str, Any]] = load_json("stories")
SHARED = STORY_TEXT["shared"]


class DemoError(RuntimeError):
    """The demo's script does not fit the rules (a bug in the demo, never worked around)."""


@dataclass
class People:
    """The demo users who act: a CSP's manager where it has one, else the county coordinator
    acting for the CSP; the sub-group (or, without one, the coordinator) for local QA."""

    managers: dict[str, User]
    coordinators: dict[str, User]
    subgroup: dict[str, User]

    def manager(self, csp: Csp) -> User:
        return self.managers.get(csp.name) or self.coordinators[csp.area.name]

    def quality_assurer(self, csp: Csp) -> User:
        return self.subgroup.get(csp.area.name) or self.coordinators[csp.area.name]


class Story:
    """One review from the police notification on, in the words of the people who act."""

    def __init__(self, people: People, today: date, *, pseudonym: str, csp: str,
                 notified: date, died: date, death_type: str, children: int):
        self.case = CASES[pseudonym]
        self.text: dict[str, Any] = STORY_TEXT.get(pseudonym, {})
        self.today = today
        self.labels = agency_codes()
        self.requests: dict[str, AgencyRequest] = {}
        self.last = notified
        self.chair: User | None = None
        fields = {
            "csp": csp, "victim_pseudonym": pseudonym, "date_of_death": died,
            "notification_date": notified, "death_type": death_type, "review_type": "full",
            "deceased_16_plus": 2 if death_type == "homicide_suicide" else 1,
            "children_under_16": children, "agencies": list(self.case.agencies),
            "identifying_terms": list(self.case.identifying_terms),
        }
        found = find_csp(csp)
        assert found is not None, csp
        self.manager = people.manager(found)
        self.qa = people.quality_assurer(found)
        self.review = create_review(self.manager, fields)

    # --- dates -------------------------------------------------------------------------------

    def day(self, days: int) -> date:
        """The date `days` after the notification: never before the previous step, never
        after today."""
        when = self.review.notification_date + timedelta(days=days)
        if when < self.last or when > self.today:
            raise DemoError(f"{self.review.victim_pseudonym}: day {days} ({when}) is out of "
                            f"order (last {self.last}, today {self.today})")
        self.last = when
        return when

    def send(self, actor: User, event: str, **data: Any) -> None:
        send_event(self.review, actor, event, data)
        # The engine queues a notification of the event to run after the commit. Backdated
        # history would reach every demo user as news (naming the stage each review is at
        # now), so the demo drops it.
        discard_pending(db.session)

    # --- deciding and appointing -------------------------------------------------------------

    def decide(self, day: int, informed: int) -> None:
        self.send(self.manager, "decide_to_review", decision_date=self.day(day),
                  rationale=self.case.rationale, ho_informed_date=self.day(informed))

    def decide_not(self, day: int, informed: int) -> None:
        self.send(self.manager, "decide_not_to_review", decision_date=self.day(day),
                  rationale=self.case.rationale, ho_informed_date=self.day(informed))

    def _eligible(self, on: date) -> list[PoolMember]:
        return [c.member for c in rank_candidates(self.review, "chair", on=on,
                                                  viewer=self.manager) if c.eligible]

    def appoint(self, day: int) -> None:
        """Appoint the pool's first-ranked eligible chair (capacity, training, conflicts)."""
        on = self.day(day)
        eligible = self._eligible(on)
        if not eligible:
            raise DemoError(f"{self.review.reference}: nobody in the pool can chair it")
        self.send(self.manager, "appoint_chair", chair_id=eligible[0].id, appointed_date=on)
        self.chair = eligible[0].user

    def invite_chairs(self, note: str) -> None:
        """Invite the two best-ranked eligible members; the first accepts."""
        invitations = [invite(self.review, member, self.manager)
                       for member in self._eligible(self.today)[:2]]
        if invitations:
            respond(invitations[0], invitations[0].member.user, "accept", note)

    # --- documents ---------------------------------------------------------------------------

    def facts(self) -> Facts:
        review = self.review
        return Facts(pseudonym=review.victim_pseudonym, csp=review.csp.name,
                     area=review.csp.area.name, died=review.date_of_death,
                     chair=review.chair.name if review.chair else "to be appointed",
                     panel=tuple(review.panel_agencies or self.case.agencies),
                     recommendations=tuple(
                         Planned(r.number, r.text, r.level, r.agency, r.due_date)
                         for r in recommendations_for(review)))

    def write(self, *kinds: str, revision: str = "", actor: User | None = None) -> None:
        for kind in kinds:
            text = DOCUMENTS[kind](self.case, self.facts(), self.labels, revision)
            save_markdown(self.review, kind, text, actor or self.chair)

    def agree_terms(self, day: int, contact: str, note: str) -> None:
        self.send(self.chair, "agree_terms_of_reference", agreed_date=self.day(day),
                  panel_agencies=list(self.case.agencies), family_contact=contact,
                  family_contact_note=note)

    # --- agency requests ---------------------------------------------------------------------

    def request(self, day: int, agency: str, kind: str = "imr") -> None:
        self.requests[agency] = create_request(self.review, self.chair, agency=agency,
                                               kind=kind, requested_date=self.day(day))

    def move(self, day: int, agency: str, event: str, **data: Any) -> None:
        send_request_event(self.requests[agency], self.chair, event,
                           {"date": self.day(day), **data})

    def request_all(self, day: int, kinds: dict[str, str] | None = None) -> None:
        """Ask every agency in scope not yet asked (an IMR unless `kinds` says otherwise)."""
        for agency in self.case.agencies:
            if agency not in self.requests:
                self.request(day, agency, (kinds or {}).get(agency, "imr"))

    def gather(self, submitted: int, accepted: int) -> None:
        """Each awaited request is submitted a few days after the last, then each accepted."""
        waiting = [a for a, r in self.requests.items() if r.state == "requested"]
        for event, first in (("submit", submitted), ("accept", accepted)):
            for index, agency in enumerate(waiting):
                self.move(first + 3 * index, agency, event)

    # --- drafting and quality assurance ------------------------------------------------------

    def draft(self, day: int, kinds: tuple[str, ...] = REPORTS) -> None:
        """The chair adds the recommendations of the action plan and writes the reports."""
        drafted = self.day(day)
        for rec in self.case.recommendations:
            create_recommendation(self.review, self.chair, {
                "number": rec.number, "text": rec.text, "level": rec.level,
                "agency": rec.agency, "themes": list(rec.themes),
                "owner": self.labels.get(rec.agency, rec.agency),
                "due_date": add_months(drafted, rec.due_months)})
        self.write(*kinds)

    def complete_information(self, day: int) -> None:
        self.send(self.chair, "complete_information_gathering", date=self.day(day))

    def submit_local_qa(self, day: int) -> None:
        self.send(self.chair, "submit_for_local_qa", date=self.day(day),
                  family_consulted_on_draft=True,
                  family_note=SHARED["family_on_draft"])

    def submit_ho(self, signed_off: int, day: int) -> None:
        self.send(self.manager, "submit_to_home_office", csp_signoff_date=self.day(signed_off),
                  date=self.day(day))

    def outcome(self, day: int, outcome: str, points: list[str]) -> None:
        letter = self.day(day)
        self.send(self.manager, "record_ho_outcome", outcome=outcome, letter_date=letter,
                  points=points)
        save_markdown(self.review, "ho_letter",
                      ho_letter(self.facts(), HO_OUTCOME_LABELS[outcome], points), self.manager)

    def amend(self, day: int, done: int, note: str) -> None:
        """Mark every Home Office amendment done, revise the reports, complete."""
        for amendment in amendments_for(self.review):
            mark_done(self.review, amendment, self.chair,
                      AmendmentDone(date=self.day(day), note=note))
        self.write("overview_report", "executive_summary",
                   revision=SHARED["amended"])
        self.send(self.chair, "complete_amendments", date=self.day(done), note=note)

    def publish(self, dac_copy: int, day: int) -> None:
        csp = self.review.csp.slug.replace("_", "")
        self.send(self.manager, "publish", dac_copy_sent_date=self.day(dac_copy),
                  date=self.day(day),
                  url=f"https://www.{csp}.gov.uk/domestic-homicide-reviews/"
                      f"{self.review.reference.lower()}")

    # --- pauses and recommendations ----------------------------------------------------------

    def pause(self, day: int, reason: str, expected_end: date) -> None:
        self.send(self.manager, "pause", reason=reason, date=self.day(day),
                  expected_end=expected_end)

    def resume(self, day: int) -> None:
        self.send(self.manager, "resume", date=self.day(day))

    def recommendation(self, number: str) -> Recommendation:
        return next(r for r in recommendations_for(self.review) if r.number == number)

    def progress(self, day: int, number: str, impact: str) -> None:
        add_progress(self.recommendation(number), self.manager,
                     {"date": self.day(day), "impact": impact})

    def completed(self, day: int, number: str, evidence: str) -> None:
        complete(self.recommendation(number), self.manager,
                 {"date": self.day(day), "evidence": evidence})

    def notified(self, days: int) -> date:
        return self.review.notification_date + timedelta(days=days)


# --- the reviews, one story each ------------------------------------------------------------

def adult_v(s: Story) -> None:
    s.decide_not(24, 27)


def adult_p(s: Story) -> None:
    s.decide(21, 23)
    s.invite_chairs(s.text["acceptance"])


def adult_h(s: Story) -> None:
    s.decide(26, 28)
    s.appoint(60)
    s.write("terms_of_reference")


def joy(s: Story) -> None:
    s.decide(20, 22)
    s.appoint(48)
    s.write("terms_of_reference")
    s.write("terms_of_reference", revision=s.text["terms_revision"])


def adult_r(s: Story) -> None:
    s.decide(22, 23)
    s.appoint(44)
    s.write("terms_of_reference")
    s.agree_terms(75, "declined", s.text["family"])
    for agency in ("police", "gp_primary_care", "adult_social_care"):
        s.request(78, agency)
    s.move(90, "adult_social_care", "waive", reason=s.text["adult_social_care_waived"])
    s.move(120, "police", "submit")
    s.move(125, "gp_primary_care", "submit")
    s.move(128, "police", "accept")
    s.move(135, "gp_primary_care", "return", comments=s.text["gp_returned"])
    # The police IMR found a housing contact: Housing is asked later and has not replied.
    s.request(150, "housing")
    s.move(160, "gp_primary_care", "submit")
    s.move(168, "gp_primary_care", "accept")


def bea(s: Story) -> None:
    s.decide(19, 21)
    s.appoint(38)
    s.write("terms_of_reference")
    s.agree_terms(66, "made", s.text["family"])
    s.pause(80, "criminal_trial", s.notified(200))
    s.resume(205)
    s.request_all(207, kinds={"employer": "short_report"})
    s.gather(215, 240)
    s.complete_information(260)
    s.draft(290, kinds=("overview_report",))


def mary(s: Story) -> None:
    s.decide(25, 27)
    s.appoint(45)
    s.write("terms_of_reference")
    s.agree_terms(75, "made", s.text["family"])
    s.request_all(78)
    s.gather(110, 140)
    s.complete_information(165)
    s.draft(200, kinds=("overview_report",))
    s.pause(215, "inquest", s.today + timedelta(days=45))


def adult_k(s: Story) -> None:
    s.decide(20, 22)
    s.appoint(40)
    s.write("terms_of_reference")
    s.agree_terms(70, "made", s.text["family"])
    s.request_all(72)
    s.gather(110, 130)
    s.complete_information(160)
    s.draft(300)
    s.submit_local_qa(400)


def ella(s: Story) -> None:
    s.decide(21, 23)
    s.appoint(42)
    s.write("terms_of_reference")
    s.agree_terms(77, "made", s.text["family"])
    s.pause(95, "criminal_trial", s.notified(250))
    s.resume(236)
    s.request_all(238, kinds={"idva_service": "chronology"})
    s.gather(245, 300)
    s.complete_information(320)
    s.draft(380)
    s.submit_local_qa(410)
    s.send(s.qa, "return_from_local_qa", date=s.day(432), comments=s.text["local_qa_returned"])
    update_recommendation(s.recommendation("1.3"), s.chair,
                          {"text": s.text["recommendation_1.3_reworded"]})
    s.write("overview_report", revision=s.text["overview_revised"])
    s.submit_local_qa(470)
    s.send(s.qa, "approve_local_qa", date=s.day(490), comments=s.text["local_qa_approved"])
    s.submit_ho(500, 505)


def peggy(s: Story) -> None:
    s.decide(20, 22)
    s.appoint(45)
    s.write("terms_of_reference")
    s.agree_terms(85, "made", s.text["family"])
    s.pause(100, "criminal_trial", s.notified(250))
    s.resume(262)
    s.request_all(265)
    s.gather(270, 300)
    s.complete_information(320)
    s.draft(400)
    s.submit_local_qa(430)
    s.send(s.qa, "approve_local_qa", date=s.day(455), comments=s.text["local_qa_approved"])
    s.submit_ho(465, 470)
    s.outcome(640, "approved_subject_to_amendments", s.text["home_office_points"])
    s.amend(660, 670, s.text["amendments_done"])
    s.progress(700, "1.1", s.text["progress_1.1"])


def adult_d(s: Story) -> None:
    s.decide(18, 20)
    s.appoint(40)
    s.write("terms_of_reference")
    s.agree_terms(70, "made", s.text["family"])
    s.request_all(72)
    s.gather(105, 130)
    s.complete_information(165)
    s.pause(175, "inquest", s.notified(270))
    s.resume(262)
    s.draft(300)
    s.submit_local_qa(330)
    s.send(s.qa, "approve_local_qa", date=s.day(360), comments=s.text["local_qa_approved"])
    s.submit_ho(372, 375)
    s.outcome(520, "resubmit", s.text["home_office_resubmit_points"])
    s.write(*REPORTS, revision=s.text["resubmission_revised"])
    s.submit_local_qa(575)
    s.send(s.qa, "approve_local_qa", date=s.day(590), comments=s.text["local_qa_reapproved"])
    s.submit_ho(600, 602)
    s.outcome(740, "approved", s.text["home_office_approved_points"])
    s.publish(800, 805)
    s.completed(840, "1.1", s.text["completed_1.1"])
    s.progress(850, "1.2", s.text["progress_1.2"])
    s.completed(860, "1.3", s.text["completed_1.3"])
    s.progress(870, "1.4", s.text["progress_1.4"])


STORIES: dict[str, Callable[[Story], None]] = {
    "Adult M": lambda s: None, "Sam": lambda s: None, "Adult V": adult_v,
    "Adult P": adult_p, "Adult H": adult_h, "Joy": joy, "Adult R": adult_r, "Bea": bea,
    "Mary": mary, "Adult K": adult_k, "Ella": ella, "Peggy": peggy,
    "Adult D": adult_d,
}
