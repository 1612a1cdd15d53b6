"""What each action changes on a booking. booking_act (offers.services) locks the session and the booking,
checks the state, the actor's relation and the guard (offers.workflow, offers.permissions), then calls the
action's function here with the typed fields; the function changes the booking and returns the data its
event records (keys and figures, never a name or a phone)."""

import datetime
import inspect
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from offers import workflow
from offers.models import Booking


@dataclass
class Step:
    """The action under way: the locked booking, who acts, when, and what they are to the booking."""

    booking: Booking
    actor: object
    at: datetime.datetime
    relations: set[str]


def text(value, name: str, *, required: bool, limit: int = 300, message: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: _("This field takes text.")})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def request(step: Step):
    return {"seats": step.booking.seats}


def join_waitlist(step: Step):
    return {"seats": step.booking.seats}


def confirm(step: Step):
    return {}


def decline(step: Step, *, reason=None):
    step.booking.reason = text(reason, "reason", required=True,
                               message=_("Say why the booking is declined: the person booked reads it."))
    return {"reason": step.booking.reason}


def fulfil(step: Step):
    return {}


def mark_no_show(step: Step):
    return {}


def offer_place(step: Step, *, until=None):
    """`until`: when the hold ends (the service's, from OFFERS_PLACE_HOLD_HOURS; never a request's field)."""
    if not isinstance(until, datetime.datetime):
        raise ValidationError({"until": _("Say until when the place is held.")})
    step.booking.offered_until = until
    return {"until": until.isoformat()}


def take_place(step: Step):
    step.booking.offered_until = None
    return {}


def lapse(step: Step):
    return {"until": step.booking.offered_until.isoformat() if step.booking.offered_until else None}


def remind(step: Step):
    step.booking.reminded_at = step.at
    return {"starts_at": step.booking.session.starts_at.isoformat()}


def cancel(step: Step, *, reason=""):
    step.booking.reason = text(reason, "reason", required=False)
    return {"reason": step.booking.reason, "by": sorted(step.relations & {"booker", "provider", "staff", "system"})}


APPLY = {
    "request": request, "join_waitlist": join_waitlist, "confirm": confirm, "decline": decline, "fulfil": fulfil,
    "mark_no_show": mark_no_show, "offer_place": offer_place, "take_place": take_place, "lapse": lapse,
    "remind": remind, "cancel": cancel,
}
assert set(APPLY) == set(workflow.ACTIONS)
# The keyword arguments each action takes; booking_act refuses any other field by name.
FIELDS = {action: frozenset(name for name, p in inspect.signature(apply).parameters.items()
                            if p.kind is p.KEYWORD_ONLY) for action, apply in APPLY.items()}
