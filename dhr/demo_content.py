"""The words of the demo reviews: facts of each case, terms of reference, reports, action plans
and recommendations, in the language Hertfordshire's DHR people use (DOMAIN.md, seeds/).

Everything published is anonymised: the texts use the pseudonyms only, never a review's
identifying terms (the anonymisation check before publication runs on them for real).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

CORE_AGENCIES = ("police", "gp_primary_care", "adult_social_care", "housing")

LOCAL_NAMES = {
    "Hertfordshire": {
        "police": "Hertfordshire Constabulary",
        "gp_primary_care": "the GP practice",
        "adult_social_care": "Adult Care Services (Hertfordshire County Council)",
        "housing": "the district council's housing service",
        "mental_health_trust": "Hertfordshire Partnership University NHS Foundation Trust "
                               "(HPFT)",
        "idva_service": "the county IDVA service",
        "children_s_social_care": "Children's Services (Hertfordshire County Council)",
        "substance_misuse_service": "the county drug and alcohol service",
        "employer": "the employer",
    },
    "Herefordshire": {
        "police": "West Mercia Police",
        "gp_primary_care": "the GP practice",
        "adult_social_care": "Herefordshire Council adult social care",
        "housing": "the housing association",
        "mental_health_trust": "Herefordshire and Worcestershire Health and Care NHS Trust",
        "idva_service": "the IDVA service",
    },
}


@dataclass(frozen=True)
class Rec:
    """A recommendation as the chair drafts it; due `due_months` after the draft."""

    number: str
    text: str
    level: str
    agency: str
    themes: tuple[str, ...]
    due_months: int = 9


@dataclass(frozen=True)
class CaseText:
    victim: str                       # "a 71-year-old woman"
    perpetrator: str                  # "her husband, Adult E"
    identifying_terms: tuple[str, ...]
    rationale: str                    # the CSP's decision
    agencies: tuple[str, ...] = CORE_AGENCIES
    summary: str = ""                 # what happened, in two or three sentences
    contacts: dict[str, str] = field(default_factory=dict)
    enquiry: tuple[str, ...] = ()     # key lines of enquiry of the terms of reference
    lessons: tuple[str, ...] = ()
    recommendations: tuple[Rec, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A recommendation as it stands in the review's action plan."""

    number: str
    text: str
    level: str
    agency: str
    due: date | None


@dataclass(frozen=True)
class Facts:
    """What the templates need to know about a review as it stands."""

    pseudonym: str
    csp: str
    area: str
    died: date
    chair: str
    panel: tuple[str, ...]
    recommendations: tuple[Planned, ...] = ()


def month_year(value: date) -> str:
    return value.strftime("%B %Y")


def agency_name(area: str, code: str, labels: dict[str, str]) -> str:
    return LOCAL_NAMES.get(area, {}).get(code) or labels.get(code, code)


