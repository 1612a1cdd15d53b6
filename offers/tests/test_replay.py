"""A booking's row checked against its events (`verify_events --state`): requests, the waiting list, a freed place
offered and taken, a cancellation and a reminder replay to the rows; a direct edit of a row (state, the person
booked for, a time) is reported with the booking and the field."""

import datetime

import pytest
from django.contrib.auth.models import User

from offers.models import Booking
from offers.replay import bookings_check
from offers.services import booking_cancel, booking_request, booking_take_place, session_create
from offers.tasks import bookings_sweep
from people.services import person_account_link, person_create

pytestmark = pytest.mark.django_db


def mismatches():
    return [(m.subject_id, m.field, m.row, m.replayed) for m in bookings_check()]


@pytest.fixture
def booked(offer, provider, root, tree, now):
    """A session of one place: the first holds it, two wait; the first cancels, the place is offered to the next,
    who takes it and is reminded."""
    users = []
    for i in range(3):
        user = User.objects.create_user(f"booker{i}", password="pass-12345")
        person = person_create(actor=root, name=f"预约居民{i}", phone=f"1370000{i:04d}", home=tree["entrance"],
                               is_resident=True)
        person_account_link(actor=root, person=person, user=user)
        users.append(user)
    start = now + datetime.timedelta(days=3)
    session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                             capacity=1)
    holder, first, second = (booking_request(actor=user, session=session, at=now + datetime.timedelta(minutes=i))
                             for i, user in enumerate(users))
    booking_cancel(actor=users[0], booking=holder, at=now + datetime.timedelta(hours=1))
    booking_take_place(actor=users[1], booking=first, at=now + datetime.timedelta(hours=2))
    assert bookings_sweep(now=start - datetime.timedelta(hours=1))["remind"] == 1
    return {"holder": holder, "first": Booking.objects.get(pk=first.pk), "second": second}


def test_every_booking_matches_its_events(booked):
    states = [Booking.objects.get(pk=b.pk).state for b in booked.values()]
    assert states == ["cancelled", "confirmed", "waiting"]
    assert booked["first"].reminded_at is not None
    assert mismatches() == []


def test_a_direct_edit_of_the_state_and_the_person_is_reported_with_the_booking_and_the_field(booked):
    first, second = booked["first"], booked["second"]
    Booking.objects.filter(pk=first.pk).update(state="fulfilled", person=second.person)
    assert mismatches() == [(str(first.pk), "state", "fulfilled", "confirmed"),
                            (str(first.pk), "person_id", second.person_id, first.person_id)]


def test_a_direct_edit_of_a_time_is_reported(booked):
    first = booked["first"]
    Booking.objects.filter(pk=first.pk).update(reminded_at=None, offered_until=first.created_at)
    assert mismatches() == [(str(first.pk), "offered_until", first.created_at, None),
                            (str(first.pk), "reminded_at", None, first.reminded_at)]
