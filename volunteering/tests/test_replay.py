"""A sign-up's row checked against its events (`verify_events --state`): signing up, cancelling, checking in (a
walk-in too) and out replay to the rows; a direct edit of a row (state, a time, the walk-in mark) is reported with
the sign-up and the field."""

import datetime

import pytest

from volunteering.models import Signup
from volunteering.replay import signups_check
from volunteering.services import checkin, checkout, signup_cancel, signup_create

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


def mismatches():
    return [(m.subject_id, m.field, m.row, m.replayed) for m in signups_check()]


@pytest.fixture
def served(activity, accounts, volunteer, member_volunteer, leader, now):
    """The resident signs up, checks in by the code and out; the member signs up, cancels and comes anyway (a
    walk-in the organiser adds)."""
    mine = signup_create(actor=accounts["resident"], activity=activity, at=now)
    theirs = signup_create(actor=accounts["party_member"], activity=activity, at=now + MINUTE)
    signup_cancel(actor=accounts["party_member"], signup=theirs, at=now + 2 * MINUTE)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    checkin(actor=leader, activity=activity, volunteer=member_volunteer, walk_in=True,
            at=activity.starts_at + 10 * MINUTE)
    checkout(actor=accounts["resident"], signup=mine, at=activity.ends_at)
    return {"mine": Signup.objects.get(pk=mine.pk), "theirs": Signup.objects.get(pk=theirs.pk)}


def test_every_signup_matches_its_events(served):
    assert served["theirs"].is_walk_in and served["theirs"].state == "signed_up"
    assert served["mine"].checked_out_at is not None
    assert mismatches() == []


def test_a_direct_edit_of_a_signup_is_reported_with_the_signup_and_the_field(served):
    mine, theirs = served["mine"], served["theirs"]
    Signup.objects.filter(pk=mine.pk).update(state="cancelled", checked_out_at=None)
    Signup.objects.filter(pk=theirs.pk).update(is_walk_in=False)
    assert mismatches() == [(str(mine.pk), "state", "cancelled", "signed_up"),
                            (str(mine.pk), "checked_out_at", None, mine.checked_out_at),
                            (str(theirs.pk), "is_walk_in", False, True)]
