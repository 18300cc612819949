"""The expected-access table for tests/security/test_access_matrix.py: for every URL rule and
method, what each persona (tests/support/foundation.PERSONAS) and an anonymous caller get, on
each object of the kind the rule names.

Cells: A reached (2xx, a redirect elsewhere than sign-in, or a validation answer 400/409/422
to the empty or minimal body sent); N hidden (404); F forbidden (403); S sent to sign in
(pages: redirect to /sign-in; API: 401). Columns, in order (PERSONA_COLUMNS):

    an  anonymous            ad  admin
    hco Hertfordshire coordinator      fco Herefordshire coordinator
    dm  Dacorum CSP manager            wm  Watford CSP manager
    hs  Hertfordshire sub-group member fs  Herefordshire sub-group member
    ch  the chair appointed to dacorum_drafting and watford_published
    och another chair                  pr  practitioner

A rule whose cells change here has changed who may do what: review it as such.

The objects (rows) a rule is tried on depend on what it names (FAMILIES):
- reviews: dacorum_notified, dacorum_drafting (chaired), watford_published (chaired),
  dacorum_closed, hereford_drafting; their documents, recommendations, agency requests (with
  a file) and Home Office amendments go with them;
- pool members: herts_member (serves Hertfordshire), hereford_member (Herefordshire),
  appointed_chair (the chair persona's own entry, serving every area);
- users (of /users pages): herts_user (a Watford manager), hereford_user, another_admin;
- invitations: to_appointed_chair, to_herts_member; API tokens and notifications: own,
  another user's.
"""

from __future__ import annotations

from tests.support.foundation import PERSONAS

ANONYMOUS = "anonymous"
PERSONA_COLUMNS = (ANONYMOUS, *PERSONAS)
FAMILIES: dict[str, tuple[str, ...]] = {
    "review": ("review_id", "recommendation_id", "request_id", "slug"),
    "member": ("member_id", "chair_id"),
    "user": ("user_id",),
    "invitation": ("invitation_id",),
    "token": ("token_id",),
    "notification": ("notification_id",),
}
VARIANTS: dict[str, tuple[str, ...]] = {
    "review": ("dacorum_notified", "dacorum_drafting", "watford_published", "dacorum_closed",
               "hereford_drafting"),
    "member": ("herts_member", "hereford_member", "appointed_chair"),
    "user": ("herts_user", "hereford_user", "another_admin"),
    "invitation": ("to_appointed_chair", "to_herts_member"),
    "token": ("own", "another"),
    "notification": ("own", "another"),
    "-": ("-",),
}
# Rules whose success is a redirect to sign-in (they end the caller's session).
ENDS_SESSION = frozenset({"/sign-out", "/account/sign-out-everywhere"})

Pattern = str | dict[str, str]


def expected_cells(rule: str, method: str) -> dict[str, list[str]]:
    """{object variant: the expected cell of every column} for one rule and method."""
    pattern = TABLE[rule][method]
    if isinstance(pattern, str):
        return {"-": _cells(pattern)}
    return {variant: _cells(row) for variant, row in pattern.items()}


def _cells(row: str) -> list[str]:
    cells = row.split()
    assert len(cells) == len(PERSONA_COLUMNS), row
    return cells



# Patterns shared by several rules ------------------------------------------------------------

# Reading a review: whoever sees it; practitioners once published.
REVIEW_READ: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   A   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   A   N   A   N   N",
    "watford_published":   "S   A   A   N   N   A   A   N   A   N   A",
    "dacorum_closed":      "S   A   A   N   A   N   A   N   N   N   A",
    "hereford_drafting":   "S   A   N   A   N   N   N   A   N   N   N",
}

# The working material (drafts, agency requests, trackers' pages): never practitioners.
WORKING_READ: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   A   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   A   N   A   N   N",
    "watford_published":   "S   A   A   N   N   A   A   N   A   N   N",
    "dacorum_closed":      "S   A   A   N   A   N   A   N   N   N   N",
    "hereford_drafting":   "S   A   N   A   N   N   N   A   N   N   N",
}

