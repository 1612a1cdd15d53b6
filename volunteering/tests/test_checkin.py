"""Check-in: by the activity's QR code (the volunteer) or ticked by the organiser, within the window (from
VOLUNTEER_CHECKIN_EARLY_MINUTES before the start to the end); someone not signed up is refused unless the organiser
adds them as a walk-in; check-out after check-in, once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from volunteering.models import Signup
from volunteering.services import VolunteeringConflict, checkin, checkout, signup_create

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def signed_up(activity, accounts, volunteer):
    return signup_create(actor=accounts["resident"], activity=activity)


def state():
    return (list(Signup.objects.order_by("pk").values_list("state", "checked_in_at", "checked_out_at", "is_walk_in")),
            Event.objects.count())


def test_the_volunteer_checks_in_by_the_qr_code(activity, accounts, signed_up):
    at = activity.starts_at - 30 * MINUTE  # the window opens half an hour before
    signup = checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=at)
    assert signup.pk == signed_up.pk and signup.checked_in_at == at
    event = Event.objects.get(verb="checkin")
    assert event.data == {"activity": activity.pk, "volunteer": signed_up.volunteer_id, "by": "code",
                          "walk_in": False}
    # Scanned again: nothing changes.
    again = checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=at + MINUTE)
    assert again.checked_in_at == at and Event.objects.filter(verb="checkin").count() == 1


def test_a_wrong_code_is_refused(activity, accounts, signed_up):
    before = state()
    for code in ("x" * 22, "", None):
        with pytest.raises(ValidationError) as refused:
            checkin(actor=accounts["resident"], activity=activity, code=code, at=activity.starts_at)
        assert "二维码" in refused.value.messages[0]
    assert state() == before


@pytest.mark.parametrize("moment", ["too_early", "after_the_end"])
def test_check_in_outside_the_window_is_refused_with_the_window(activity, accounts, signed_up, moment, settings):
    at = {"too_early": activity.starts_at - 31 * MINUTE, "after_the_end": activity.ends_at + MINUTE}[moment]
    before = state()
    with pytest.raises(ValidationError) as refused:
        checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=at)
    assert "的签到时间为" in refused.value.messages[0]
    assert state() == before
    settings.VOLUNTEER_CHECKIN_EARLY_MINUTES = 60
    if moment == "too_early":
        assert checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code,
                       at=at).checked_in_at == at


def test_someone_not_signed_up_or_only_waiting_is_refused(activity, accounts, volunteer, member_volunteer, leader):
    before = state()
    with pytest.raises(ValidationError, match="您未报名此活动：请联系组织者现场登记"):
        checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    assert state() == before
    from volunteering.services import activity_update

    activity_update(actor=leader, activity=activity, capacity=1)
    signup_create(actor=accounts["party_member"], activity=activity)
    signup_create(actor=accounts["resident"], activity=activity)  # waiting
    before = state()
    with pytest.raises(ValidationError, match="您在本活动的候补名单上"):
        checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    assert state() == before


def test_the_organiser_ticks_the_list_and_adds_walk_ins(activity, accounts, volunteer, member_volunteer, leader,
                                                       signed_up):
    ticked = checkin(actor=leader, activity=activity, volunteer=volunteer, at=activity.starts_at)
    assert ticked.pk == signed_up.pk and Event.objects.get(verb="checkin").data["by"] == "organiser"
    before = state()
    with pytest.raises(ValidationError, match="现场加入"):
        checkin(actor=leader, activity=activity, volunteer=member_volunteer, at=activity.starts_at)
    assert state() == before
    walk_in = checkin(actor=leader, activity=activity, volunteer=member_volunteer, walk_in=True,
                      at=activity.starts_at + 10 * MINUTE)
    assert walk_in.is_walk_in and walk_in.state == "signed_up" and walk_in.checked_in_at is not None
    assert Event.objects.filter(verb="checkin", data__walk_in=True).count() == 1
    # Over capacity is no matter for someone who came: capacity 2, and a walk-in makes a third.
    assert Signup.objects.filter(activity=activity, state="signed_up").count() == 2


def test_only_the_organiser_ticks_others(activity, accounts, volunteer, signed_up):
    before = state()
    for who in ("party_member", "other_community_staff", "unit_admin"):
        with pytest.raises(PermissionDenied):
            checkin(actor=accounts[who], activity=activity, volunteer=volunteer, walk_in=True, at=activity.starts_at)
    assert state() == before


def test_check_out_once_after_check_in(activity, accounts, signed_up, leader):
    with pytest.raises(ValidationError, match="尚未签到"):
        checkout(actor=accounts["resident"], signup=signed_up, at=activity.ends_at)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    with pytest.raises(PermissionDenied):
        checkout(actor=accounts["party_member"], signup=signed_up, at=activity.ends_at)
    out = checkout(actor=accounts["resident"], signup=signed_up, at=activity.ends_at - 10 * MINUTE)
    assert out.checked_out_at == activity.ends_at - 10 * MINUTE
    with pytest.raises(VolunteeringConflict, match="已于"):
        checkout(actor=leader, signup=signed_up, at=activity.ends_at)
