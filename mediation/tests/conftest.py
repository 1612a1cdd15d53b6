"""A building with its pair (a head and a manager, each with an account) and a leak dispute recorded by the head."""

import datetime

import pytest
from django.contrib.auth.models import User

from mediation.services import building_pair_set, dispute_receive
from people.services import person_account_link, person_create

NOW = datetime.datetime(2021, 6, 1, 9, 0, tzinfo=datetime.UTC)
# The terms of the leak's agreement, as the workflow and replay tests record them.
TERMS = {"facts": "楼上渗水", "terms": "楼上重做防水", "performance": "自行委托维修",
         "perform_by": datetime.date(2021, 6, 20), "signed_on": datetime.date(2021, 6, 1)}


def later(minutes):
    return NOW + datetime.timedelta(minutes=minutes)


@pytest.fixture
def now():
    return NOW


def person_with_account(root, username, name, phone, home):
    user = User.objects.create_user(username, password="pass-12345")
    person = person_create(actor=root, name=name, phone=phone, home=home, is_resident=True)
    person_account_link(actor=root, person=person, user=user)
    return person, user


@pytest.fixture
def pair(root, tree, accounts):
    head, head_user = person_with_account(root, "louyuan", "楼长甲", "13900001111", tree["entrance"])
    manager, manager_user = person_with_account(root, "wuye", "物业乙", "13900002222", tree["building"])
    pair = building_pair_set(actor=accounts["community_staff"], building=tree["building"], head=head,
                             manager=manager, since=datetime.date(2021, 1, 1), at=NOW)
    return {"pair": pair, "head": head_user, "manager": manager_user}


@pytest.fixture
def neighbours(root, tree):
    upstairs = person_create(actor=root, name="上官明", phone="13712345678", home=tree["entrance"], room="602",
                             is_resident=True)
    return {"upstairs": upstairs}


def parties_of(neighbours):
    return [{"role": "applicant", "name": "张三", "phone": "13598765432", "address": "2单元502"},
            {"role": "respondent", "person": neighbours["upstairs"], "address": "2单元602"}]


@pytest.fixture
def dispute(pair, tree, neighbours):
    return dispute_receive(actor=pair["head"], kind="leak", title="楼上漏水", place=tree["entrance"],
                           parties=parties_of(neighbours), description="卫生间渗水，电话13598765432", at=NOW)
