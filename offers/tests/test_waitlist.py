"""The waiting list: a freed place goes to the first waiting, held for OFFERS_PLACE_HOLD_HOURS; not taken in time,
it lapses and goes to the next; whoever is still waiting when the session starts is taken off the list."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from offers.models import Booking
from offers.services import (
    BookingConflict,
    booking_cancel,
    booking_decline,
    booking_request,
    booking_take_place,
    offer_update,
    session_create,
)
from offers.tasks import bookings_sweep
from people.services import person_account_link, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(root, tree):
    users = []
    for i in range(4):
        user = User.objects.create_user(f"waiter{i}", password="pass-12345")
        person = person_create(actor=root, name=f"候补居民{i}", phone=f"1370000{i:04d}", home=tree["entrance"],
                               is_resident=True)
        person_account_link(actor=root, person=person, user=user)
        users.append(user)
    return users


@pytest.fixture
def full(offer, provider, people, now):
    """A session of one place: the first person holds it, three wait (in order)."""
    start = now + datetime.timedelta(days=3)
    session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                             capacity=1)
    return session, [booking_request(actor=user, session=session, at=now + datetime.timedelta(minutes=i))
                     for i, user in enumerate(people)]


def state(booking) -> str:
    return Booking.objects.get(pk=booking.pk).state


def test_a_cancelled_place_goes_to_the_first_waiting_held_for_the_configured_hours(full, people, now, settings):
    settings.OFFERS_PLACE_HOLD_HOURS = 6
    session, (holder, first, second, third) = full
    assert [state(b) for b in (holder, first, second, third)] == ["confirmed", "waiting", "waiting", "waiting"]
    at = now + datetime.timedelta(hours=1)
    booking_cancel(actor=people[0], booking=holder, at=at)
    first.refresh_from_db()
    assert first.state == "offered" and first.offered_until == at + datetime.timedelta(hours=6)
    assert [state(second), state(third)] == ["waiting", "waiting"]


def test_the_hold_lapses_and_the_place_goes_to_the_next(full, people, now):
    session, (holder, first, second, third) = full
    booking_cancel(actor=people[0], booking=holder, at=now)
    first.refresh_from_db()
    assert bookings_sweep(now=first.offered_until - datetime.timedelta(minutes=1))["lapse"] == 0
    assert bookings_sweep(now=first.offered_until + datetime.timedelta(minutes=1))["lapse"] == 1
    assert (state(first), state(second), state(third)) == ("lapsed", "offered", "waiting")
    # Lapsed: taking it now is a conflict (the booking moved on), in words.
    with pytest.raises(BookingConflict) as conflict:
        booking_take_place(actor=people[1], booking=first)
    assert "候补名额已过期" in conflict.value.message
    assert bookings_sweep(now=first.offered_until + datetime.timedelta(minutes=2))["lapse"] == 0  # twice: nothing


def test_taking_the_place_after_the_hold_is_refused(full, people, now):
    session, (holder, first, second, third) = full
    booking_cancel(actor=people[0], booking=holder, at=now)
    first.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        booking_take_place(actor=people[1], booking=first, at=first.offered_until + datetime.timedelta(minutes=1))
    assert "已转给下一位候补者" in refused.value.messages[0]
    assert state(first) == "offered"


def test_a_declined_request_frees_its_place_too(full, offer, provider, people, now):
    offer_update(actor=provider, offer=offer, confirmation="provider")
    session, (holder, first, second, third) = full
    booking_cancel(actor=people[0], booking=holder, at=now)  # first is offered the place
    first = booking_take_place(actor=people[1], booking=Booking.objects.get(pk=first.pk))
    assert first.state == "requested"  # the provider confirms
    booking_decline(actor=provider, booking=first, reason="名额调整")
    assert (state(second), state(third)) == ("offered", "waiting")


def test_a_waiting_booking_leaving_frees_nothing(full, people, now):
    session, (holder, first, second, third) = full
    booking_cancel(actor=people[1], booking=first, at=now)
    assert (state(holder), state(second), state(third)) == ("confirmed", "waiting", "waiting")


def test_a_bigger_booking_waits_while_a_smaller_one_fits(offer, provider, people, now):
    start = now + datetime.timedelta(days=3)
    session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                             capacity=2)
    holder = booking_request(actor=people[0], session=session, seats=2)
    big = booking_request(actor=people[1], session=session, seats=2)
    small = booking_request(actor=people[2], session=session, seats=1)
    booking_request(actor=people[3], session=session, seats=1)
    offer_update(actor=provider, offer=offer)  # nothing changes
    booking_cancel(actor=people[0], booking=holder)
    assert state(big) == "offered" and state(small) == "waiting"


def test_those_still_waiting_at_the_start_are_taken_off_the_list(full, now):
    session, (holder, first, second, third) = full
    done = bookings_sweep(now=session.starts_at + datetime.timedelta(minutes=1))
    assert done["cancel"] == 3
    assert [state(b) for b in (first, second, third)] == ["cancelled"] * 3
    assert state(holder) == "confirmed"
