"""What an adopted resolution creates: a need in the body's area with the body's channel (居民议事会 / 党建联席会),
linked both ways, or an existing need linked, or a volunteer activity; or it is marked carried out with how. A need
or activity outside the body's area is refused in words with nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from meetings.models import ResolutionState
from meetings.services import (
    body_create,
    meeting_hold,
    meeting_schedule,
    member_add,
    resolution_activity_create,
    resolution_decide,
    resolution_mark_done,
    resolution_need_create,
    resolution_need_link,
    resolution_propose,
)
from meetings.tests.conftest import events_count, record
from needs.models import Need
from needs.services import need_submit
from people.services import team_create
from volunteering.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def adopted(held, staff):
    motion = resolution_propose(actor=staff, meeting=held, title="3号楼楼道清理", text="清理3号楼楼道堆物")
    return resolution_decide(actor=staff, resolution=motion, votes_for=4)


def test_an_adopted_resolution_raises_a_need_with_the_councils_channel(adopted, staff, tree):
    need = resolution_need_create(actor=staff, resolution=adopted, title=adopted.title, place=tree["compound"],
                                  description=adopted.text)
    assert need.channel == "council" and need.place == tree["compound"] and need.state == "submitted"
    assert list(need.resolutions.all()) == [adopted] and list(adopted.needs.all()) == [need]


def test_a_joint_meeting_raises_needs_by_its_channel(accounts, tree, unit):
    admin = accounts["subdistrict_admin"]
    joint = body_create(actor=admin, kind="joint", name="2021年党建联席会", place=tree["subdistrict"])
    start = timezone.now() - datetime.timedelta(hours=1)
    member_add(actor=admin, body=joint, since=datetime.date(2021, 1, 1), organisation=unit["organisation"])
    meeting = meeting_schedule(actor=admin, body=joint, title="联席会", starts_at=start)
    record(meeting, admin, 1)
    meeting_hold(actor=admin, meeting=meeting)
    motion = resolution_decide(actor=admin, votes_for=1,
                               resolution=resolution_propose(actor=admin, meeting=meeting, title="包抓网格"))
    need = resolution_need_create(actor=admin, resolution=motion, title="网格巡查", place=tree["grid2"])
    assert need.channel == "joint"


def test_a_need_outside_the_bodys_area_is_refused(adopted, staff, tree):
    needs, before = Need.objects.count(), events_count()
    with pytest.raises(ValidationError) as refusal:
        resolution_need_create(actor=staff, resolution=adopted, title="五里铺东的事", place=tree["grid2"])
    assert refusal.value.messages == ["决议提出的需求须在本机构所在区域（天庆嘉园社区）内。"]
    assert Need.objects.count() == needs and events_count() == before and not adopted.needs.exists()


def test_only_an_adopted_resolution_creates(held, staff, tree):
    motion = resolution_propose(actor=staff, meeting=held, title="议案")
    with pytest.raises(ValidationError, match="只有已通过的决议"):
        resolution_need_create(actor=staff, resolution=motion, title="需求", place=tree["tqjy"])
    assert not Need.objects.exists()


def test_only_the_areas_staff_create(adopted, accounts, tree, seat_users):
    for user in (accounts["other_community_staff"], seat_users[0]):
        with pytest.raises(PermissionDenied):
            resolution_need_create(actor=user, resolution=adopted, title="需求", place=tree["tqjy"])
    assert not Need.objects.exists()


def test_an_existing_need_is_linked_once_and_in_the_area(adopted, staff, tree, accounts):
    need = need_submit(actor=accounts["resident"], title="楼道堆物", place=tree["building"])
    resolution_need_link(actor=staff, resolution=adopted, need=need)
    with pytest.raises(ValidationError, match="已关联"):
        resolution_need_link(actor=staff, resolution=adopted, need=need)
    elsewhere = need_submit(actor=accounts["other_community_staff"], title="别处的事", place=tree["grid2"])
    with pytest.raises(ValidationError, match="天庆嘉园社区"):
        resolution_need_link(actor=staff, resolution=adopted, need=elsewhere)
    assert list(adopted.needs.all()) == [need]


def test_a_resolution_puts_on_an_activity_in_its_area(adopted, staff, tree, root):
    team = team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])
    start = timezone.now() + datetime.timedelta(days=3)
    activity = resolution_activity_create(actor=staff, resolution=adopted, kind="clean_up", name="楼道清理",
                                          place=tree["compound"], starts_at=start,
                                          ends_at=start + datetime.timedelta(hours=2), team=team)
    assert list(adopted.activities.all()) == [activity]
    with pytest.raises(ValidationError, match="决议开展的活动须在本机构所在区域"):
        resolution_activity_create(actor=staff, resolution=adopted, kind="clean_up", name="别处", place=tree["wlpd"],
                                   starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team)
    assert Activity.objects.count() == 1


def test_marked_done_only_when_it_created_nothing(adopted, staff, tree, held):
    other = resolution_decide(actor=staff, votes_for=4,
                              resolution=resolution_propose(actor=staff, meeting=held, title="通过社工委章程"))
    with pytest.raises(ValidationError, match="说明"):
        resolution_mark_done(actor=staff, resolution=other, note="")
    done = resolution_mark_done(actor=staff, resolution=other, note="章程已印发各成员单位")
    assert done.state == ResolutionState.ADOPTED and done.done_at is not None
    with pytest.raises(ValidationError, match="已标记为已落实"):
        resolution_need_create(actor=staff, resolution=done, title="需求", place=tree["tqjy"])
    resolution_need_create(actor=staff, resolution=adopted, title="楼道清理", place=tree["tqjy"])
    with pytest.raises(ValidationError, match="它们完成时"):
        resolution_mark_done(actor=staff, resolution=adopted, note="已清理")