# Writing documents and agency requests: editors, and the appointed chair until publication;
# sub-group members see the review but may not (403).
ARTEFACT_WRITE: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   F   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   F   N   A   N   N",
    "watford_published":   "S   A   A   N   N   A   F   N   F   N   N",
    "dacorum_closed":      "S   A   A   N   A   N   F   N   N   N   N",
    "hereford_drafting":   "S   A   N   A   N   N   N   F   N   N   N",
}

# Changing the review itself, its events and its chair: editors only.
REVIEW_EDIT: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   F   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   F   N   F   N   N",
    "watford_published":   "S   A   A   N   N   A   F   N   F   N   F",
    "dacorum_closed":      "S   A   A   N   A   N   F   N   N   N   F",
    "hereford_drafting":   "S   A   N   A   N   N   N   F   N   N   N",
}

# Reports and new recommendations: as ARTEFACT_WRITE; practitioners refused (403) on what
# they can read.
REPORT_WRITE: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   F   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   F   N   A   N   N",
    "watford_published":   "S   A   A   N   N   A   F   N   F   N   F",
    "dacorum_closed":      "S   A   A   N   A   N   F   N   N   N   F",
    "hereford_drafting":   "S   A   N   A   N   N   N   F   N   N   N",
}

# Tracking a recommendation (API): the county's staff; the chair may not (403).
PROGRESS_API: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   A   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   A   N   F   N   N",
    "watford_published":   "S   A   A   N   N   A   A   N   F   N   F",
    "dacorum_closed":      "S   A   A   N   A   N   A   N   N   N   F",
    "hereford_drafting":   "S   A   N   A   N   N   N   A   N   N   N",
}

# Tracking a recommendation (pages): as PROGRESS_API, and the page is hidden from practitioners.
PROGRESS_WEB: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   A   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   A   N   F   N   N",
    "watford_published":   "S   A   A   N   N   A   A   N   F   N   N",
    "dacorum_closed":      "S   A   A   N   A   N   A   N   N   N   N",
    "hereford_drafting":   "S   A   N   A   N   N   N   A   N   N   N",
}

# Answering an invitation: the invited chair only (sent {"response": "decline"}); those who
# appoint in the area see it (403), nobody else does (404).
INVITATION_RESPONSE: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "to_appointed_chair":  "S   F   F   N   F   N   N   N   A   N   N",
    "to_herts_member":     "S   F   F   N   F   N   N   N   N   N   N",
}

# Marking a Home Office amendment done (a 409 once published: the state refuses).
AMENDMENT_DONE: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   F   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   F   N   A   N   N",
    "watford_published":   "S   A   A   N   N   A   F   N   A   N   F",
    "dacorum_closed":      "S   A   A   N   A   N   F   N   N   N   F",
    "hereford_drafting":   "S   A   N   A   N   N   N   F   N   N   N",
}

# The published material: only of a published review.
PUBLISHED: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   N   N   N   N   N   N   N   N   N   N",
    "dacorum_drafting":    "S   N   N   N   N   N   N   N   N   N   N",
    "watford_published":   "S   A   A   N   N   A   A   N   A   N   A",
    "dacorum_closed":      "S   A   A   N   A   N   A   N   N   N   A",
    "hereford_drafting":   "S   N   N   N   N   N   N   N   N   N   N",
}

# Identifying terms: editors only; hidden from everyone else who sees the review.
IDENTIFYING_TERMS: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "S   A   A   N   A   N   N   N   N   N   N",
    "dacorum_drafting":    "S   A   A   N   A   N   N   N   N   N   N",
    "watford_published":   "S   A   A   N   N   A   N   N   N   N   N",
    "dacorum_closed":      "S   A   A   N   A   N   N   N   N   N   N",
    "hereford_drafting":   "S   A   N   A   N   N   N   N   N   N   N",
}

# Pool pages: admins and coordinators of an area the member serves.
POOL_PAGES: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "herts_member":        "S   A   A   N   F   F   F   F   F   F   F",
    "hereford_member":     "S   A   N   A   F   F   F   F   F   F   F",
    "appointed_chair":     "S   A   A   A   F   F   F   F   F   F   F",
}

