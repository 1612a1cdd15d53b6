"""Activities: who organises them (the team's leaders, the unit's admins, the staff of the place's area), weekly
series one record per occurrence, cancellation with a reason, the upcoming list; events carry keys only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Event
from volunteering import permissions, selectors
from volunteering.models import Activity
from volunteering.services import (
    REPEAT_MAX,
    VolunteeringConflict,
    activities_repeat,
    activity_cancel,
    activity_create,
    activity_update,
    signup_create,
)

pytestmark = pytest.mark.django_db


def test_the_team_leader_puts_on_an_activity_and_its_event_names_no_text(activity, leader, team):
    assert activity.team == team and activity.capacity == 2 and len(activity.checkin_code) >= 16
    event = Event.objects.get(verb="activity_create", subject_id=str(activity.pk))
    assert event.actor == leader
    assert event.data["team"] == team.pk and event.data["place"] == activity.place_id
    assert "name" not in event.data and "description" not in event.data
    assert "天庆嘉园" not in str(event.data)


@pytest.mark.parametrize(("who", "organiser"), [
    ("leader", True), ("unit_admin", False), ("community_staff", True), ("subdistrict_admin", True),
    ("other_community_staff", False), ("grid_worker", False), ("resident", False), ("party_member", False),
])
def test_who_organises_the_teams_activity(activity, accounts, leader, who, organiser):
    user = leader if who == "leader" else accounts[who]
    assert permissions.is_organiser(user, activity) is organiser
    assert Activity.objects.filter(permissions.organised_q(user), pk=activity.pk).exists() is organiser


def test_a_units_admin_organises_the_units_activities(accounts, unit, tree, now):
    start = now + datetime.timedelta(days=1)
    activity = activity_create(actor=accounts["unit_admin"], kind="consultation", name="加装电梯咨询",
                               organisation=unit["organisation"], place=tree["compound"], starts_at=start,
                               ends_at=start + datetime.timedelta(hours=2))
    assert permissions.is_organiser(accounts["unit_admin"], activity)
    assert not permissions.is_organiser(accounts["other_community_staff"], activity)


def test_someone_who_organises_nothing_is_refused_and_nothing_is_written(accounts, team, tree, now):
    start = now + datetime.timedelta(days=1)
    events = Event.objects.count()
    for who in ("resident", "other_community_staff"):
        with pytest.raises(PermissionDenied):
            activity_create(actor=accounts[who], kind="clean_up", name="清洁", team=team, place=tree["tqjy"],
                            starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    assert Activity.objects.count() == 0 and Event.objects.count() == events


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"ends_at": "start"}, "ends_at", "结束时间须晚于开始时间"),
    ({"ends_at": "8 days"}, "ends_at", "单次活动最长7天"),
    ({"team": None}, "team", "须由一支队伍或一个单位组织"),
    ({"capacity": 0}, "capacity", "名额为1至10000"),
    ({"kind": "party"}, "kind", "活动类别"),
    ({"name": "  "}, "name", "请填写活动名称"),
    ({"starts_at": "naive"}, "starts_at", "请填写日期和时间"),
])
def test_bad_activities_are_refused_in_words(leader, team, tree, now, changes, field, words):
    start = now + datetime.timedelta(days=1)
    fields = {"kind": "clean_up", "name": "清洁", "team": team, "place": tree["tqjy"], "starts_at": start,
              "ends_at": start + datetime.timedelta(hours=1)}
    for key, value in changes.items():
        fields[key] = {"start": start, "8 days": start + datetime.timedelta(days=8),
                       "naive": start.replace(tzinfo=None)}.get(value, value) if isinstance(value, str) and key in (
            "ends_at", "starts_at") else value
    with pytest.raises(ValidationError) as refused:
        activity_create(actor=leader, **fields)
    assert words in " ".join(refused.value.message_dict.get(field, refused.value.messages))
    assert Activity.objects.count() == 0


def test_a_weekly_series_is_one_record_per_occurrence(activity, leader):
    last = timezone.localtime(activity.starts_at).date() + datetime.timedelta(weeks=4, days=2)
    copies = activities_repeat(actor=leader, activity=activity, last_day=last)
    assert len(copies) == 4
    starts = [timezone.localtime(a.starts_at) for a in copies]
    first = timezone.localtime(activity.starts_at)
    assert [s.date() for s in starts] == [first.date() + datetime.timedelta(weeks=n) for n in range(1, 5)]
    assert {s.time() for s in starts} == {first.time()}
    assert all(a.series == activity and a.ends_at - a.starts_at == activity.ends_at - activity.starts_at
               for a in copies)
    assert len({a.checkin_code for a in [activity, *copies]}) == 5  # each occurrence its own QR code
    assert Event.objects.filter(verb="activity_create", data__series=activity.pk).count() == 4
    # A copy of a copy belongs to the same series.
    more = activities_repeat(actor=leader, activity=copies[-1], last_day=last + datetime.timedelta(weeks=1))
    assert [a.series for a in more] == [activity]


def test_a_series_is_at_most_two_hundred_at_once_and_after_a_week(activity, leader, accounts):
    day = timezone.localtime(activity.starts_at).date()
    with pytest.raises(ValidationError, match=f"最多生成{REPEAT_MAX}次"):
        activities_repeat(actor=leader, activity=activity, last_day=day + datetime.timedelta(weeks=REPEAT_MAX + 1))
    with pytest.raises(ValidationError, match="一周之后"):
        activities_repeat(actor=leader, activity=activity, last_day=day + datetime.timedelta(days=6))
    with pytest.raises(PermissionDenied):
        activities_repeat(actor=accounts["resident"], activity=activity, last_day=day + datetime.timedelta(weeks=2))
    assert Activity.objects.count() == 1


def test_an_activity_is_cancelled_with_a_reason_once(activity, leader, accounts):
    with pytest.raises(ValidationError, match="请说明取消原因"):
        activity_cancel(actor=leader, activity=activity, reason=" ")
    with pytest.raises(PermissionDenied):
        activity_cancel(actor=accounts["other_community_staff"], activity=activity, reason="下雨")
    activity_cancel(actor=leader, activity=activity, reason="大风预警")
    assert Activity.objects.get(pk=activity.pk).is_cancelled
    assert Event.objects.get(verb="activity_cancel").data == {"reason": "大风预警"}
    with pytest.raises(VolunteeringConflict):
        activity_cancel(actor=leader, activity=activity, reason="再取消")


def test_more_places_move_those_waiting_up(activity, leader, accounts, volunteer, member_volunteer):
    activity_update(actor=leader, activity=activity, capacity=1)
    first = signup_create(actor=accounts["resident"], activity=activity)
    second = signup_create(actor=accounts["party_member"], activity=activity)
    assert (first.state, second.state) == ("signed_up", "waiting")
    activity_update(actor=leader, activity=activity, capacity=2, name="天庆嘉园周六大扫除")
    second.refresh_from_db()
    assert second.state == "signed_up"
    assert Event.objects.filter(verb="signup_promote", subject_id=str(second.pk)).count() == 1
    update = Event.objects.filter(verb="activity_update").last()
    assert update.data == {"capacity": 2, "fields": ["capacity", "name"]}  # the title's text is not in it
    with pytest.raises(ValidationError, match="没有“series”这一项"):
        activity_update(actor=leader, activity=activity, series=None)


def test_the_upcoming_list_by_place_kind_and_words(activity, leader, team, tree, now, accounts, unit):
    start = now + datetime.timedelta(days=2)
    traffic = activity_create(actor=accounts["subdistrict_admin"], kind="traffic", name="文明交通劝导",
                              organisation=unit["organisation"], place=tree["subdistrict"], starts_at=start,
                              ends_at=start + datetime.timedelta(hours=1))
    elsewhere = activity_create(actor=accounts["subdistrict_admin"], kind="fire", name="消防安全宣传",
                                organisation=unit["organisation"], place=tree["wlpd"], starts_at=start,
                                ends_at=start + datetime.timedelta(hours=1))
    hidden = activity_create(actor=leader, kind="clean_up", name="未发布的清洁", team=team, place=tree["tqjy"],
                             starts_at=start, ends_at=start + datetime.timedelta(hours=1), is_published=False)
    ended = activity_create(actor=leader, kind="clean_up", name="上周清洁", team=team, place=tree["tqjy"],
                            starts_at=now - datetime.timedelta(days=7), ends_at=now - datetime.timedelta(days=7) +
                            datetime.timedelta(hours=2))
    cancelled = activity_create(actor=leader, kind="clean_up", name="取消的清洁", team=team, place=tree["tqjy"],
                                starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    activity_cancel(actor=leader, activity=cancelled, reason="雨")
    everything = list(selectors.activities_upcoming(at=now))
    assert everything == [traffic, elsewhere, activity]  # soonest first
    assert hidden not in everything and ended not in everything and cancelled not in everything
    # 天庆嘉园's building: its community's activity, and the subdistrict's; not 五里铺东's.
    assert list(selectors.activities_upcoming(place=tree["building"].code, at=now)) == [traffic, activity]
    assert list(selectors.activities_upcoming(place=tree["wlpd"], at=now)) == [traffic, elsewhere]
    assert list(selectors.activities_upcoming(kind="fire", at=now)) == [elsewhere]
    assert list(selectors.activities_upcoming(q="qingjie", at=now)) == [activity]
