"""The whole lifecycle of a need on one screen: which action leads from which state to which (TRANSITIONS),
and one record per action (ACTIONS): its label, who may take it, the guard that both hides it on pages and
refuses it in need_act, the notice it sends and to whom, and the fields it takes. `needs.services.need_act`
is the only code that applies them; `needs.actions` holds what each action changes.

    submitted ─accept─▶ accepted ─publish─▶ published ─claim─▶ claimed ─start / report_in─▶ in_progress
        │ reject / merge     │ dispatch ─────────┴─dispatch─▶ claimed ◀─return (back to the board)─┘
        │                    └ escalate (吹哨) ─▶ escalated ─dispatch (department) / publish / reject─▶ …
    in_progress / claimed ─resolve─▶ resolved ─rate / follow_up / verify / close_unrated─▶ closed ─reopen─▶ in_progress
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from core.api import Body, Id
from needs.models import ConcernLevel, Level, Need, Rating, State

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
AWAITING_CLAIM = (S.ACCEPTED, S.PUBLISHED, S.ESCALATED)  # no holder yet: claim or dispatch
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

def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def actions_from(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


# --- Deadlines: which one each state waits on (the sweep reminds before it and acts after it) ---
DEADLINE_OF = {S.SUBMITTED: "accept", **{s: "claim" for s in AWAITING_CLAIM}, **{s: "resolve" for s in OPEN_WORK}}
assert set(DEADLINE_OF) == set(OPEN)


def due_kind(need: Need) -> str | None:
    """accept / claim / report_in / resolve: the deadline the need waits on now, or None."""
    if need.state == S.CLAIMED and need.level == Level.DEPARTMENT and not need.reported_in_at:
        return "report_in"  # a department first reports in (acknowledges), then resolves
    return DEADLINE_OF.get(need.state)


def current_due(need: Need) -> datetime.datetime | None:
    kind = due_kind(need)
    return getattr(need, f"{kind}_due") if kind else None


def rate_window() -> datetime.timedelta:
    """How long the resident may rate a resolved need, and reopen a closed one."""
    return datetime.timedelta(days=settings.NEEDS_RATE_DAYS)


# --- Guards: each returns why the action is refused now, or None. Pages hide an action whose guard
# refuses (needs.permissions.action_offered) and need_act refuses it with the same words. ---

def _public(need, at):
    if not need.is_public:
        return _now("A private need (a dispute or anything personal) is dispatched, not published on the public "
                    "claim board.")
    return None


def _at_community_level(need, at):
    return _now("This need is already with the subdistrict.") if need.level != Level.COMMUNITY else None


def _not_rated(need, at):
    return _now("This need has already been rated.") if need.rating else None


def _rated_unsatisfied_lately(need, at):
    if need.rating != Rating.UNSATISFIED:
        return _now("Only a need rated unsatisfied can be reopened.")
    if need.closed_at and at > need.closed_at + rate_window():
        return _now("A need can be reopened within %(days)d days of closing; submit a new need instead.") % {
            "days": settings.NEEDS_RATE_DAYS}
    return None


def _rating_window_over(need, at):
    if need.resolved_at is None:
        return _now("This need has not been resolved.")
    window_end = need.resolved_at + rate_window()
    if at < window_end:
        return _now("The resident may rate until %(date)s.") % {
            "date": timezone.localtime(window_end).strftime("%Y-%m-%d %H:%M")}
    return None


def _reminder_due(need, at):
    due = current_due(need)
    return _now("A reminder was already sent for this deadline.") if due is None or need.reminded_due == due \
        else None


def _overdue(need, at):
    due = current_due(need)
    return _now("This need is not overdue.") if need.overdue or due is None or at <= due else None


# --- The fields each action takes: the API's request bodies, and the keyword arguments of its service face
# (needs.services.need_<action>). Records are given by id; pages pass model instances. ---

class NoteIn(Body):
    note: str = Field(min_length=1, max_length=5000,
                      description="the reason or the note: the resident may read it")


class OptionalNoteIn(Body):
    note: str = Field("", max_length=5000)


class AcceptIn(Body):
    category: Id = Field(description="a category id (GET /api/v1/categories)")
    concern_level: ConcernLevel
    is_public: bool | None = Field(None, description="leave out to keep what the reporter chose")


class MergeIn(Body):
    into: Id = Field(description="the id of the earlier need this one duplicates")


class HolderIn(Body):
    organisation: Id | None = Field(None, description="a unit or government department id")
    person: Id | None = Field(None, description="or a party member's person id")
    category: Id | None = None
    concern_level: ConcernLevel | None = None


class ClaimIn(Body):
    organisation: Id | None = Field(None, description="the unit claimed for; leave out to claim for yourself "
                                                       "(a party member) or for your only unit")
    for_unit: bool = Field(False, description="a party member who also administers a unit claims for the unit")


class CollaboratorIn(Body):
    organisation: Id = Field(description="the collaborating unit's id")


class ResolveIn(Body):
    note: str = Field(min_length=1, max_length=5000,
                      description="the completion note: what was done, for whom, when")
    evidence: str = Field("", max_length=2000, description="the evidence when there is no photo")


class RateIn(Body):
    rating: Rating
    comment: str = Field("", max_length=2000)


class FollowUpIn(Body):
    rating: Rating = Field(description="the grade the resident gave on the call")
    note: str = Field("", max_length=2000)


# --- One record per action ---
# Who may take it: a relation is what the actor is to this need (needs.permissions.relations_to):
#   staff_community   community staff of the community the need's place is in
#   staff_subdistrict subdistrict admin over the place (and superusers)
#   grid_worker       grid worker of the need's grid
#   unit_admin        admin of any unit (claims for the unit);  party_member: a member (claims for self)
#   holder            the lead unit's admin, or the lead member, or the department's admin
#   collaborator      admin of a collaborating unit;            department: admin of the lead department
#   reporter          the resident who reported it (or one merged into it)
#   anyone            any signed-in account, or the public form;  system: the deadline sweep
# Audience: who hears of it — reporter, holder, or staff of a role over the need's place; never the actor.
STAFF = frozenset({"staff_community", "staff_subdistrict"})


@dataclass(frozen=True)
class Action:
    label: str
    who: frozenset[str]
    audience: tuple[str, ...] = ()
    notice: str | None = None  # the notification's text; None: “title: action — now state”
    guard: Callable[[Need, datetime.datetime], str | None] | None = None
    fields: type[Schema] | None = None  # None: the action takes no fields
    subdistrict_only_from: tuple[str, ...] = ()  # states from which only the subdistrict may take it

    @property
    def system_only(self) -> bool:
        return self.who == {"system"}


ESCALATED_TO_SUBDISTRICT = (S.ESCALATED,)  # only the subdistrict handles what was raised to it

ACTIONS: dict[str, Action] = {
    "submit": Action(_("Submit"), frozenset({"anyone"}), audience=("community_staff",)),
    "accept": Action(_("Accept"), STAFF, audience=("reporter",), fields=AcceptIn),
    "reject": Action(_("Reject"), STAFF, audience=("reporter",), fields=NoteIn,
                     subdistrict_only_from=ESCALATED_TO_SUBDISTRICT),
    "merge": Action(_("Merge"), STAFF, audience=("reporter",), fields=MergeIn),
    "publish": Action(_("Publish to the claim board"), STAFF, audience=("reporter",), guard=_public,
                      subdistrict_only_from=ESCALATED_TO_SUBDISTRICT),
    "dispatch": Action(_("Dispatch"), STAFF, audience=("reporter", "holder"),
                       notice=_("“%(title)s” was dispatched to %(holder)s."), fields=HolderIn,
                       subdistrict_only_from=ESCALATED_TO_SUBDISTRICT),
    "claim": Action(_("Claim"), frozenset({"unit_admin", "party_member"}), audience=("reporter", "community_staff"),
                    notice=_("“%(title)s” was claimed by %(holder)s."), fields=ClaimIn),
    "return": Action(_("Return"), frozenset({"holder", *STAFF}), audience=("community_staff",), fields=NoteIn),
    "start": Action(_("Start work"), frozenset({"holder"}), audience=("reporter",)),
    "report_in": Action(_("Report in"), frozenset({"department"}), audience=("subdistrict_admin",)),
    "progress": Action(_("Post progress"), frozenset({"holder", "collaborator", *STAFF, "grid_worker"}),
                       fields=NoteIn),
    "add_collaborator": Action(_("Add a collaborating unit"), frozenset({"holder", *STAFF}), audience=("holder",),
                               fields=CollaboratorIn),
    "escalate": Action(_("Escalate"), frozenset({*STAFF, "system"}), audience=("subdistrict_admin", "holder"),
                       guard=_at_community_level, fields=NoteIn),
    "resolve": Action(_("Resolve"), frozenset({"holder"}), audience=("reporter", "community_staff"),
                      fields=ResolveIn),
    "verify": Action(_("Verify"), frozenset({*STAFF, "grid_worker"}), audience=("reporter",), fields=OptionalNoteIn),
    "rate": Action(_("Rate"), frozenset({"reporter"}), audience=("holder", "community_staff"), guard=_not_rated,
                   fields=RateIn),
    "follow_up": Action(_("Follow-up call"), frozenset({"grid_worker", "staff_community"}), audience=("holder",),
                        guard=_not_rated, fields=FollowUpIn),
    "reopen": Action(_("Reopen"), frozenset({"reporter", "staff_community"}), audience=("holder", "community_staff"),
                     guard=_rated_unsatisfied_lately, fields=NoteIn),
    "close_unrated": Action(_("Close as not rated"), frozenset({*STAFF, "system"}), guard=_rating_window_over),
    "remind": Action(_("Reminder"), frozenset({"system"}), audience=("holder", "community_staff"),
                     notice=_("“%(title)s” is due soon."), guard=_reminder_due),
    "flag_overdue": Action(_("Overdue"), frozenset({"system"}),
                           audience=("holder", "community_staff", "subdistrict_admin"),
                           notice=_("“%(title)s” is overdue."), guard=_overdue),
}
assert set(ACTIONS) == {action for _state, action in TRANSITIONS}


def refusal(need: Need, action: str, at: datetime.datetime) -> str | None:
    """Why the action's guard refuses it now, or None."""
    guard = ACTIONS[action].guard
    return guard(need, at) if guard else None