def spoken_list(items: list[str]) -> str:
    """'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


IPH = "The death meets the criteria of s.9 of the Domestic Violence, Crime and Victims Act 2004"

CASES: dict[str, CaseText] = {
    "Adult M": CaseText(
        "a 38-year-old woman", "her partner", ("Kelly Brennan", "Dean Moss", "9 Lime Walk"),
        f"{IPH}: the victim was killed at home; her partner has been charged with murder.",
    ),
    "Sam": CaseText(
        "a 27-year-old man", "his former partner", ("Samuel Okoro", "Flat 3, Bell Court"),
        "Suspected suicide: the police told the CSP that Sam had reported coercive control by "
        "a former partner. The CSP is waiting for the coroner's officer before deciding.",
        agencies=("police", "gp_primary_care", "mental_health_trust"),
    ),
    "Adult P": CaseText(
        "a 66-year-old man", "his adult son", ("Peter Walsh", "Liam Walsh", "41 Kings Road"),
        f"{IPH}: the victim was killed by his adult son, a member of the same household. "
        "Agencies knew of earlier assaults.",
        agencies=(*CORE_AGENCIES, "mental_health_trust"),
    ),
    "Adult V": CaseText(
        "a 58-year-old man", "a neighbour", ("Victor Hale", "2 Mill Lane"),
        "The police investigation found that the victim and the suspect were neighbours: not "
        "relatives, partners or members of the same household. The death does not meet the "
        "criteria of s.9 of the 2004 Act. A safeguarding adults review is not indicated; the "
        "learning about anti-social behaviour will go to the community harm panel.",
        agencies=("police", "housing"),
    ),
    "Joy": CaseText(
        "a 29-year-old woman", "her former partner, Adult J",
        ("Joyce Mensah", "Carl Dunne", "17 Station Approach"),
        f"{IPH}: the victim was killed by her former partner six weeks after they separated.",
        agencies=(*CORE_AGENCIES, "idva_service", "children_s_social_care"),
        enquiry=(
            "How agencies assessed the risk after Joy ended the relationship, including "
            "stalking and the use of social media to track her.",
            "Whether a Clare's Law (DVDS) disclosure was considered when the police learned of "
            "Adult J's previous convictions.",
            "How the voice of Joy's child was heard by Children's Services and the school.",
        ),
    ),
    "Adult H": CaseText(
        "a 44-year-old woman", "her husband", ("Hannah Prosser", "Gordon Prosser", "Orchard Farm"),
        f"{IPH}: the victim was killed by her husband at their home in a rural part of the "
        "county.",
        enquiry=(
            "How rural isolation and the husband's control of the family's money and transport "
            "affected Adult H's access to help.",
            "What the GP practice knew of Adult H's low mood and whether domestic abuse was "
            "asked about.",
            "Whether agencies knew the household held shotgun certificates.",
        ),
    ),
    "Adult R": CaseText(
        "a 61-year-old woman", "her husband, Adult T",
        ("Rita Sharma", "Suresh Sharma", "5 The Spinney"),
        "Homicide followed by the suicide of the perpetrator: the criteria of s.9 of the 2004 "
        "Act are met.",
        enquiry=(
            "What agencies knew of Adult T's deteriorating mental health, debts and threats to "
            "harm himself.",
            "Whether Adult R had disclosed abuse to anyone, and how agencies asked.",
            "How housing and the police responded to a report of a disturbance the year before.",
        ),
    ),
}


CASES["Bea"] = CaseText(
    "a 45-year-old woman", "her husband, Adult B", ("Beatrice Kane", "Anthony Kane",
                                                    "The Old Rectory"),
    f"{IPH}: the victim was killed by her husband; he was convicted of murder.",
    agencies=(*CORE_AGENCIES, "employer"),
    summary="Bea was killed by her husband, Adult B, at their home. He was convicted of her "
            "murder. Friends told the review that for many years he had controlled where she "
            "went, whom she saw and what she spent.",
    contacts={
        "police": "The police were called once, by a neighbour, four years before Bea's death. "
                  "Bea said there had been an argument and declined to answer the DASH "
                  "questions; the risk was recorded as standard.",
        "gp_primary_care": "Bea saw her GP six times in two years about low mood, sleeplessness "
                           "and headaches. She was prescribed antidepressants. Domestic abuse "
                           "was not asked about.",
        "employer": "Bea's manager noticed that her husband collected her from every shift and "
                    "telephoned her at work many times a day, but did not know what to do.",
    },
    enquiry=("How agencies recognised coercive and controlling behaviour.",
             "Whether the GP practice asked about domestic abuse.",
             "What Bea's employer and colleagues saw, and what support was open to them."),
    lessons=("Coercive control was visible to people around Bea but not named as abuse.",
             "Low mood with repeat consultations is a prompt for routine enquiry."),
    recommendations=(
        Rec("1.1", "GP practices in Hertsmere to routinely ask about domestic abuse when a "
                   "patient presents repeatedly with low mood or anxiety, and to record the "
                   "question and the answer.", "local", "gp_primary_care",
            ("Routine enquiry", "Professional curiosity")),
        Rec("1.2", "Hertsmere Community Safety Partnership to promote the Sunflower Champions "
                   "programme to local employers so that managers know how to respond when a "
                   "colleague may be experiencing domestic abuse.", "local", "employer",
            ("Training and awareness",)),
    ),
)

CASES["Mary"] = CaseText(
    "a 52-year-old woman", "her partner, Adult N", ("Marian Jenkins", "Neil Bradbury",
                                                    "Upper House, Kington Road"),
    "Suspected suicide after years of coercive control: the 2016 guidance on suicides where "
    "domestic abuse is a concern applies.",
    agencies=("police", "gp_primary_care", "mental_health_trust", "adult_social_care"),
    summary="Mary died by suicide at home. Her sister told the police that Mary's partner, "
            "Adult N, had controlled her for years and had told her she was worthless.",
    contacts={
        "police": "The police attended twice after Adult N reported Mary missing; on both "
                  "occasions she was found and returned home. Domestic abuse was not "
                  "considered.",
        "gp_primary_care": "Mary had a long history of depression. She told a locum GP that "
                           "'things at home are hard' but this was not explored.",
        "mental_health_trust": "Mary was assessed by the crisis team after an overdose eight "
                               "months before her death. Adult N was present throughout the "
                               "assessment.",
    },
    enquiry=("Whether agencies recognised the link between coercive control and suicide risk.",
             "Whether Mary was ever seen alone.",
             "How the crisis team's assessment involved her partner."),
    lessons=("Mary was never seen alone after her overdose.",
             "Missing-person episodes were not seen as a possible sign of domestic abuse."),
    recommendations=(
        Rec("1.1", "The mental health trust to see every patient alone for part of any "
                   "assessment after self-harm and to ask about domestic abuse.", "local",
            "mental_health_trust", ("Suicide prevention", "Routine enquiry")),
    ),
)

CASES["Adult K"] = CaseText(
    "a 72-year-old woman", "her grandson, Adult L", ("Kathleen Murray", "Jordan Murray",
                                                     "28 Birch Crescent"),
    f"{IPH}: the victim was killed by her grandson, who lived with her.",
    agencies=(*CORE_AGENCIES, "substance_misuse_service"),
    summary="Adult K was killed by her grandson, Adult L, who had moved in with her two years "
            "earlier. He misused cocaine and cannabis and owed money to dealers. Over the last "
            "year he took most of her pension.",
    contacts={
        "police": "Adult K reported her bank card stolen and then withdrew the report, saying "
                  "she had 'lent it to family'. No domestic abuse incident was recorded and no "
                  "DASH risk assessment was completed.",
        "gp_primary_care": "Adult K's GP recorded weight loss and that she 'seemed anxious "
                           "about money'.",
        "adult_social_care": "Her bank raised a safeguarding concern about large cash "
                             "withdrawals. It was closed after a telephone call in which Adult "
                             "K said she was fine; Adult L was in the room.",
        "housing": "The housing association knew Adult L was living there without permission "
                   "and had written to Adult K about overcrowding.",
        "substance_misuse_service": "Adult L attended the drug and alcohol service for three "
                                    "months. His records note 'lives with nan, arguments about "
                                    "money' but this was not shared.",
    },
    enquiry=("How agencies recognised economic abuse of an older person by a family member.",
             "How the safeguarding concern raised by the bank was handled.",
             "What the drug and alcohol service knew of Adult L's home life."),
    lessons=("Economic abuse of an older person by a grandchild is domestic abuse and was not "
             "recognised as such.",
             "A safeguarding concern was closed on the adult's word, given with the abuser "
             "present.",
             "Information held by the drug and alcohol service was not shared."),
    recommendations=(
        Rec("1.1", "Adult Care Services to ensure that a safeguarding concern about financial "
                   "abuse by a family member is not closed without speaking to the adult alone "
                   "and checking with the other agencies involved.", "local",
            "adult_social_care", ("Safeguarding referrals and thresholds",
                                  "Professional curiosity")),
        Rec("1.2", "The county drug and alcohol service to ask every client who lives with an "
                   "older relative about money and conflict at home, and to share concerns with "
                   "adult safeguarding.", "local", "substance_misuse_service",
            ("Information sharing", "Think family / voice of the child")),
        Rec("1.3", "Hertfordshire Constabulary to record a withdrawn report of theft by a "
                   "family member as a domestic abuse incident and to complete a DASH risk "
                   "assessment.", "local", "police",
            ("Risk assessment (DASH)", "Record keeping")),
    ),
)

CASES["Ella"] = CaseText(
    "a 34-year-old woman", "her former partner, Adult F", ("Eleanor Rowntree", "Marcus Lyle",
                                                           "63 Hawthorn Drive"),
    f"{IPH}: the victim was killed by her former partner three weeks after she ended the "
    "relationship. Two children lived in the household.",
    agencies=(*CORE_AGENCIES, "idva_service", "children_s_social_care"),
    summary="Ella was killed by her former partner, Adult F, three weeks after she ended their "
            "relationship. Her two children were at home. Adult F was convicted of murder. In "
            "the 18 months before her death the police were called to four incidents.",
    contacts={
        "police": "Officers attended four incidents. The last DASH risk assessment, two weeks "
                  "before Ella's death, was high risk, but the MARAC referral form was not sent "
                  "because the referring officer went on leave.",
        "idva_service": "The IDVA service received a referral and made three telephone "
                        "attempts to contact Ella. The case was closed as 'unable to engage'.",
        "gp_primary_care": "Ella attended with anxiety and, separately, an injury to her wrist "
                           "that she said was caused by a fall. Domestic abuse was not asked "
                           "about.",
        "children_s_social_care": "Children's Services received police notifications about "
                                  "the children. A single assessment was closed with advice "
                                  "to Ella about safety planning.",
        "housing": "Ella applied to the housing options service for a move, giving "
                   "'relationship breakdown' as the reason.",
    },
    enquiry=("How agencies assessed and managed the risk after separation.",
             "Why the high-risk DASH assessment did not lead to a MARAC referral.",
             "How the voices of Ella's children were heard.",
             "Whether stalking behaviour after the separation was recognised."),
    lessons=("Separation is the time of highest risk; the increase in risk was not shared "
             "between agencies.",
             "A single missed referral meant that no multi-agency safety plan was made.",
             "Three telephone calls are not enough to engage a high-risk victim."),
    recommendations=(
        Rec("1.1", "Hertfordshire Constabulary to make sure that every high-risk DASH "
                   "assessment results in a MARAC referral within one working day, and to audit "
                   "compliance quarterly.", "local", "police",
            ("Risk assessment (DASH)", "MARAC effectiveness")),
        Rec("1.2", "The county IDVA service to try contact in person, or through a trusted "
                   "professional, before closing a high-risk case after failed telephone "
                   "attempts.", "local", "idva_service", ("IDVA provision",)),
        Rec("1.3", "GP practices in East Herts to routinely ask about domestic abuse when a "
                   "patient presents with an injury or anxiety.", "local", "gp_primary_care",
            ("Routine enquiry", "Training and awareness")),
        Rec("1.4", "East Herts housing options to ask every applicant whose relationship has "
                   "broken down whether domestic abuse or stalking is a factor, and to offer a "
                   "referral to the Sunflower caseworker.", "local", "housing",
            ("Housing and homelessness", "Routine enquiry")),
    ),
)
# After local QA asked for SMART wording (the sub-group's comments, see the story).
ELLA_GP_REWORDED = (
    "GP practices in East Herts to routinely ask about domestic abuse when a patient presents "
    "with an injury or anxiety, and to record the question and the answer; the Integrated Care "
    "Board to audit a sample of records in each practice within 12 months.")

CASES["Peggy"] = CaseText(
    "a 79-year-old woman", "her son, Adult S", ("Margaret Doyle", "Stephen Doyle",
                                                "12 Rectory Gardens"),
    f"{IPH}: the victim was killed by her adult son, who lived with her.",
    agencies=(*CORE_AGENCIES, "mental_health_trust"),
    summary="Peggy was killed by her son, Adult S, who lived with her. He had a diagnosis of "
            "paranoid schizophrenia and misused alcohol. He pleaded guilty to manslaughter on "
            "the grounds of diminished responsibility.",
    contacts={
        "police": "The police were called twice: once for criminal damage, once after Peggy "
                  "was heard shouting for help. A DASH risk assessment was completed on the "
                  "second occasion and graded standard.",
        "gp_primary_care": "Peggy told her GP she was 'frightened of his moods'. The GP "
                           "advised her to contact the mental health team.",
        "adult_social_care": "Adult Care Services assessed Peggy for help at home after a fall. "
                             "Adult S was recorded as her carer.",
        "housing": "A housing officer visiting about repairs saw a broken door and holes in "
                   "the walls.",
        "mental_health_trust": "Adult S was discharged from the community mental health team "
                               "for non-engagement eight months before Peggy's death. His "
                               "risk to his mother was not assessed at discharge.",
    },
    enquiry=("How agencies understood the risk Adult S posed to his mother.",
             "How Adult S's discharge from mental health services was decided and shared.",
             "Whether recording Adult S as Peggy's carer hid the risk."),
    lessons=("Adult S was seen as Peggy's carer; the risk he posed to her was not seen.",
             "Discharge for non-engagement ended contact without assessing the risk to the "
             "family."),
    recommendations=(
        Rec("1.1", "HPFT to ensure that, before a patient with a history of violence is "
                   "discharged for non-engagement, the risk to the people they live with is "
                   "assessed and shared with the GP and with those people.", "local",
            "mental_health_trust", ("Risk assessment (DASH)", "Information sharing",
                                    "Dual diagnosis")),
        Rec("1.2", "Adult Care Services to check, whenever a relative is recorded as the "
                   "carer, whether that person is also a source of risk to the adult.", "local",
            "adult_social_care", ("Carers", "Professional curiosity")),
        Rec("1.3", "GP practices to routinely ask about domestic abuse, including abuse by "
                   "adult children, when an older patient says they are frightened of a family "
                   "member, and to raise a safeguarding concern.", "local", "gp_primary_care",
            ("Routine enquiry", "Safeguarding referrals and thresholds")),
    ),
)

CASES["Adult D"] = CaseText(
    "a 71-year-old woman", "her husband, Adult E", ("Doreen Fletcher", "Edward Fletcher",
                                                    "3 Church View"),
    "Homicide followed by the suicide of the perpetrator: the criteria of s.9 of the 2004 Act "
    "are met.",
    agencies=(*CORE_AGENCIES, "mental_health_trust"),
    summary="Adult D, who had vascular dementia, was killed by her husband and carer, Adult E, "
            "who then took his own life. He had cared for her alone for two years.",
    contacts={
        "police": "The police attended once, after a neighbour reported shouting. The incident "
                  "was recorded as a verbal argument; no DASH risk assessment was completed.",
        "gp_primary_care": "Adult E saw his GP three times in the last year about low mood, "
                           "sleeplessness and the strain of caring. He said he 'could not go "
                           "on like this'.",
        "adult_social_care": "Adult Care Services assessed Adult D's needs. Adult E was not "
                             "offered a carer's assessment.",
        "housing": "The sheltered housing officer recorded that Adult E seemed exhausted and "
                   "had refused respite care.",
        "mental_health_trust": "The memory clinic saw Adult D twice; Adult E attended with "
                               "her. His own wellbeing was not asked about.",
    },
    enquiry=("What agencies knew of the strain on Adult E as Adult D's only carer.",
             "Whether Adult E's statements about not coping were recognised as a risk to "
             "himself and to Adult D.",
             "How the police responded to the report of shouting."),
    lessons=("Carer stress in an older couple is a risk factor for homicide-suicide.",
             "Adult E was seen only as a carer, never asked about his own state of mind.",
             "An incident between older partners was recorded as 'verbal only' without a risk "
             "assessment."),
    recommendations=(
        Rec("1.1", "Adult Care Services to offer every informal carer a carer's assessment "
                   "when the person they care for is assessed, and to ask the carer directly "
                   "about their mental health and any thoughts of harming themselves or "
                   "others.", "local", "adult_social_care",
            ("Carers", "Routine enquiry", "Suicide prevention"), due_months=6),
        Rec("1.2", "GP practices in Broxbourne to routinely ask about domestic abuse and about "
                   "thoughts of harm when an older carer presents with low mood, and to record "
                   "the enquiry.", "local", "gp_primary_care",
            ("Routine enquiry", "Professional curiosity", "Carers"), due_months=6),
        Rec("1.3", "Hertfordshire Constabulary to complete a DASH risk assessment at every "
                   "domestic incident, including incidents between older partners recorded as "
                   "'verbal only'.", "local", "police",
            ("Risk assessment (DASH)", "Equality and diversity"), due_months=6),
        Rec("1.4", "The Home Office to share the learning of this review with the Department "
                   "of Health and Social Care so that national guidance on carer's assessments "
                   "names the risk of homicide-suicide in older couples.", "national",
            "national_government", ("Carers", "Policy and procedure gaps"), due_months=12),
    ),
)


# --- documents ------------------------------------------------------------------------------

def terms_of_reference(case: CaseText, facts: Facts, labels: dict[str, str],
                       revision: str = "") -> str:
    panel = "\n".join(f"- {agency_name(facts.area, code, labels)}" for code in facts.panel)
    enquiry = "\n".join(f"{n}. {line}" for n, line in enumerate(case.enquiry, start=1)) or (
        "1. What each agency knew, and what it did with what it knew.")
    note = f"\n\n_Revised: {revision}_" if revision else ""
    return f"""# Terms of reference: Domestic Homicide Review into the death of {facts.pseudonym}

