"""Bodies and their members: a 社工委's members are its community's committee seats (and a new seat joins), a body
sits in the area its kind allows, a second current seat is refused, a seat ends; nothing written on a refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from meetings.models import Attendance, Body, Member
from meetings.services import body_create, body_update, meeting_schedule, member_add, member_end
from meetings.tests.conftest import events_count
from people.services import committee_member_add, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_a_committee_takes_the_communitys_seats_as_members(body, seats):
    members = list(body.members.order_by("pk"))
    assert [m.seat_id for m in members] == [s.pk for s in seats]
    unit_seat = members[-1]
    assert unit_seat.organisation_id == seats[-1].organisation_id and unit_seat.represents == "驻区单位"
    assert all(m.since == datetime.date(2021, 9, 10) and m.until is None for m in members)


def test_a_new_committee_seat_joins_the_committee_and_its_coming_meetings(root, body, tree, staff):
    start = datetime.datetime(2030, 1, 5, 9, tzinfo=datetime.UTC)
    coming = meeting_schedule(actor=staff, body=body, title="下一次会议", starts_at=start)
    person = person_create(actor=root, name="新委员", home=tree["entrance"], is_resident=True)
    seat = committee_member_add(actor=staff, community=tree["tqjy"], since=datetime.date(2022, 1, 1), person=person,
                                represents="退役军人")
    member = Member.objects.get(seat=seat)
    assert member.body == body and member.person == person and member.represents == "退役军人"
    assert Attendance.objects.filter(meeting=coming, member=member).exists()


def test_the_kind_says_where_a_body_sits(staff, tree, accounts):
    before = events_count()
    with pytest.raises(ValidationError, match="社工委"):
        body_create(actor=staff, kind="committee", name="网格社工委", place=tree["grid1"])
    with pytest.raises(ValidationError, match="党建联席会"):
        body_create(actor=accounts["subdistrict_admin"], kind="joint", name="联席会", place=tree["tqjy"])
    with pytest.raises(ValidationError, match="居民议事会"):
        body_create(actor=accounts["subdistrict_admin"], kind="council", name="街道议事会", place=tree["subdistrict"])
    assert not Body.objects.exists() and events_count() == before
    council = body_create(actor=staff, kind="council", name="A区居民议事会", place=tree["compound"])
    joint = body_create(actor=accounts["subdistrict_admin"], kind="joint", name="2021年党建联席会",
                        place=tree["subdistrict"])
    assert (council.place, joint.place) == (tree["compound"], tree["subdistrict"]) and not joint.members.exists()


def test_only_the_areas_staff_set_up_a_body(accounts, tree):
    for who in ("other_community_staff", "grid_worker", "committee_member", "resident"):
        with pytest.raises(PermissionDenied):
            body_create(actor=accounts[who], kind="council", name="议事会", place=tree["tqjy"])
    with pytest.raises(PermissionDenied):
        body_create(actor=accounts["community_staff"], kind="joint", name="联席会", place=tree["subdistrict"])
    assert not Body.objects.exists()


def test_one_committee_per_community_and_one_name_per_place(body, staff, tree):
    with pytest.raises(ValidationError, match="已有"):
        body_create(actor=staff, kind="committee", name="另一个社工委", place=tree["tqjy"])
    with pytest.raises(ValidationError, match="天庆嘉园社区社工委"):
        body_create(actor=staff, kind="council", name="天庆嘉园社区社工委", place=tree["tqjy"])
    assert Body.objects.count() == 1


def test_rules_are_fractions_that_can_be_met(staff, tree):
    with pytest.raises(ValidationError):
        body_create(actor=staff, kind="council", name="议事会", place=tree["tqjy"], quorum_numerator=3,
                    quorum_denominator=2)
    with pytest.raises(ValidationError, match="全体"):
        body_create(actor=staff, kind="council", name="议事会", place=tree["tqjy"], pass_numerator=1,
                    pass_denominator=1, pass_strict=True)
    with pytest.raises(ValidationError):
        body_create(actor=staff, kind="council", name="议事会", place=tree["tqjy"], pass_base="everyone")
    assert not Body.objects.exists()


def test_a_body_is_updated_by_its_staff_only(body, staff, accounts):
    body_update(actor=staff, body=body, quorum_numerator=2, quorum_denominator=3, quorum_strict=False)
    body.refresh_from_db()
    assert (body.quorum_numerator, body.quorum_denominator, body.quorum_strict) == (2, 3, False)
    with pytest.raises(PermissionDenied):
        body_update(actor=accounts["other_community_staff"], body=body, name="改名")
    with pytest.raises(ValidationError):
        body_update(actor=staff, body=body, kind="council")


def test_members_of_a_council_are_people_or_units_and_sit_once(staff, tree, root, unit):
    council = body_create(actor=staff, kind="council", name="天庆嘉园居民议事会", place=tree["tqjy"])
    person = person_create(actor=root, name="议事代表", home=tree["entrance"], is_resident=True)
    member = member_add(actor=staff, body=council, since=datetime.date(2021, 5, 1), person=person,
                        represents="1号楼居民")
    member_add(actor=staff, body=council, since=datetime.date(2021, 5, 1), organisation=unit["organisation"])
    before = events_count()
    with pytest.raises(ValidationError, match="已是本机构的成员"):
        member_add(actor=staff, body=council, since=datetime.date(2021, 6, 1), person=person)
    with pytest.raises(ValidationError, match="已是本机构的成员"):
        member_add(actor=staff, body=council, since=datetime.date(2021, 6, 1), organisation=unit["organisation"])
    with pytest.raises(ValidationError):
        member_add(actor=staff, body=council, since=datetime.date(2021, 6, 1))
    assert council.members.count() == 2 and events_count() == before
    member_end(actor=staff, member=member, until=datetime.date(2021, 12, 31))
    again = member_add(actor=staff, body=council, since=datetime.date(2022, 1, 1), person=person)
    assert again.pk != member.pk and council.members.filter(until__isnull=True).count() == 2


def test_a_committee_takes_seats_only(body, staff, root, tree):
    person = person_create(actor=root, name="某居民", home=tree["entrance"], is_resident=True)
    with pytest.raises(ValidationError, match="委员席位"):
        member_add(actor=staff, body=body, since=datetime.date(2021, 9, 10), person=person)


def test_a_seat_ends_once_and_not_before_it_began(body, staff):
    member = body.members.first()
    with pytest.raises(ValidationError):
        member_end(actor=staff, member=member, until=datetime.date(2020, 1, 1))
    member_end(actor=staff, member=member, until=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError):
        member_end(actor=staff, member=member, until=datetime.date(2023, 2, 1))
