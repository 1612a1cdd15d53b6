"""Volunteering fixtures on top of the shared ones (root, tree, unit, accounts): 红色长城护卫队 of 天庆嘉园社区 led by
a veteran with an account, the resident registered as a volunteer, and the Saturday clean-up three days from now
(two hours, two places), organised by the team."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from people import scopes
from people.services import person_account_link, person_create, team_create, team_member_add
from volunteering.services import activity_create, volunteer_register


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def team(root, tree):
    return team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])


@pytest.fixture
def leader(root, tree, team):
    """The team's leader: an account with a person on record (no staff role)."""
    user = User.objects.create_user("duizhang", password="pass-12345")
    person = person_create(actor=root, name="王队长", phone="13912345678", home=tree["entrance"], is_resident=True)
    person_account_link(actor=root, person=person, user=user)
    team_member_add(actor=root, team=team, person=person, is_leader=True)
    return user


@pytest.fixture
def volunteer(accounts):
    """The resident (resident用户), registered by themself."""
    return volunteer_register(actor=accounts["resident"], person=scopes.person_of(accounts["resident"]))


@pytest.fixture
def member_volunteer(accounts):
    """The party member (party_member用户), registered by themself: a second volunteer."""
    return volunteer_register(actor=accounts["party_member"], person=scopes.person_of(accounts["party_member"]))


@pytest.fixture
def activity(leader, team, tree, now):
    # 09:00 local three days on: a page's form keeps an activity within one day, whatever hour the tests run at
    start = timezone.localtime(now + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0)
    return activity_create(actor=leader, kind="clean_up", name="天庆嘉园周六环境清洁", place=tree["tqjy"],
                           starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team, capacity=2)
