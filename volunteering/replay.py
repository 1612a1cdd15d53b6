"""A sign-up's row replayed from its events (`manage.py verify_events --state`, core.replay). Sign-ups have no
transition table: each verb's change is volunteering.services' own (signup_create, the waiting list's
signup_promote, signup_cancel, checkin — an organiser's walk-in signs up whoever was not — and checkout), the
activity and the volunteer as the events name them.
"""

from core.replay import UNKNOWN, state_compare
from volunteering.models import Signup, SignupState

FIELDS = ("state", "activity_id", "volunteer_id", "is_walk_in", "signed_up_at", "checked_in_at", "checked_out_at")


def signup_replay(events) -> dict:
    signup = dict.fromkeys(FIELDS)
    for verb, at, data in events:
        if verb not in ("signup_create", "signup_promote", "signup_cancel", "checkin", "checkout"):
            continue
        signup["activity_id"] = data.get("activity", UNKNOWN)
        signup["volunteer_id"] = data.get("volunteer", UNKNOWN)
        if verb == "signup_create":  # a new sign-up, or one cancelled before signed up again
            signup.update(state=data.get("state", UNKNOWN), signed_up_at=at, is_walk_in=False, checked_in_at=None,
                          checked_out_at=None)
        elif verb == "signup_promote":
            signup["state"] = SignupState.SIGNED_UP
        elif verb == "signup_cancel":
            signup["state"] = SignupState.CANCELLED
        elif verb == "checkin":
            if signup["state"] != SignupState.SIGNED_UP:  # added on the spot by the organiser
                signup.update(state=SignupState.SIGNED_UP, is_walk_in=True, signed_up_at=at, checked_out_at=None)
            signup["checked_in_at"] = at
        elif signup["checked_in_at"] not in (None, UNKNOWN):  # checkout: never before the check-in
            signup["checked_out_at"] = max(at, signup["checked_in_at"])
    return {field: value for field, value in signup.items() if value is not UNKNOWN}


def signups_check():
    return state_compare("volunteering.signup", Signup.objects.all(), FIELDS, signup_replay)