# Managing users: admins; coordinators within their area, never an administrator.
USER_ADMIN: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "herts_user":          "S   A   A   N   F   F   F   F   F   F   F",
    "hereford_user":       "S   A   N   A   F   F   F   F   F   F   F",
    "another_admin":       "S   A   N   N   F   F   F   F   F   F   F",
}

# One's own token or notification only; another's is hidden.
OWN_ONLY: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "own":                 "S   A   A   A   A   A   A   A   A   A   A",
    "another":             "S   N   N   N   N   N   N   N   N   N   N",
}

# The public learning pages (on for the matrix): anyone, of a published review only.
PUBLIC_REVIEW: Pattern = {
    #                       an  ad  hco fco dm  wm  hs  fs  ch  och pr
    "dacorum_notified":    "N   N   N   N   N   N   N   N   N   N   N",
    "dacorum_drafting":    "N   N   N   N   N   N   N   N   N   N   N",
    "watford_published":   "A   A   A   A   A   A   A   A   A   A   A",
    "dacorum_closed":      "A   A   A   A   A   A   A   A   A   A   A",
    "hereford_drafting":   "N   N   N   N   N   N   N   N   N   N   N",
}

SIGNED_IN = "S   A   A   A   A   A   A   A   A   A   A"
PUBLIC = "A   A   A   A   A   A   A   A   A   A   A"
ADMIN_ONLY = "S   A   F   F   F   F   F   F   F   F   F"
ADMIN_OR_COORDINATOR = "S   A   A   A   F   F   F   F   F   F   F"
EDITORS = "S   A   A   A   A   A   F   F   F   F   F"

