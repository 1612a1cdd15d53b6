"""The whole lifecycle of a need on one screen: which action leads from which state to which, and who may
take it. `needs.services.need_act` is the only code that applies these tables.

    submitted ─accept─▶ accepted ─publish─▶ published ─claim─▶ claimed ─start / report_in─▶ in_progress
        │ reject / merge     │ dispatch ─────────┴─dispatch─▶ claimed ◀─return (back to the board)─┘
        │                    └ escalate (吹哨) ─▶ escalated ─dispatch (department) / publish / reject─▶ …
    in_progress / claimed ─resolve─▶ resolved ─rate / follow_up / verify / close_unrated─▶ closed ─reopen─▶ in_progress
"""

from django.utils.translation import gettext_lazy as _

from needs.models import State

S = State
NEW = ""  # a need not yet saved: the only action from here is submit

# --- State groups: defined here once; pages, API, the sweep, matching and the ledger use these names ---
OPEN = (S.SUBMITTED, S.ACCEPTED, S.PUBLISHED, S.ESCALATED, S.CLAIMED, S.IN_PROGRESS)  # still waiting on someone
OPEN_WORK = (S.CLAIMED, S.IN_PROGRESS)  # a holder works on it
ESCALATABLE = (S.SUBMITTED, S.ACCEPTED, S.PUBLISHED, S.CLAIMED, S.IN_PROGRESS)
TURNED_AWAY = (S.REJECTED, S.MERGED)  # never found: the ledger does not count them
EVER_CLAIMED = (S.CLAIMED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED)  # has (had) a holder
DONE = (S.RESOLVED, S.CLOSED)
TRIAGE = (S.SUBMITTED, S.ACCEPTED)  # waiting for staff to accept and publish or dispatch
# What the public sees of a public need: from the claim board on; not what was never vetted, or turned away.
PUBLIC = (S.PUBLISHED, S.CLAIMED, S.IN_PROGRESS, S.ESCALATED, S.RESOLVED, S.CLOSED)
BOARD_TABS = {"open": (S.PUBLISHED,), "working": (S.CLAIMED, S.IN_PROGRESS, S.ESCALATED), "done": DONE}

TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "reject"): S.REJECTED,
    (S.SUBMITTED, "merge"): S.MERGED,
    (S.ACCEPTED, "merge"): S.MERGED,
    (S.ACCEPTED, "publish"): S.PUBLISHED,
    (S.ACCEPTED, "dispatch"): S.CLAIMED,
    (S.PUBLISHED, "claim"): S.CLAIMED,
    (S.PUBLISHED, "dispatch"): S.CLAIMED,
    (S.ESCALATED, "dispatch"): S.CLAIMED,
    (S.ESCALATED, "publish"): S.PUBLISHED,
    (S.ESCALATED, "reject"): S.REJECTED,
    (S.CLAIMED, "return"): S.PUBLISHED,
    (S.IN_PROGRESS, "return"): S.PUBLISHED,
    (S.CLAIMED, "start"): S.IN_PROGRESS,
    (S.CLAIMED, "report_in"): S.IN_PROGRESS,
    (S.CLAIMED, "resolve"): S.RESOLVED,
    (S.IN_PROGRESS, "resolve"): S.RESOLVED,
    (S.RESOLVED, "rate"): S.CLOSED,
    (S.CLOSED, "rate"): S.CLOSED,  # staff verified first; the resident may still rate once
    (S.RESOLVED, "follow_up"): S.CLOSED,
    (S.CLOSED, "follow_up"): S.CLOSED,
    (S.RESOLVED, "verify"): S.CLOSED,
    (S.RESOLVED, "close_unrated"): S.CLOSED,
    (S.CLOSED, "reopen"): S.IN_PROGRESS,
    **{(state, "escalate"): S.ESCALATED for state in ESCALATABLE},
    **{(state, "progress"): state for state in OPEN_WORK},
    **{(state, "add_collaborator"): state for state in OPEN_WORK},
    # The deadline sweep's own actions: they change no state but are logged like any other.
    **{(state, "remind"): state for state in OPEN},
    **{(state, "flag_overdue"): state for state in OPEN},
}

ACTIONS = {
    "submit": _("Submit"), "accept": _("Accept"), "reject": _("Reject"), "merge": _("Merge"),
    "publish": _("Publish to the claim board"), "claim": _("Claim"), "dispatch": _("Dispatch"),
    "return": _("Return"), "start": _("Start work"), "report_in": _("Report in"),
    "progress": _("Post progress"), "add_collaborator": _("Add a collaborating unit"),
    "escalate": _("Escalate"), "resolve": _("Resolve"), "verify": _("Verify"), "rate": _("Rate"),
    "follow_up": _("Follow-up call"), "reopen": _("Reopen"), "close_unrated": _("Close as not rated"),
    "remind": _("Reminder"), "flag_overdue": _("Overdue"),
}

# Who may take each action. A relation is what the actor is to this need (needs.services.relations_to):
#   staff_community   community staff of the community the need's place is in
#   staff_subdistrict subdistrict admin over the place (and superusers)
#   grid_worker       grid worker of the need's grid
#   unit_admin        admin of any unit (claims for the unit);  party_member: a member (claims for self)
#   holder            the lead unit's admin, or the lead member, or the department's admin
#   collaborator      admin of a collaborating unit;            department: admin of the lead department
#   reporter          the resident who reported it (or one merged into it)
#   anyone            any signed-in account, or the public form;  system: the deadline sweep
STAFF = {"staff_community", "staff_subdistrict"}
ROLES: dict[str, set[str]] = {
    "submit": {"anyone"},
    "accept": STAFF,
    "reject": STAFF,
    "merge": STAFF,
    "publish": STAFF,
    "dispatch": STAFF,
    "claim": {"unit_admin", "party_member"},
    "return": {"holder", *STAFF},
    "start": {"holder"},
    "report_in": {"department"},
    "progress": {"holder", "collaborator", *STAFF, "grid_worker"},
    "add_collaborator": {"holder", *STAFF},
    "escalate": {*STAFF, "system"},
    "resolve": {"holder"},
    "verify": {*STAFF, "grid_worker"},
    "rate": {"reporter"},
    "follow_up": {"grid_worker", "staff_community"},
    "reopen": {"reporter", "staff_community"},
    "close_unrated": {*STAFF, "system"},
    "remind": {"system"},
    "flag_overdue": {"system"},
}

# The extra rule for escalated needs: only the subdistrict handles what was raised to it.
SUBDISTRICT_ONLY = {(S.ESCALATED, "dispatch"), (S.ESCALATED, "publish"), (S.ESCALATED, "reject")}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def actions_from(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]