{facts.csp} Community Safety Partnership

## 1. Background

In {month_year(facts.died)} {facts.pseudonym}, {case.victim}, died. The police notified the \
Community Safety Partnership, which decided that the death meets the criteria for a Domestic \
Homicide Review.

## 2. Purpose

The review will establish what lessons are to be learned about the way in which local \
professionals and organisations work, individually and together, to safeguard victims; \
identify what will change as a result; and improve service responses through intra- and \
inter-agency working. It is not an inquiry into who is to blame: that is for the courts and \
the coroner.

## 3. Scope

The review covers the three years before {facts.pseudonym}'s death, and any earlier contact \
an agency considers relevant.

## 4. Independent chair and panel

The independent chair is {facts.chair}. The panel is:

{panel}

## 5. Key lines of enquiry

{enquiry}

## 6. Family, friends and colleagues

The chair will offer the family the chance to contribute, and specialist advocacy through \
Advocacy After Fatal Domestic Abuse (AAFDA). The family will see the draft report before it \
is submitted to the Home Office.

## 7. Parallel processes

The chair will liaise with the senior investigating officer and the coroner, so that the \
review does not prejudice criminal proceedings or the inquest.

## 8. Timescales and confidentiality

The review will aim to complete within six months of the decision, paused where parallel \
proceedings require. Information shared with the panel is confidential until publication; the \
published report will use pseudonyms only.{note}
"""


def _contact_sections(case: CaseText, facts: Facts, labels: dict[str, str]) -> str:
    return "\n\n".join(f"### {agency_name(facts.area, code, labels)[0].upper()}"
                       f"{agency_name(facts.area, code, labels)[1:]}\n\n{text}"
                       for code, text in case.contacts.items())


def _recommendation_list(facts: Facts) -> str:
    return "\n".join(f"- **{rec.number}** {rec.text}" for rec in facts.recommendations)


def overview_report(case: CaseText, facts: Facts, labels: dict[str, str],
                    revision: str = "") -> str:
    lessons = "\n".join(f"- {lesson}" for lesson in case.lessons)
    note = f"\n\n## Revision note\n\n{revision}" if revision else ""
    return f"""# Overview report: the death of {facts.pseudonym}

