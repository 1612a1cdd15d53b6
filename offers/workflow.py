"""A booking's whole lifecycle on one screen, in the needs loop's pattern (needs.workflow): which action leads
from which state to which (TRANSITIONS) and one record per action (ACTIONS); `offers.services.booking_act`
is the only code that applies them, `offers.actions` holds what each action changes.

    (new) ─request─▶ requested ─confirm─▶ confirmed ─fulfil─▶ fulfilled
      │                  └ decline ─▶ declined       └ mark_no_show ─▶ no_show
      └ join_waitlist ─▶ waiting ─offer_place (a place freed)─▶ offered ─take_place─▶ requested
                                                                   └ lapse (not taken in time) ─▶ lapsed
    requested / confirmed / waiting / offered ─cancel─▶ cancelled
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from core.api import Body
from core.dates import local_moment
from offers.models import BookingState

S = BookingState
NEW = ""  # a booking not yet saved

# --- State groups, defined once: capacity, pages, API and the ledger use these names ---
HOLDS_PLACE = (S.REQUESTED, S.CONFIRMED, S.OFFERED)  # counted against a session's capacity
QUEUED = (S.WAITING,)
ACTIVE = (*HOLDS_PLACE, *QUEUED)  # still to happen: the person's "my bookings" and the per-person limit
ENDED = (S.FULFILLED, S.NO_SHOW, S.CANCELLED, S.DECLINED, S.LAPSED)
COUNTS_FOR_LIMIT = (*ACTIVE, S.FULFILLED, S.NO_SHOW)  # bookings per person per period

TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "request"): S.REQUESTED,
    (NEW, "join_waitlist"): S.WAITING,
    (S.REQUESTED, "confirm"): S.CONFIRMED,
    (S.REQUESTED, "decline"): S.DECLINED,
    (S.CONFIRMED, "fulfil"): S.FULFILLED,
    (S.CONFIRMED, "mark_no_show"): S.NO_SHOW,
    (S.WAITING, "offer_place"): S.OFFERED,
    (S.OFFERED, "take_place"): S.REQUESTED,
    (S.OFFERED, "lapse"): S.LAPSED,
    (S.CONFIRMED, "remind"): S.CONFIRMED,
    **{(state, "cancel"): S.CANCELLED for state in ACTIVE},
}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def actions_from(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


# --- Guards: each returns why the action is refused now, or None. Pages hide an action whose guard refuses
# (offers.permissions.actions_for) and booking_act refuses it with the same words (offers.permissions.refusal,
# which adds the offer's cancellation notice from offers.rules). ---

def _not_started(booking, at):
    session = booking.session
    if session.is_cancelled:
        return _now("This session was cancelled.")
    if at >= session.starts_at:
        return _now("This session has already started (%(start)s).") % {"start": local_moment(session.starts_at)}
    return None


def _session_day(booking, at):
    start = timezone.localtime(booking.session.starts_at)
    day_begins = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if at < day_begins:
        return _now("A booking is marked fulfilled from the day of its session (%(start)s) on.") % {
            "start": local_moment(booking.session.starts_at)}
    return None


def _started(booking, at):
    if at < booking.session.starts_at:
        return _now("A no-show is marked once the session has started (%(start)s).") % {
            "start": local_moment(booking.session.starts_at)}
    return None


def _held(booking, at):
    if booking.offered_until is None or at > booking.offered_until:
        return _now("The place was held until %(until)s and has gone to the next person; join the waiting list "
                    "again or choose another session.") % {
            "until": local_moment(booking.offered_until) if booking.offered_until else "—"}
    return _not_started(booking, at)


def _hold_over(booking, at):
    if booking.offered_until is not None and at <= booking.offered_until:
        return _now("The place is held until %(until)s.") % {"until": local_moment(booking.offered_until)}
    return None


def _reminder_due(booking, at):
    if booking.reminded_at is not None:
        return _now("A reminder was already sent for this booking.")
    start = booking.session.starts_at
    if at >= start or at < start - datetime.timedelta(hours=settings.OFFERS_REMIND_HOURS):
        return _now("Reminders go out %(hours)d hours before the start.") % {"hours": settings.OFFERS_REMIND_HOURS}
    return None


# --- The fields each action takes: the API's request bodies, and the keyword arguments of its service face
# (offers.services.booking_<action>). ---

class ReasonIn(Body):
    reason: str = Field(min_length=1, max_length=300, description="why: the person booked reads it")


class OptionalReasonIn(Body):
    reason: str = Field("", max_length=300)


# --- One record per action ---
# Who may take it: what the actor is to the booking (offers.permissions.relations_to):
#   booker    the person booked for (their own account)
#   provider  an admin of the offer's unit, or the member who offers it
#   staff     community staff, subdistrict admins and grid workers whose area holds the person's home, and
#             community staff and subdistrict admins of a community the offer serves (they book on behalf of a
#             resident who phones); superusers
#   system    the system account: automatic confirmation, the waiting list, reminders, lapses (offers.tasks)
# Audience: who hears of it — the booker (the person's account) and/or the provider; never the actor.

@dataclass(frozen=True)
class Action:
    label: str
    who: frozenset[str]
    audience: tuple[str, ...] = ()
    notice: str | None = None  # the notification's text; None: “offer · start: action — now state”
    guard: Callable[[object, datetime.datetime], str | None] | None = None
    fields: type[Schema] | None = None  # None: the action takes no fields

    @property
    def system_only(self) -> bool:
        return self.who == {"system"}


BOOKING = frozenset({"booker", "staff"})  # who books: the person, or staff on their behalf
HANDLING = frozenset({"provider", "staff"})  # who confirms and marks: the provider, or staff of the area

ACTIONS: dict[str, Action] = {
    "request": Action(_("Book"), BOOKING, audience=("provider",), guard=_not_started,
                      notice=_("New booking: “%(offer)s” on %(start)s (%(seats)d place(s)) — now %(state)s.")),
    "join_waitlist": Action(_("Join the waiting list"), BOOKING, audience=("booker",), guard=_not_started,
                            notice=_("“%(offer)s” %(start)s is full: you are on the waiting list and will be "
                                     "told when a place is free.")),
    "confirm": Action(_("Confirm"), frozenset({*HANDLING, "system"}), audience=("booker",), guard=_not_started,
                      notice=_("Your booking of “%(offer)s” on %(start)s is confirmed.")),
    "decline": Action(_("Decline"), HANDLING, audience=("booker",), fields=ReasonIn,
                      notice=_("Your booking of “%(offer)s” on %(start)s was declined: %(reason)s")),
    "fulfil": Action(_("Mark fulfilled"), HANDLING, guard=_session_day),
    "mark_no_show": Action(_("Mark as no-show"), HANDLING, audience=("booker",), guard=_started,
                           notice=_("You were marked as not having come to “%(offer)s” on %(start)s. If you cannot "
                                    "come, please cancel in time: no-shows may limit future bookings.")),
    "offer_place": Action(_("Offer a freed place"), frozenset({"system"}), audience=("booker",),
                          notice=_("A place is free in “%(offer)s” on %(start)s: it is held for you until "
                                   "%(until)s. Take it on the Minsheng site, or it goes to the next person.")),
    "take_place": Action(_("Take the place"), BOOKING, audience=("provider",), guard=_held,
                         notice=_("A place freed in “%(offer)s” on %(start)s was taken from the waiting list — "
                                  "now %(state)s.")),
    "lapse": Action(_("Place not taken in time"), frozenset({"system"}), audience=("booker",), guard=_hold_over,
                    notice=_("The place held for you in “%(offer)s” on %(start)s was not taken in time and has "
                             "gone to the next person.")),
    "remind": Action(_("Reminder"), frozenset({"system"}), audience=("booker",), guard=_reminder_due,
                     notice=_("Reminder: “%(offer)s” on %(start)s.")),
    "cancel": Action(_("Cancel"), frozenset({*BOOKING, "provider", "system"}), audience=("booker", "provider"),
                     fields=OptionalReasonIn,
                     notice=_("The booking of “%(offer)s” on %(start)s was cancelled. %(reason)s")),
}
assert set(ACTIONS) == {action for _state, action in TRANSITIONS}


def refusal(booking, action: str, at: datetime.datetime) -> str | None:
    """Why the action's guard refuses it now, or None (the cancellation notice is offers.rules')."""
    guard = ACTIONS[action].guard
    return guard(booking, at) if guard else None
