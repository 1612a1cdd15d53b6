"""Eight residents book the last place of a session at the same moment: exactly one holds it, the other seven are
on the waiting list, and nothing fails.

Real threads, each with its own database connection, so the lock that decides is the database's: the IMMEDIATE
transaction on SQLite, the session row's lock (select_for_update) on PostgreSQL.
"""

import datetime

import pytest
from django.contrib.auth.models import User

from core.events import events_verify
from core.models import Event
from needs.tests.concurrency import run_together
from offers.models import Booking
from offers.services import booking_request, session_create
from people.services import person_account_link, person_create

RESIDENTS = 8


@pytest.fixture
def residents(root, tree):
    users = []
    for i in range(RESIDENTS):
        user = User.objects.create_user(f"racer{i}", password="pass-12345")
        person = person_create(actor=root, name=f"抢约居民{i}", phone=f"1380000{i:04d}", home=tree["entrance"],
                               is_resident=True)
        person_account_link(actor=root, person=person, user=user)
        users.append(user)
    return users


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("confirmation", ["automatic", "provider"])
def test_exactly_one_of_eight_concurrent_requests_gets_the_last_place(offer, provider, residents, now, root, tree,
                                                                      confirmation):
    from offers.services import offer_update

    offer_update(actor=provider, offer=offer, confirmation=confirmation)
    start = now + datetime.timedelta(days=3)
    session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                             capacity=2)
    # One place is already taken: the eight race for the last one.
    early = User.objects.create_user("early", password="pass-12345")
    person_account_link(actor=root, person=person_create(actor=root, name="早到居民", phone="13811112222",
                                                         home=tree["entrance"], is_resident=True), user=early)
    booking_request(actor=early, session=session)
    states = []

    def book(user):
        states.append(booking_request(actor=user, session=session).state)

    errors = run_together(book, residents)

    assert errors == []
    holding = "confirmed" if confirmation == "automatic" else "requested"
    assert sorted(states) == sorted([holding] + ["waiting"] * (RESIDENTS - 1))
    racers = Booking.objects.filter(session=session, person__user__in=residents)
    assert racers.filter(state=holding).count() == 1 and racers.filter(state="waiting").count() == RESIDENTS - 1
    assert Booking.objects.filter(session=session, state__in=["requested", "confirmed"]).count() == 2  # = capacity
    assert Event.objects.filter(verb="booking.request", data__session=session.pk).count() == 2
    assert Event.objects.filter(verb="booking.join_waitlist").count() == RESIDENTS - 1
    assert events_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_the_same_person_asking_four_times_at_once_is_booked_once(session, residents):
    from django.core.exceptions import ValidationError

    booked, refused = [], []

    def book(_n):
        try:
            booked.append(booking_request(actor=residents[0], session=session).pk)
        except ValidationError as refusal:
            refused.append(refusal.messages[0])

    errors = run_together(book, range(4))

    assert errors == [] and len(booked) == 1 and len(refused) == 3
    assert all("您已预约此场次" in message for message in refused)
    assert Booking.objects.filter(session=session).count() == 1
