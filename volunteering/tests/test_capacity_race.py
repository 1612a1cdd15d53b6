"""Eight volunteers sign up for the last place of an activity at the same moment: exactly one gets it, the other
seven are on the waiting list, and nothing fails; one volunteer signing up four times at once is signed up once.

Real threads, each with its own database connection, so the lock that decides is the database's: the IMMEDIATE
transaction on SQLite, the activity row's lock (select_for_update) on PostgreSQL. Run on both:
`DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/pytest volunteering/tests/test_capacity_race.py
--create-db`.
"""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from core.events import events_verify
from core.models import Event
from needs.tests.concurrency import run_together
from people.services import person_account_link, person_create
from volunteering.models import Signup
from volunteering.services import signup_create, volunteer_register

RACERS = 8


@pytest.fixture
def racers(root, tree):
    users = []
    for i in range(RACERS):
        user = User.objects.create_user(f"racer{i}", password="pass-12345")
        person = person_create(actor=root, name=f"抢报志愿者{i}", phone=f"1380000{i:04d}", home=tree["entrance"],
                               is_resident=True)
        person_account_link(actor=root, person=person, user=user)
        volunteer_register(actor=user, person=person)
        users.append(user)
    return users


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_eight_concurrent_sign_ups_gets_the_last_place(activity, accounts, volunteer, racers):
    signup_create(actor=accounts["resident"], activity=activity)  # one of the two places is taken
    states = []

    def sign_up(user):
        states.append(signup_create(actor=user, activity=activity).state)

    errors = run_together(sign_up, racers)

    assert errors == []
    assert sorted(states) == sorted(["signed_up"] + ["waiting"] * (RACERS - 1))
    assert Signup.objects.filter(activity=activity, state="signed_up").count() == 2  # = capacity
    assert Signup.objects.filter(activity=activity, state="waiting").count() == RACERS - 1
    assert Event.objects.filter(verb="signup_create", data__state="waiting").count() == RACERS - 1
    assert events_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_one_volunteer_signing_up_four_times_at_once_is_signed_up_once(activity, racers):
    made, refused = [], []

    def sign_up(_n):
        try:
            made.append(signup_create(actor=racers[0], activity=activity).pk)
        except ValidationError as refusal:
            refused.append(refusal.messages[0])

    errors = run_together(sign_up, range(4))

    assert errors == [] and len(made) == 1 and len(refused) == 3
    assert all("您已报名此活动" in message for message in refused)
    assert Signup.objects.filter(activity=activity).count() == 1
