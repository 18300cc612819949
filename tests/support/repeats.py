"""Recommendations across a county's reviews, for the repeated-recommendation tests."""

from __future__ import annotations

from datetime import date

from dhr.extensions import db
from learning.models import Recommendation

# The recurring GP recommendation of the demo's historic reviews, and others' words for it.
GP_WATFORD = ("GP practices in Watford to routinely ask patients about domestic abuse when they "
              "present with anxiety, depression or unexplained injuries, and to record the "
              "response.")
GP_DACORUM = ("General practitioners in Dacorum should make routine enquiry about domestic "
              "violence with patients who attend with depression or anxiety, recording the "
              "response in the notes.")
GP_HERTSMERE = ("Primary care to introduce routine questioning about domestic abuse for "
                "patients attending with unexplained injuries or anxiety, and record it.")
# Same agency and theme, a different action: must not be called a repeat.
GP_AUDIT = ("GP practices to ensure that routine enquiry about domestic abuse is audited each "
            "year by the Integrated Care Board and the results reported to the DHR sub-group.")
DASH = ("Hertfordshire Constabulary to complete a DASH risk assessment at every domestic "
        "incident, including incidents between older partners recorded as 'verbal only'.")
DASH_AGAIN = ("The police to ensure that a risk assessment using the domestic abuse, stalking "
              "and harassment checklist is completed for all domestic abuse incidents attended.")
HOUSING = ("The district council's housing service to adopt the Domestic Abuse Housing "
           "Alliance standards and seek accreditation.")


def add(review, number, text, status="open", agency="gp_primary_care", owner="Named GP lead"):
    item = Recommendation(review_id=review.id, number=number, text=text, level="local",
                          agency=agency, owner=owner, themes=["routine_enquiry"])
    if status == "completed":
        item.status, item.completed_date, item.evidence = "completed", date(2024, 5, 1), "Done"
    db.session.add(item)
    db.session.commit()
    return item


def publish(review):
    review.state = "published"
    db.session.commit()
    return review


def make_county(make_review):
    """Three published GP repeats (Watford, Dacorum completed, Broxbourne), a Hertsmere review
    still in drafting, a withdrawn one, and Herefordshire's own review."""
    watford = publish(make_review(csp="Watford", date_of_death=date(2019, 3, 1),
                                  notification_date=date(2019, 3, 4)))
    dacorum = publish(make_review(csp="Dacorum", date_of_death=date(2021, 6, 1),
                                  notification_date=date(2021, 6, 3)))
    broxbourne = publish(make_review(csp="Broxbourne", date_of_death=date(2022, 2, 1),
                                     notification_date=date(2022, 2, 2)))
    hertsmere = make_review(csp="Hertsmere")
    hertsmere.state = "drafting"
    withdrawn = make_review(csp="Stevenage")
    withdrawn.state = "withdrawn"
    hereford = publish(make_review(csp="Herefordshire"))
    db.session.commit()
    return {
        "gp_watford": add(watford, "1.1", GP_WATFORD),
        "dash_watford": add(watford, "1.2", DASH, agency="police"),
        "gp_dacorum": add(dacorum, "2.1", GP_DACORUM, status="completed"),
        "audit_dacorum": add(dacorum, "2.2", GP_AUDIT),
        "gp_broxbourne": add(broxbourne, "1.3", GP_WATFORD.replace("Watford", "Broxbourne")),
        "dash_broxbourne": add(broxbourne, "1.4", DASH_AGAIN, agency="police"),
        "housing_broxbourne": add(broxbourne, "1.5", HOUSING, agency="housing"),
        "gp_hertsmere": add(hertsmere, "3.1", GP_HERTSMERE),
        "gp_withdrawn": add(withdrawn, "1.1", GP_WATFORD),
        "gp_hereford": add(hereford, "1.1", GP_WATFORD.replace("Watford", "Herefordshire")),
    }
