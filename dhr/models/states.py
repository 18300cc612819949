"""The canonical states of a review (DOMAIN.md section 2)."""

STATES = (
    "notified",
    "no_review_ho_scrutiny",
    "closed_no_review",
    "chair_appointment",
    "panel_and_scope",
    "information_gathering",
    "drafting",
    "local_qa",
    "ready_for_submission",
    "home_office_qa",
    "ho_amendments",
    "publication_pending",
    "published",
    "closed",
    "withdrawn",
)

FINAL_STATES = frozenset({"closed_no_review", "closed", "withdrawn"})

# States in which practitioners may read the published material of a review.
PUBLISHED_STATES = frozenset({"published", "closed"})

STATE_LABELS = {
    "notified": "Notified",
    "no_review_ho_scrutiny": "Decision not to review: Home Office scrutiny",
    "closed_no_review": "Closed: no review",
    "chair_appointment": "Appointing a chair",
    "panel_and_scope": "Panel and terms of reference",
    "information_gathering": "Gathering information (IMRs)",
    "drafting": "Drafting the overview report",
    "local_qa": "Local quality assurance",
    "ready_for_submission": "Ready for Home Office submission",
    "home_office_qa": "Home Office quality assurance",
    "ho_amendments": "Home Office amendments",
    "publication_pending": "Awaiting publication",
    "published": "Published",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}
