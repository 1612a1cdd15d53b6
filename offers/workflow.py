"""A booking's whole lifecycle on one screen, in the needs loop's pattern (needs.workflow): which action leads
from which state to which (TRANSITIONS) and one record per action (ACTIONS); `offers.services.booking_act`
is the only code that applies them, `offers.actions` holds what each action changes.

    (new) ─request─▶ requested ─confirm─▶ confirmed ─fulfil─▶ fulfilled
      │                  └ decline ─▶ declined       └ mark_no_show ─▶ no_show
      └ join_waitlist ─▶ waiting ─offer_place (a place freed)─▶ offered ─take_place─▶ requested
                                                                   └ lapse (not taken in time) ─▶ lapsed
    requested / confirmed / waiting / offered ─cancel─▶ cancelled
"""

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
