"""Meetings: scheduled with their agenda and every current member invited and told; changed only while scheduled;
attendance for those invited; held once everyone's attendance is recorded; cancelled with a reason. A step the
transition table does not allow is refused in words; nothing is written on a refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.models import InboxLine
from meetings.models import Attendance, Meeting, MeetingState, Presence
from meetings.services import (
    agenda_item_add,
    attendance_record,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
    meeting_update,
    member_end,
)
from meetings.tests.conftest import events_count, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_every_current_member_is_invited_and_told(meeting, body, seat_users, accounts):
    invited = set(meeting.attendances.values_list("member_id", flat=True))
    assert invited == set(body.members.values_list("pk", flat=True))
    assert set(meeting.attendances.values_list("presence", flat=True)) == {Presence.INVITED}
    told = set(InboxLine.objects.filter(link=f"/meetings/{meeting.pk}/").values_list("user_id", flat=True))
    assert told == {u.pk for u in seat_users} | {accounts["unit_admin"].pk}  # the unit's seat: its admin
    assert [(i.order, i.title) for i in meeting.agenda_items.all()] == [(1, "加装电梯意见征集"), (2, "楼道清理")]


def test_a_member_whose_seat_ended_is_not_invited(body, staff):
    gone = body.members.first()
    member_end(actor=staff, member=gone, until=datetime.date(2022, 1, 1))
    later = meeting_schedule(actor=staff, body=body, title="换届后会议",
                             starts_at=datetime.datetime(2023, 3, 1, 9, tzinfo=datetime.UTC))
    assert not later.attendances.filter(member=gone).exists()
    assert later.attendances.count() == body.members.count() - 1


def test_only_the_areas_staff_schedule(body, accounts, an_hour_ago):
    for who in ("other_community_staff", "committee_member", "unit_admin", "grid_worker"):
        with pytest.raises(PermissionDenied):
            meeting_schedule(actor=accounts[who], body=body, title="会议", starts_at=an_hour_ago)
    assert not Meeting.objects.exists()


def test_bad_times_are_refused(body, staff, an_hour_ago):
    with pytest.raises(ValidationError, match="日期和时间"):
        meeting_schedule(actor=staff, body=body, title="会议", starts_at=datetime.datetime(2021, 9, 10, 9))
    with pytest.raises(ValidationError, match="晚于开始"):
        meeting_schedule(actor=staff, body=body, title="会议", starts_at=an_hour_ago, ends_at=an_hour_ago)
    with pytest.raises(ValidationError, match="标题"):
        meeting_schedule(actor=staff, body=body, title="会议", starts_at=an_hour_ago, agenda=["  "])
    assert not Meeting.objects.exists()


def test_a_scheduled_meeting_changes_and_a_held_one_does_not(meeting, staff):
    meeting_update(actor=staff, meeting=meeting, location="社区一楼活动室", is_public=False)
    meeting.refresh_from_db()
    assert (meeting.location, meeting.is_public) == ("社区一楼活动室", False)
    record(meeting, staff, meeting.attendances.count())
    meeting_hold(actor=staff, meeting=meeting)
    before = events_count()
    with pytest.raises(ValidationError, match="只有待召开的会议"):
        meeting_update(actor=staff, meeting=meeting, title="改名")
    assert events_count() == before
    item = agenda_item_add(actor=staff, meeting=meeting, title="临时动议")
    assert item.order == 3


def test_held_needs_everyones_attendance(meeting, staff):
    record(meeting, staff, 2, rest=None)
    before = events_count()
    with pytest.raises(ValidationError, match="还有2名受邀成员未登记出席情况"):
        meeting_hold(actor=staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and events_count() == before
    record(meeting, staff, 2, rest=Presence.EXCUSED)
    meeting_hold(actor=staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD and meeting.held_at is not None


def test_a_meeting_is_held_once_it_has_begun(body, staff):
    start = timezone.now() + datetime.timedelta(days=2)
    coming = meeting_schedule(actor=staff, body=body, title="下周会议", starts_at=start)
    record(coming, staff, coming.attendances.count())
    with pytest.raises(ValidationError, match="开始后才能"):
        meeting_hold(actor=staff, meeting=coming)


def test_attendance_is_for_those_invited(meeting, staff, root, tree):
    before = events_count()
    with pytest.raises(ValidationError, match="受邀"):
        attendance_record(actor=staff, meeting=meeting, presence={999999: Presence.PRESENT})
    member = meeting.attendances.first().member_id
    with pytest.raises(ValidationError, match="出席、缺席或请假"):
        attendance_record(actor=staff, meeting=meeting, presence={member: "late"})
    with pytest.raises(ValidationError):
        attendance_record(actor=staff, meeting=meeting, presence={member: Presence.INVITED})
    assert events_count() == before
    rows = attendance_record(actor=staff, meeting=meeting, presence={str(member): Presence.EXCUSED})
    assert {a.member_id: a.presence for a in rows}[member] == Presence.EXCUSED


def test_a_cancelled_meeting_is_told_and_then_stays_so(meeting, staff, seat_users):
    lines = InboxLine.objects.count()
    meeting_cancel(actor=staff, meeting=meeting, reason="场地临时占用")
    assert InboxLine.objects.count() == lines + len(seat_users) + 1
    before = events_count()
    with pytest.raises(ValidationError, match="该会议当前为“已取消”，不能取消"):
        meeting_cancel(actor=staff, meeting=meeting, reason="再取消")
    with pytest.raises(ValidationError, match="不能标记为已举行"):
        meeting_hold(actor=staff, meeting=meeting)
    with pytest.raises(ValidationError, match="已取消"):
        attendance_record(actor=staff, meeting=meeting,
                          presence={meeting.attendances.first().member_id: Presence.PRESENT})
    with pytest.raises(ValidationError, match="原因"):
        meeting_cancel(actor=staff, meeting=Meeting.objects.get(pk=meeting.pk), reason=" ")
    assert events_count() == before and not Attendance.objects.filter(presence=Presence.PRESENT).exists()