{facts.csp} Community Safety Partnership. Independent chair and author: {facts.chair}.

## 1. Introduction

This report of a Domestic Homicide Review examines the contact agencies had with \
{facts.pseudonym}, {case.victim}, and with {case.perpetrator}, before {facts.pseudonym}'s \
death in {month_year(facts.died)}. The review panel offers its sincere condolences to \
{facts.pseudonym}'s family and thanks them for their contribution.

The purpose of the review is learning, not blame: to understand what happened, what agencies \
knew, and what should change so that it does not happen again.

## 2. Summary of events

{case.summary}

## 3. Contact with agencies and analysis

{_contact_sections(case, facts, labels)}

## 4. Lessons learned

{lessons}

## 5. Recommendations

{_recommendation_list(facts)}{note}
"""


def executive_summary(case: CaseText, facts: Facts, labels: dict[str, str],
                      revision: str = "") -> str:
    lessons = "\n".join(f"- {lesson}" for lesson in case.lessons)
    panel = spoken_list([agency_name(facts.area, code, labels) for code in facts.panel])
    note = f"\n\n{revision}" if revision else ""
    return f"""# Executive summary: the death of {facts.pseudonym}

## The review

{facts.csp} Community Safety Partnership commissioned this Domestic Homicide Review after the \
death of {facts.pseudonym}, {case.victim}, in {month_year(facts.died)}. The independent chair \
was {facts.chair}. The panel included {panel}.

