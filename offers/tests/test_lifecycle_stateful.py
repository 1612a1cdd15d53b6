"""Random sequences of bookings, cancellations, confirmations, declines, places taken and holds lapsing on one
session. After every step: the places held never exceed the capacity, nobody waits while a place that fits them is
free, every booking's events walk the transition table from its first action to its state, and the chain verifies."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from core.events import events_verify
from core.models import Event
from offers import workflow
from offers.models import Booking
from offers.services import (
    BookingConflict,
    booking_cancel,
    booking_confirm,
    booking_decline,
    booking_request,
    booking_take_place,
    held_seats,
    offer_update,
    session_create,
)
from offers.tasks import bookings_sweep
from people.services import person_account_link, person_create

PEOPLE = 5


@pytest.mark.django_db
def test_capacity_and_the_waiting_list_hold_whatever_happens(offer, provider, root, tree, now):
    offer_update(actor=provider, offer=offer, confirmation="provider", horizon_days=60)
    start = now + datetime.timedelta(days=20)  # later than the 20 steps can take the clock
    session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                             capacity=3)
    users = []
    for i in range(PEOPLE):
        user = User.objects.create_user(f"random{i}", password="pass-12345")
        person_account_link(actor=root, user=user, person=person_create(
            actor=root, name=f"随机居民{i}", phone=f"1360000{i:04d}", home=tree["entrance"], is_resident=True))
        users.append(user)

    class Bookings(RuleBasedStateMachine):
        @initialize()
        def clock(self):
            self.at = now

        def tick(self):
            self.at += datetime.timedelta(minutes=7)
            return self.at

        def booking_of(self, index):
            return Booking.objects.filter(session=session, person__user=users[index]).order_by("-id").first()

        @rule(index=st.integers(0, PEOPLE - 1), seats=st.integers(1, 2))
        def book(self, index, seats):
            try:
                booking_request(actor=users[index], session=session, seats=seats, at=self.tick())
            except ValidationError:  # already booked: the rule says so
                assert Booking.objects.filter(session=session, person__user=users[index],
                                              state__in=workflow.ACTIVE).exists()

        @rule(index=st.integers(0, PEOPLE - 1), how=st.sampled_from(["cancel", "confirm", "decline", "take"]))
        def act(self, index, how):
            booking = self.booking_of(index)
            if booking is None:
                return
            try:
                if how == "cancel":
                    booking_cancel(actor=users[index], booking=booking, at=self.tick())
                elif how == "confirm":
                    booking_confirm(actor=provider, booking=booking, at=self.tick())
                elif how == "decline":
                    booking_decline(actor=provider, booking=booking, reason="名额调整", at=self.tick())
                else:
                    booking_take_place(actor=users[index], booking=booking, at=self.tick())
            except BookingConflict:
                assert workflow.next_state(Booking.objects.get(pk=booking.pk).state, {
                    "take": "take_place"}.get(how, how)) is None

        @rule()
        def holds_lapse(self):
            self.at += datetime.timedelta(hours=13)  # past OFFERS_PLACE_HOLD_HOURS (12)
            bookings_sweep(now=self.at)

        @invariant()
        def capacity_holds(self):
            held = held_seats(session)
            assert held <= session.capacity
            free = session.capacity - held
            assert not Booking.objects.filter(session=session, state__in=workflow.QUEUED, seats__lte=free).exists()

        @invariant()
        def events_walk_the_table(self):
            for booking in Booking.objects.filter(session=session):
                state = workflow.NEW
                for verb in Event.objects.filter(subject_type="offers.booking", subject_id=str(booking.pk)).order_by(
                        "id").values_list("verb", flat=True):
                    state = workflow.next_state(state, verb.removeprefix("booking."))
                    assert state is not None
                assert state == booking.state

    Bookings.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
    run_state_machine_as_test(Bookings, settings=Bookings.TestCase.settings)
    assert events_verify()[1] is None
