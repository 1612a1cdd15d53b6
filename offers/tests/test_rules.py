"""Each booking rule refuses with its own words — why, and what is possible instead — and writes nothing."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Event
from offers.models import Booking
from offers.rules import booking_refusal, earliest_start
from offers.services import (
    booking_cancel,
    booking_mark_no_show,
    booking_request,
    eligibility_record,
    offer_update,
    session_cancel,
    session_create,
)
from people.services import person_account_link, person_create

pytestmark = pytest.mark.django_db


def local_9am(days: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(9), timezone.get_current_timezone())


def shown(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def add_session(offer, provider, starts_at, capacity=2):
    return session_create(actor=provider, offer=offer, starts_at=starts_at,
                          ends_at=starts_at + datetime.timedelta(hours=1), capacity=capacity)


def refused(words: str, **request):
    """The request is refused with these words, and neither a booking nor an event is written."""
    bookings, events = Booking.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as refusal:
        booking_request(**request)
    message = " ".join(refusal.value.messages)
    assert words in message, message
    assert (Booking.objects.count(), Event.objects.count()) == (bookings, events)
    return message


def test_too_late_says_the_earliest_session_one_may_book(offer, provider, accounts, now):
    tomorrow = add_session(offer, provider, now + datetime.timedelta(hours=23))
    later = add_session(offer, provider, local_9am(4))
    refused(f"需至少提前24小时预约，最早可预约：{shown(later.starts_at)}", actor=accounts["resident"], session=tomorrow)


def test_too_late_without_a_later_session_says_the_earliest_time(offer, provider, accounts):
    at = local_9am(0)
    soon = add_session(offer, provider, at + datetime.timedelta(hours=5))
    assert earliest_start(offer, at) == at + datetime.timedelta(hours=24)
    refused(f"需至少提前24小时预约，最早可预约：{shown(at + datetime.timedelta(hours=24))}",
            actor=accounts["resident"], session=soon, at=at)


def test_25_hours_ahead_is_booked_and_confirmed(offer, provider, accounts, now):
    session = add_session(offer, provider, now + datetime.timedelta(hours=25))
    assert booking_request(actor=accounts["resident"], session=session).state == "confirmed"


def test_too_far_ahead_says_from_when(offer, provider, accounts, now):
    far = add_session(offer, provider, local_9am(40))
    opens = far.starts_at - datetime.timedelta(days=30)
    refused(f"最多可提前30天预约，此场次{shown(opens)}起可预约", actor=accounts["resident"], session=far)


def test_ineligible_says_whom_to_ask_until_staff_record_it(offer, provider, session, accounts, resident):
    offer_update(actor=provider, offer=offer, eligibility=["disabled", "elderly"])
    refused("此项服务仅面向：残疾人、老年人（60岁及以上）。如符合条件，请联系天庆嘉园社区登记",
            actor=accounts["resident"], session=session)
    eligibility_record(actor=accounts["community_staff"], person=resident, group="elderly", note="身份证已查验")
    assert booking_request(actor=accounts["resident"], session=session).state == "confirmed"


def test_only_residents_of_the_communities_served(offer, session, root, tree):
    user = User.objects.create_user("wlpd_resident", password="pass-12345")
    person = person_create(actor=root, name="五里铺居民", phone="13900000111", home=tree["compound2"],
                           is_resident=True)
    person_account_link(actor=root, person=person, user=user)
    refused("此项服务仅面向天庆嘉园社区的居民", actor=user, session=session)


def test_no_home_on_record_says_to_record_it(session, root):
    user = User.objects.create_user("homeless", password="pass-12345")
    person_account_link(actor=root, person=person_create(actor=root, name="无住址居民", phone="13900000112"),
                        user=user)
    refused("您的住址尚未登记：请联系所在社区登记住址", actor=user, session=session)


def test_the_limit_per_person_says_when_the_next_booking_is_possible(offer, provider, session, accounts, now):
    offer_update(actor=provider, offer=offer, per_person_limit=1, per_person_days=30)
    first = booking_request(actor=accounts["resident"], session=session, at=now)
    other = add_session(offer, provider, now + datetime.timedelta(days=5))
    refused(f"每人每30天最多预约1次，下次可预约：{shown(first.created_at + datetime.timedelta(days=30))}",
            actor=accounts["resident"], session=other, at=now + datetime.timedelta(hours=1))
    # A cancelled booking does not count.
    booking_cancel(actor=accounts["resident"], booking=first, at=now + datetime.timedelta(hours=2))
    assert booking_request(actor=accounts["resident"], session=other, at=now + datetime.timedelta(hours=3))


def test_the_no_show_limit_says_from_when(offer, provider, accounts, now):
    offer_update(actor=provider, offer=offer, no_show_limit=1)
    past = add_session(offer, provider, now - datetime.timedelta(days=10))
    booking = booking_request(actor=accounts["resident"], session=past, at=past.starts_at - datetime.timedelta(days=2))
    booking_mark_no_show(actor=provider, booking=booking, at=past.starts_at + datetime.timedelta(hours=2))
    later = add_session(offer, provider, now + datetime.timedelta(days=3))
    day = timezone.localtime(past.starts_at + datetime.timedelta(days=90))
    refused(f"近90天内爽约1次，{day.month}月{day.day}日起可再次预约此项服务", actor=accounts["resident"], session=later)


def test_a_cancelled_session_is_refused_with_the_next_one(offer, provider, session, accounts, now):
    session_cancel(actor=provider, session=session, reason="车辆检修")
    nxt = add_session(offer, provider, local_9am(5))
    refused(f"此场次已取消。最早可预约：{shown(nxt.starts_at)}", actor=accounts["resident"], session=session)


def test_a_started_session_is_refused(offer, provider, accounts, now):
    started = add_session(offer, provider, now - datetime.timedelta(minutes=5))
    refused("此场次已开始", actor=accounts["resident"], session=started)


def test_more_places_than_the_session_has_are_refused(session, accounts):
    refused("此场次共2个名额，最多可预约2个", actor=accounts["resident"], session=session, seats=3)


def test_seats_and_note_are_checked(session, accounts):
    refused("可预约1至100个名额", actor=accounts["resident"], session=session, seats=0)
    refused("此项应为文字", actor=accounts["resident"], session=session, note=5)


def test_a_second_booking_of_the_same_session_is_refused(session, accounts):
    booking_request(actor=accounts["resident"], session=session)
    refused("您已预约此场次", actor=accounts["resident"], session=session)


def test_an_unpublished_or_unbookable_offer_is_refused(offer, provider, session, accounts):
    offer_update(actor=provider, offer=offer, is_published=False)
    refused("尚未发布", actor=accounts["resident"], session=session)
    offer_update(actor=provider, offer=offer, is_published=True, bookable=False)
    refused("无需预约，直接前往即可", actor=accounts["resident"], session=session)


def test_an_account_without_a_person_cannot_book(session, accounts):
    refused("只有已登记的人员可以预约", actor=accounts["community_staff"], session=session)


def test_cancelling_after_the_notice_says_until_when_one_could(offer, provider, session, accounts):
    offer_update(actor=provider, offer=offer, cancel_notice_hours=48)
    booking = booking_request(actor=accounts["resident"], session=session)
    deadline = session.starts_at - datetime.timedelta(hours=48)
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refusal:
        booking_cancel(actor=accounts["resident"], booking=booking, at=deadline + datetime.timedelta(hours=1))
    assert f"需至少提前48小时取消，最晚可在{shown(deadline)}前取消" in refusal.value.messages[0]
    assert Booking.objects.get(pk=booking.pk).state == "confirmed" and Event.objects.count() == events
    # Before the deadline the booker may; the provider is not bound by it.
    assert booking_cancel(actor=provider, booking=booking, at=deadline + datetime.timedelta(hours=1)).state == (
        "cancelled")


def test_the_rules_allow_a_good_booking(offer, session, resident, now):
    assert booking_refusal(offer=offer, session=session, person=resident, at=now) is None