## What happened

{case.summary}

## Key lessons

{lessons}

## Recommendations

{_recommendation_list(facts)}{note}
"""


def action_plan(case: CaseText, facts: Facts, labels: dict[str, str], revision: str = "") -> str:
    rows = "\n".join(
        f"| {rec.number} | {rec.text} | {rec.level.title()} | "
        f"{agency_name(facts.area, rec.agency, labels)} | "
        f"{month_year(rec.due) if rec.due else 'to be agreed'} |"
        for rec in facts.recommendations)
    note = f"\n\n{revision}" if revision else ""
    return f"""# Action plan: the death of {facts.pseudonym}

Each agency reports progress to the {facts.area} DHR sub-group. Completion is recorded as YES \
with the date and the evidence, never as 'ongoing'.

| No. | Recommendation | Scope | Lead agency | Target |
|---|---|---|---|---|
{rows}{note}
"""


def ho_letter(facts: Facts, outcome_words: str, points: list[str]) -> str:
    listed = "\n".join(f"{n}. {point}" for n, point in enumerate(points, start=1))
    return f"""# Home Office Quality Assurance Panel

Domestic Homicide Review: {facts.pseudonym} ({facts.csp})

The Panel considered the report at its meeting and concluded: **{outcome_words}**.

{listed}
"""


# --- historic reviews (published before the system existed) ---------------------------------

# (lesson, recommendation text, level, agency, themes). The GP routine enquiry recommendation
# recurs year after year, as it does nationally: that is what the tracker is for.
HISTORIC_LEARNING: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "gp_enquiry": (
        "The victim saw her GP several times but was never asked about domestic abuse.",
        "GP practices in {csp} to routinely ask patients about domestic abuse when they present "
        "with anxiety, depression or unexplained injuries, and to record the response.",
        "local", "gp_primary_care", ("Routine enquiry", "Training and awareness")),
    "dash": (
        "Earlier incidents were risk assessed as standard without the victim being seen alone.",
        "Hertfordshire Constabulary to ensure a DASH risk assessment is completed at every "
        "domestic abuse incident and that repeat incidents within 12 months are referred to "
        "MARAC.", "local", "police", ("Risk assessment (DASH)", "MARAC effectiveness")),
    "think_family": (
        "The children's experience of the abuse was not recorded by any agency.",
        "Children's Services to ensure that assessments following a domestic abuse "
        "notification record the voice of the child.", "local", "children_s_social_care",
        ("Think family / voice of the child",)),
    "dvds": (
        "The perpetrator's history of abuse in earlier relationships was known to the police.",
        "Hertfordshire Constabulary to raise awareness among frontline officers of the right to "
        "ask and the right to know under the Domestic Violence Disclosure Scheme.", "local",
        "police", ("Clare's Law (DVDS)", "Training and awareness")),
    "mental_health": (
        "The perpetrator's statements that he could not cope were not seen as a risk to others.",
        "Mental health services to consider, in every suicide risk assessment, the risk the "
        "patient may pose to the people they live with.", "local", "mental_health_trust",
        ("Suicide prevention", "Risk assessment (DASH)")),
    "info_sharing": (
        "Agencies each held part of the picture and none of them shared it.",
        "All partner agencies to share information about domestic abuse with the victim's GP "
        "when a risk assessment is completed, under the county information sharing agreement.",
        "local", "marac", ("Information sharing", "Multi-agency working")),
    "carers": (
        "A family member with a history of violence was recorded as the victim's carer.",
        "Adult Care Services to ask about domestic abuse, and about the carer's own needs, in "
        "every carer's assessment.", "local", "adult_social_care", ("Carers", "Routine enquiry")),
    "acs_training": (
        "Front line care staff did not recognise abuse by an adult child as domestic abuse.",
        "That domestic abuse training and awareness raising is adopted by the Hertfordshire "
        "Safeguarding Adults Board as part of mandatory safeguarding training for front line "
        "staff and managers in Adult Care Services.", "regional", "adult_social_care",
        ("Training and awareness", "Safeguarding referrals and thresholds")),
    "medium_risk": (
        "Support ended when the risk was graded medium, although the abuse continued.",
        "That the Hertfordshire Domestic Abuse Partnership actively creates support services "
        "for medium and standard risk victims.", "regional", "voluntary_sector",
        ("IDVA provision", "Commissioning gaps")),
}
HISTORIC_LEARNING_BY_TYPE = {
    "intimate_partner_homicide": ("gp_enquiry", "dash", "think_family", "dvds"),
    "homicide_suicide": ("gp_enquiry", "mental_health", "info_sharing"),
    "adult_family_homicide": ("carers", "acs_training", "mental_health"),
    "suspected_victim_suicide": ("gp_enquiry", "medium_risk"),
}
HISTORIC_EVENTS = {
    "intimate_partner_homicide": "{p} was killed by her partner. Agencies knew of earlier "
                                 "incidents of abuse, but the risk was not shared between them "
                                 "and {p} was not asked about abuse when she sought help.",
    "homicide_suicide": "{p} was killed by her husband, who then took his own life. He had told "
                        "professionals he was struggling to cope; this was not recognised as a "
                        "risk to others.",
    "adult_family_homicide": "{p} was killed by an adult member of the family who lived with "
                             "them. The family member had mental health needs and had been "
                             "violent before; agencies saw them as a carer.",
    "suspected_victim_suicide": "{p} took her own life after years of abuse by a partner. She "
                                "had told her GP and a support worker about the abuse, but the "
                                "link with her risk of suicide was not made.",
}
GP_PROGRESS = ("Domestic abuse training offered to every practice through the Sunflower "
               "Champions programme; the challenge remains to engage further with GPs.")


def historic_learning(death_type: str, count: int) -> list[str]:
    """Keys of HISTORIC_LEARNING for a historic review: the first `count` for its type."""
    return list(HISTORIC_LEARNING_BY_TYPE[death_type][:count])


def historic_summary(pseudonym: str, csp: str, died: date, death_type: str, children: int,
                     keys: list[str]) -> str:
    learning = [HISTORIC_LEARNING[key] for key in keys]
    household = (f" {children} child{'ren' if children > 1 else ''} under 16 lived in the "
                 "household." if children else "")
    lessons = "\n".join(f"- {lesson}" for lesson, *_ in learning)
    recs = "\n".join(f"- **{n}** {text.format(csp=csp)}"
                     for n, (_, text, *_) in enumerate(learning, start=1))
    return f"""# Executive summary: the death of {pseudonym}

## The review

{csp} Community Safety Partnership commissioned this Domestic Homicide Review after the death \
of {pseudonym} in {month_year(died)}. The Home Office Quality Assurance Panel approved the \
report for publication.

## What happened

{HISTORIC_EVENTS[death_type].format(p=pseudonym)}{household}

## Key lessons

{lessons}

## Recommendations

{recs}
"""
