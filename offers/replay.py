"""A booking's row replayed from its `booking.<action>` events (`manage.py verify_events --state`, core.replay): the
state by offers.workflow's TRANSITIONS, the session and the person every event names, the places asked for, when it
was booked and last changed, the hold of a freed place and the reminder (offers.services._step, offers.actions).

Not replayed: the texts (the note, the reason: the reason is in the decline's and the cancel's events).
"""

from core.replay import UNKNOWN, lifecycle_replay, moment, state_compare
from offers import workflow
from offers.models import Booking

FIELDS = ("state", "session_id", "person_id", "seats", "created_at", "changed_at", "offered_until", "reminded_at")
START = {**dict.fromkeys(FIELDS), "state": workflow.NEW}


def _every(booking: dict, at, data: dict, before: str):
    """What every action writes: the time (and the first one, the booking's own), and whose and which session."""
    booking["changed_at"] = at
    if before == workflow.NEW:
        booking["created_at"] = at
    booking["session_id"] = data.get("session", UNKNOWN)
    booking["person_id"] = data.get("person", UNKNOWN)


def _asked(booking, at, data, before):
    booking["seats"] = data.get("seats", UNKNOWN)


def _offer_place(booking, at, data, before):
    booking["offered_until"] = moment(data["until"]) if "until" in data else UNKNOWN


EFFECTS = {
    "request": _asked,
    "join_waitlist": _asked,
    "offer_place": _offer_place,
    "take_place": lambda booking, at, data, before: booking.update(offered_until=None),
    "remind": lambda booking, at, data, before: booking.update(reminded_at=at),
}
assert set(EFFECTS) <= set(workflow.ACTIONS)


def booking_replay(events) -> dict:
    return lifecycle_replay(events, prefix="booking.", next_state=workflow.next_state, start=START, effects=EFFECTS,
                            every=_every)


def bookings_check():
    return state_compare("offers.booking", Booking.objects.all(), FIELDS, booking_replay)
