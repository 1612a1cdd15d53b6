"""Meetings fixtures on top of the shared ones (root, tree, unit, accounts): 天庆嘉园社区's committee seats — three
residents with accounts (the committee_member account among them) and the film studio's seat, voting through its
admin — its 社工委, and a meeting of it an hour ago with every member invited."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from core.models import Event
from meetings.models import Presence
from meetings.services import attendance_record, body_create, meeting_hold, meeting_schedule
from people.models import Person
from people.services import committee_member_add, person_account_link, person_create


@pytest.fixture
def staff(accounts):
    return accounts["community_staff"]


@pytest.fixture
def seat_users(root, tree, accounts):
    """Three residents with accounts on the committee's seats: committee1 (the committee_member role), wy2, wy3."""
    users = [accounts["committee_member"]] + [User.objects.create_user(f"wy{n}", password="pass-12345")
                                              for n in (2, 3)]
    for n, user in enumerate(users, start=1):
        person = person_create(actor=root, name=f"委员{'一二三'[n - 1]}", phone=f"1380000000{n}",
                               home=tree["entrance"], is_resident=True)
        person_account_link(actor=root, person=person, user=user)
    return users


@pytest.fixture
def seats(root, tree, seat_users, unit):
    seats = [committee_member_add(actor=root, community=tree["tqjy"], since=datetime.date(2021, 9, 10),
                                  person=Person.objects.get(user=user))
             for user in seat_users]
    seats.append(committee_member_add(actor=root, community=tree["tqjy"], since=datetime.date(2021, 9, 10),
                                      organisation=unit["organisation"], represents="驻区单位"))
    return seats


@pytest.fixture
def body(staff, tree, seats):
    return body_create(actor=staff, kind="committee", name="天庆嘉园社区社工委", place=tree["tqjy"],
                       founded_on=datetime.date(2021, 9, 10))


@pytest.fixture
def an_hour_ago():
    return timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)


@pytest.fixture
def meeting(body, staff, an_hour_ago):
    return meeting_schedule(actor=staff, body=body, title="社工委第二次会议", starts_at=an_hour_ago,
                            ends_at=an_hour_ago + datetime.timedelta(hours=2), location="社区二楼会议室",
                            agenda=["加装电梯意见征集", ("楼道清理", "3号楼楼道堆物")],
                            at=an_hour_ago - datetime.timedelta(days=3))


def record(meeting, staff, present: int, *, rest=Presence.ABSENT):
    """The first `present` invitees (by member id) present, the others `rest` (None: left unrecorded)."""
    ids = sorted(meeting.attendances.values_list("member_id", flat=True))
    presence = {m: Presence.PRESENT if i < present else rest for i, m in enumerate(ids)}
    return attendance_record(actor=staff, meeting=meeting, presence={m: p for m, p in presence.items() if p})


@pytest.fixture
def held(meeting, staff):
    """The meeting with everyone present, marked held."""
    record(meeting, staff, meeting.attendances.count())
    return meeting_hold(actor=staff, meeting=meeting)


def events_count() -> int:
    return Event.objects.count()