TABLE: dict[str, dict[str, Pattern]] = {
    "/": {"GET": SIGNED_IN},
    "/account": {"GET": SIGNED_IN},
    "/administration": {"GET": ADMIN_OR_COORDINATOR},
    "/learning": {"GET": SIGNED_IN},
    "/learning/public/": {"GET": PUBLIC},
    "/learning/public/reviews/<slug>": {"GET": PUBLIC_REVIEW},
    "/learning/public/reviews/<slug>/<kind>/download": {"GET": PUBLIC_REVIEW},
    "/learning/public/search": {"GET": PUBLIC},
    "/account/notifications": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "/account/sign-out-everywhere": {"POST": SIGNED_IN},
    "/account/tokens": {"GET": SIGNED_IN},
    "/account/tokens/<int:token_id>/revoke": {"GET": OWN_ONLY, "POST": OWN_ONLY},
    "/account/two-factor": {"GET": SIGNED_IN},
    "/account/two-factor/set-up": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "/agency-requests/<int:request_id>/<event>": {"GET": ARTEFACT_WRITE, "POST": ARTEFACT_WRITE},
    "/agency-requests/<int:request_id>/contact": {"GET": ARTEFACT_WRITE, "POST": ARTEFACT_WRITE},
    "/agency-requests/<int:request_id>/files/<int:file_id>": {"GET": WORKING_READ},
    "/api/v1/agency-requests/<int:request_id>": {"GET": WORKING_READ, "PATCH": ARTEFACT_WRITE},
    "/api/v1/agency-requests/<int:request_id>/transitions": {"POST": ARTEFACT_WRITE},
    "/api/v1/chair-invitations": {"GET": SIGNED_IN},
    "/api/v1/chair-invitations/<int:invitation_id>/respond": {"POST": INVITATION_RESPONSE},
    "/api/v1/chairs": {
        "GET": "S   A   A   A   A   A   A   A   A   A   F",
        "POST": ADMIN_OR_COORDINATOR,
    },
    "/api/v1/chairs/<int:chair_id>": {
        "GET": {
            "herts_member": "S   A   A   N   A   A   A   N   N   N   F",
            "hereford_member": "S   A   N   A   N   N   N   A   N   N   F",
            "appointed_chair": "S   A   A   A   A   A   A   A   A   N   F",
        },
        "PATCH": {
            "herts_member": "S   A   A   N   F   F   F   N   N   N   F",
            "hereford_member": "S   A   N   A   N   N   N   F   N   N   F",
            "appointed_chair": "S   A   A   A   F   F   F   F   F   N   F",
        },
    },
    "/api/v1/csps": {"GET": SIGNED_IN},
    "/api/v1/health": {"GET": PUBLIC},
    "/api/v1/imports/register": {"POST": ADMIN_OR_COORDINATOR},
    "/api/v1/imports/tracker": {"POST": ADMIN_OR_COORDINATOR},
    "/api/v1/notifications": {"GET": SIGNED_IN},
    "/api/v1/notifications/<int:notification_id>/read": {"POST": OWN_ONLY},
    "/api/v1/notifications/read-all": {"POST": SIGNED_IN},
    "/api/v1/openapi.json": {"GET": PUBLIC},
    "/api/v1/recommendations": {"GET": SIGNED_IN},
    "/api/v1/recommendations/<int:recommendation_id>": {
        "GET": REVIEW_READ,
        "PATCH": {
            "dacorum_notified": "S   A   A   N   A   N   A   N   N   N   N",
            "dacorum_drafting": "S   A   A   N   A   N   A   N   A   N   N",
            "watford_published": "S   A   A   N   N   A   A   N   F   N   F",
            "dacorum_closed": "S   A   A   N   A   N   A   N   N   N   F",
            "hereford_drafting": "S   A   N   A   N   N   N   A   N   N   N",
        },
    },
    "/api/v1/recommendations/<int:recommendation_id>/close": {"POST": PROGRESS_API},
    "/api/v1/recommendations/<int:recommendation_id>/complete": {"POST": PROGRESS_API},
    "/api/v1/recommendations/<int:recommendation_id>/reopen": {
        "POST": {
            "dacorum_notified": "S   A   A   N   F   N   A   N   N   N   N",
            "dacorum_drafting": "S   A   A   N   F   N   A   N   F   N   N",
            "watford_published": "S   A   A   N   N   F   A   N   F   N   F",
            "dacorum_closed": "S   A   A   N   F   N   A   N   N   N   F",
            "hereford_drafting": "S   A   N   A   N   N   N   A   N   N   N",
        },
    },
    "/api/v1/recommendations/<int:recommendation_id>/similar": {"GET": REVIEW_READ},
    "/api/v1/recommendations/<int:recommendation_id>/updates": {"POST": PROGRESS_API},
    "/api/v1/recommendations/export": {"GET": SIGNED_IN},
    "/api/v1/recommendations/repeats": {"GET": SIGNED_IN},
    "/api/v1/reviews": {"GET": SIGNED_IN, "POST": EDITORS},
    "/api/v1/reviews/<int:review_id>": {"GET": REVIEW_READ, "PATCH": REVIEW_EDIT},
    "/api/v1/reviews/<int:review_id>/agency-requests": {
        "GET": WORKING_READ,
        "POST": ARTEFACT_WRITE,
    },
    "/api/v1/reviews/<int:review_id>/amendments": {
        "GET": {
            "dacorum_notified": "S   A   A   N   A   N   A   N   N   N   N",
            "dacorum_drafting": "S   A   A   N   A   N   A   N   A   N   N",
            "watford_published": "S   A   A   N   N   A   A   N   A   N   F",
            "dacorum_closed": "S   A   A   N   A   N   A   N   N   N   F",
            "hereford_drafting": "S   A   N   A   N   N   N   A   N   N   N",
        },
    },
    "/api/v1/reviews/<int:review_id>/amendments/<int:amendment_id>/done": {"POST": AMENDMENT_DONE},
    "/api/v1/reviews/<int:review_id>/chair-candidates": {"GET": REVIEW_EDIT},
    "/api/v1/reviews/<int:review_id>/chair-invitations": {"POST": REVIEW_EDIT},
    "/api/v1/reviews/<int:review_id>/chair-replacement": {"POST": REVIEW_EDIT},
    "/api/v1/reviews/<int:review_id>/documents/<kind>": {"GET": REVIEW_READ, "PUT": REPORT_WRITE},
    "/api/v1/reviews/<int:review_id>/export": {
        "GET": {
            "dacorum_notified": "S   A   A   N   F   N   F   N   N   N   N",
            "dacorum_drafting": "S   A   A   N   F   N   F   N   F   N   N",
            "watford_published": "S   A   A   N   N   F   F   N   F   N   F",
            "dacorum_closed": "S   A   A   N   F   N   F   N   N   N   F",
            "hereford_drafting": "S   A   N   A   N   N   N   F   N   N   N",
        },
    },
    "/api/v1/reviews/<int:review_id>/published": {"GET": PUBLISHED},
    "/api/v1/reviews/<int:review_id>/recommendations": {"GET": REVIEW_READ, "POST": REPORT_WRITE},
    "/api/v1/reviews/<int:review_id>/transitions": {"GET": REVIEW_READ, "POST": REVIEW_EDIT},
    "/api/v1/search": {"GET": SIGNED_IN},
    "/api/v1/stats/annual": {"GET": SIGNED_IN},
    "/api/v1/stats/timeliness": {"GET": SIGNED_IN},
    "/api/v1/themes": {"GET": SIGNED_IN},
    "/api/v1/vocabularies/<vocabulary>": {"GET": ADMIN_ONLY},
    "/api/v1/vocabularies/<vocabulary>/terms": {"POST": ADMIN_ONLY},
    "/api/v1/vocabularies/<vocabulary>/terms/<code>": {"PATCH": ADMIN_ONLY},
    "/api/v1/vocabularies/<vocabulary>/terms/<code>/merge": {"POST": ADMIN_ONLY},
    "/assets/govuk/<path:filename>": {"GET": PUBLIC},
    "/audit": {"GET": ADMIN_ONLY},
    "/audit.csv": {"GET": ADMIN_ONLY},
    "/chair-invitations": {"GET": SIGNED_IN},
    "/chair-invitations/<int:invitation_id>/respond": {"POST": INVITATION_RESPONSE},
    "/drafts/<token>": {"GET": "S   N   N   N   N   N   N   N   N   N   N"},
    "/favicon.ico": {"GET": PUBLIC},
    "/imports": {"GET": ADMIN_OR_COORDINATOR},
    "/imports/<kind>": {"GET": ADMIN_OR_COORDINATOR, "POST": ADMIN_OR_COORDINATOR},
    "/imports/<kind>/confirm": {"POST": ADMIN_OR_COORDINATOR},
    "/notifications": {"GET": SIGNED_IN},
    "/notifications/<int:notification_id>/read": {"POST": OWN_ONLY},
    "/notifications/read-all": {"POST": SIGNED_IN},
    "/pool": {"GET": ADMIN_OR_COORDINATOR},
    "/pool/<int:member_id>": {"GET": POOL_PAGES},
    "/pool/<int:member_id>/conflicts": {"POST": POOL_PAGES},
    "/pool/<int:member_id>/conflicts/<int:conflict_id>/remove": {"POST": POOL_PAGES},
    "/pool/<int:member_id>/edit": {"GET": POOL_PAGES, "POST": POOL_PAGES},
    "/pool/<int:member_id>/training": {"POST": POOL_PAGES},
    "/pool/<int:member_id>/training/<int:training_id>/remove": {
        "GET": POOL_PAGES,
        "POST": POOL_PAGES,
    },
    "/pool/new": {"GET": ADMIN_OR_COORDINATOR, "POST": ADMIN_OR_COORDINATOR},
    "/recommendations": {"GET": SIGNED_IN},
    "/recommendations/<int:recommendation_id>": {"GET": WORKING_READ},
    "/recommendations/<int:recommendation_id>/close": {"POST": PROGRESS_WEB},
    "/recommendations/<int:recommendation_id>/complete": {"POST": PROGRESS_WEB},
    "/recommendations/<int:recommendation_id>/reopen": {
        "POST": {
            "dacorum_notified": "S   A   A   N   F   N   A   N   N   N   N",
            "dacorum_drafting": "S   A   A   N   F   N   A   N   F   N   N",
            "watford_published": "S   A   A   N   N   F   A   N   F   N   N",
            "dacorum_closed": "S   A   A   N   F   N   A   N   N   N   N",
            "hereford_drafting": "S   A   N   A   N   N   N   A   N   N   N",
        },
    },
    "/recommendations/<int:recommendation_id>/updates": {"POST": PROGRESS_WEB},
    "/recommendations/export": {"GET": SIGNED_IN},
    "/recommendations/repeats": {"GET": SIGNED_IN},
    "/reviews": {"GET": SIGNED_IN},
    "/reviews/<int:review_id>": {"GET": REVIEW_READ},
    "/reviews/<int:review_id>/amendments/<int:amendment_id>/done": {"POST": AMENDMENT_DONE},
    "/reviews/<int:review_id>/chair-candidates": {"GET": REVIEW_EDIT},
    "/reviews/<int:review_id>/chair-invitations": {"POST": REVIEW_EDIT},
    "/reviews/<int:review_id>/chair-replacement": {"POST": REVIEW_EDIT},
    "/reviews/<int:review_id>/documents": {"GET": WORKING_READ},
    "/reviews/<int:review_id>/documents/<kind>": {"GET": WORKING_READ, "POST": ARTEFACT_WRITE},
    "/reviews/<int:review_id>/documents/<kind>/preview": {"POST": ARTEFACT_WRITE},
    "/reviews/<int:review_id>/documents/<kind>/upload": {"POST": ARTEFACT_WRITE},
    "/reviews/<int:review_id>/documents/<kind>/versions/<int:number>": {"GET": WORKING_READ},
    "/reviews/<int:review_id>/documents/<kind>/versions/<int:number>/download": {
        "GET": REVIEW_READ,
    },
    "/reviews/<int:review_id>/events/<event>": {"GET": REVIEW_EDIT, "POST": REVIEW_EDIT},
    "/reviews/<int:review_id>/identifying-terms": {
        "GET": IDENTIFYING_TERMS,
        "POST": IDENTIFYING_TERMS,
    },
    "/reviews/<int:review_id>/published": {"GET": PUBLISHED},
    "/reviews/<int:review_id>/recommendations": {"GET": REVIEW_READ},
    "/reviews/<int:review_id>/recommendations/new": {"GET": REPORT_WRITE, "POST": REPORT_WRITE},
    "/reviews/<int:review_id>/requests": {"GET": WORKING_READ},
    "/reviews/<int:review_id>/requests/new": {"GET": ARTEFACT_WRITE, "POST": ARTEFACT_WRITE},
    "/reviews/<int:review_id>/requests/panel": {"GET": ARTEFACT_WRITE, "POST": ARTEFACT_WRITE},
    "/reviews/new": {"GET": EDITORS, "POST": EDITORS},
    "/search": {"GET": SIGNED_IN},
    "/sign-in": {"GET": PUBLIC, "POST": PUBLIC},
    "/sign-in/two-factor": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "/sign-out": {"POST": SIGNED_IN},
    "/static/<path:filename>": {"GET": PUBLIC},
    "/stats/annual": {"GET": SIGNED_IN},
    "/stats/annual.csv": {"GET": SIGNED_IN},
    "/themes": {"GET": SIGNED_IN},
    "/users": {"GET": ADMIN_OR_COORDINATOR},
    "/users/<int:user_id>": {"GET": USER_ADMIN},
    "/users/<int:user_id>/disable": {"GET": USER_ADMIN, "POST": USER_ADMIN},
    "/users/<int:user_id>/enable": {"POST": USER_ADMIN},
    "/users/<int:user_id>/password": {"GET": USER_ADMIN, "POST": USER_ADMIN},
    "/users/<int:user_id>/role": {"GET": USER_ADMIN, "POST": USER_ADMIN},
    "/users/new": {"GET": ADMIN_OR_COORDINATOR, "POST": ADMIN_OR_COORDINATOR},
    "/vocabularies": {"GET": ADMIN_ONLY},
    "/vocabularies/<vocabulary>": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "/vocabularies/<vocabulary>/<code>": {"GET": ADMIN_ONLY},
    "/vocabularies/<vocabulary>/<code>/merge": {"POST": ADMIN_ONLY},
    "/vocabularies/<vocabulary>/<code>/rename": {"POST": ADMIN_ONLY},
    "/vocabularies/<vocabulary>/<code>/restore": {"POST": ADMIN_ONLY},
    "/vocabularies/<vocabulary>/<code>/retire": {"POST": ADMIN_ONLY},
}

