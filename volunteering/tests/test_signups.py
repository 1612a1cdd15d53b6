"""Sign-ups: a place, or the waiting list when the activity is full (not a refusal); refused in words, with nothing
written: not registered, twice, an activity at the same time, cancelled, started; a cancellation moves the first
waiting up."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from people.services import person_account_link, person_create
from volunteering.models import Signup
from volunteering.services import (
    VolunteeringConflict,
    activity_cancel,
    activity_create,
    checkin,
    signup_cancel,
    signup_create,
    volunteer_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(root, tree):
    """A third volunteer, for the activity's two places."""
    user = User.objects.create_user("third", password="pass-12345")
    person = person_create(actor=root, name="李三", phone="13912340003", home=tree["entrance"], is_resident=True)
    person_account_link(actor=root, person=person, user=user)
    volunteer_register(actor=user, person=person)
    return user


def unchanged(before):
    return (Signup.objects.count(), Event.objects.count()) == before


def counts():
    return Signup.objects.count(), Event.objects.count()


def test_a_volunteer_signs_up_and_the_event_has_keys_only(activity, accounts, volunteer):
    signup = signup_create(actor=accounts["resident"], activity=activity)
    assert signup.state == "signed_up" and signup.volunteer == volunteer and not signup.is_walk_in
    event = Event.objects.get(verb="signup_create")
    assert event.data == {"activity": activity.pk, "volunteer": volunteer.pk, "state": "signed_up"}


def test_over_capacity_joins_the_waiting_list_not_an_error(activity, accounts, volunteer, member_volunteer, third):
    signup_create(actor=accounts["resident"], activity=activity)
    signup_create(actor=accounts["party_member"], activity=activity)
    waiting = signup_create(actor=third, activity=activity)
    assert waiting.state == "waiting"
    assert Event.objects.filter(verb="signup_create", data__state="waiting").count() == 1
    assert Signup.objects.filter(activity=activity, state="signed_up").count() == 2  # = capacity


def test_signing_up_twice_is_refused_in_words(activity, accounts, volunteer):
    signup_create(actor=accounts["resident"], activity=activity)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        signup_create(actor=accounts["resident"], activity=activity)
    assert "您已报名此活动（已报名）" in refused.value.messages[0]
    assert unchanged(before)


def test_an_activity_at_the_same_time_is_refused_naming_the_other(activity, accounts, volunteer, leader, team, tree):
    signup_create(actor=accounts["resident"], activity=activity)
    start = activity.starts_at + datetime.timedelta(hours=1)
    overlapping = activity_create(actor=leader, kind="epidemic", name="防疫宣传进小区", team=team,
                                  place=tree["compound"], starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        signup_create(actor=accounts["resident"], activity=overlapping)
    message = refused.value.messages[0]
    assert "您已报名同一时间的“天庆嘉园周六环境清洁”" in message and "请先取消该报名" in message
    assert unchanged(before)
    # Right after it ends is no overlap.
    after = activity_create(actor=leader, kind="epidemic", name="防疫宣传", team=team, place=tree["compound"],
                            starts_at=activity.ends_at, ends_at=activity.ends_at + datetime.timedelta(hours=1))
    assert signup_create(actor=accounts["resident"], activity=after).state == "signed_up"


def test_someone_not_registered_is_asked_to_register_first(activity, accounts):
    before = counts()
    with pytest.raises(ValidationError, match="请先登记为志愿者"):
        signup_create(actor=accounts["resident"], activity=activity)
    assert unchanged(before)


def test_a_cancelled_or_started_activity_takes_no_sign_up(activity, accounts, volunteer, leader):
    with pytest.raises(ValidationError, match="已经开始，报名已截止"):
        signup_create(actor=accounts["resident"], activity=activity, at=activity.starts_at)
    activity_cancel(actor=leader, activity=activity, reason="大风")
    with pytest.raises(ValidationError, match="已取消"):
        signup_create(actor=accounts["resident"], activity=activity)
    assert Signup.objects.count() == 0


def test_a_cancellation_moves_the_first_waiting_up(activity, accounts, volunteer, member_volunteer, third):
    first = signup_create(actor=accounts["resident"], activity=activity)
    signup_create(actor=accounts["party_member"], activity=activity)
    waiting = signup_create(actor=third, activity=activity)
    signup_cancel(actor=accounts["resident"], signup=first)
    waiting.refresh_from_db()
    assert waiting.state == "signed_up"
    assert Event.objects.get(verb="signup_promote").data == {"activity": activity.pk, "volunteer": waiting.volunteer_id}
    with pytest.raises(VolunteeringConflict):
        signup_cancel(actor=accounts["resident"], signup=first)
    # Signing up again after cancelling: the same row, now at the back of the queue.
    again = signup_create(actor=accounts["resident"], activity=activity)
    assert again.pk == first.pk and again.state == "waiting"


def test_only_oneself_or_the_organiser_signs_up_and_cancels(activity, accounts, volunteer, leader):
    before = counts()
    with pytest.raises(PermissionDenied):
        signup_create(actor=accounts["party_member"], activity=activity, volunteer=volunteer)
    assert unchanged(before)
    signup = signup_create(actor=leader, activity=activity, volunteer=volunteer)  # the organiser signs them up
    with pytest.raises(PermissionDenied):
        signup_cancel(actor=accounts["party_member"], signup=signup)
    signup_cancel(actor=leader, signup=signup)
    assert Signup.objects.get(pk=signup.pk).state == "cancelled"


def test_a_checked_in_sign_up_is_not_cancelled(activity, accounts, volunteer):
    signup = signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    with pytest.raises(ValidationError, match="已签到，不能再取消报名"):
        signup_cancel(actor=accounts["resident"], signup=signup)
