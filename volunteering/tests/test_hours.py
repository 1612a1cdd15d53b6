"""Service hours: proposed from check-in and check-out once the activity has ended (actual service time, capped at
its duration), certified by the organiser only (谁组织谁记录、谁记录谁证明), corrected with the old value, the reason
and who kept (HoursCorrection and the event), queried by the volunteer within VOLUNTEER_QUERY_DAYS; the sweep."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.events import events_verify
from core.models import Event
from volunteering import selectors
from volunteering.models import HoursCorrection, ServiceHours
from volunteering.services import (
    VolunteeringConflict,
    checkin,
    checkout,
    hours_certify,
    hours_correct,
    hours_propose,
    hours_query,
    signup_create,
)
from volunteering.tasks import hours_sweep

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def attended(activity, accounts, volunteer, member_volunteer):
    """The resident came 15 minutes late and left 15 minutes early; the party member came early and never checked
    out (then the end counts); the activity lasts two hours."""
    signup_create(actor=accounts["resident"], activity=activity)
    member = signup_create(actor=accounts["party_member"], activity=activity)
    resident = checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code,
                       at=activity.starts_at + 15 * MINUTE)
    checkout(actor=accounts["resident"], signup=resident, at=activity.ends_at - 15 * MINUTE)
    checkin(actor=accounts["party_member"], activity=activity, code=activity.checkin_code,
            at=activity.starts_at - 20 * MINUTE)
    return {"resident": resident, "member": member}


@pytest.fixture
def proposed(activity, attended):
    return {e.volunteer.person.user.username: e for e in hours_propose(activity=activity,
                                                                        at=activity.ends_at + 61 * MINUTE)}


@pytest.fixture
def certified(activity, proposed, leader):
    hours_certify(actor=leader, entries_or_activity=activity, at=activity.ends_at + 2 * 60 * MINUTE)
    return {k: ServiceHours.objects.get(pk=e.pk) for k, e in proposed.items()}


def test_hours_are_proposed_from_check_in_and_out_capped_at_the_duration(activity, proposed, volunteer):
    assert proposed["resident1"].hours == Decimal("1.50")  # 15 minutes late, 15 early
    assert proposed["member1"].hours == Decimal("2.00")  # from the start (not before), to the end
    assert {e.state for e in proposed.values()} == {"proposed"}
    assert proposed["resident1"].content == "天庆嘉园周六环境清洁（天庆嘉园社区）"
    event = Event.objects.get(verb="hours_propose", subject_id=str(proposed["resident1"].pk))
    assert event.data == {"activity": activity.pk, "volunteer": volunteer.pk, "hours": "1.50"}
    assert event.actor.username == "minsheng-system"
    assert selectors.hours_total(volunteer) == 0  # not certified yet
    assert hours_propose(activity=activity, at=activity.ends_at + 2 * 60 * MINUTE) == []  # once


def test_hours_are_not_proposed_before_the_end(activity, attended):
    with pytest.raises(ValidationError, match="活动结束"):
        hours_propose(activity=activity, at=activity.ends_at - MINUTE)
    assert ServiceHours.objects.count() == 0


def test_the_organiser_certifies(activity, certified, leader, volunteer):
    entry = certified["resident1"]
    assert entry.state == "certified" and entry.certified_by == leader and entry.hours == Decimal("1.50")
    assert selectors.hours_total(volunteer) == Decimal("1.50")
    event = Event.objects.get(verb="hours_certify", subject_id=str(entry.pk))
    assert event.actor == leader and event.data["hours"] == "1.50" and event.data["proposed"] == "1.50"
    with pytest.raises(VolunteeringConflict, match="已认定"):
        hours_certify(actor=leader, entries_or_activity=entry)
    with pytest.raises(ValidationError, match="没有待认定的时长"):
        hours_certify(actor=leader, entries_or_activity=activity)


@pytest.mark.parametrize("who", ["resident", "party_member", "unit_admin", "other_community_staff", "grid_worker"])
def test_hours_certified_by_someone_who_is_not_the_organiser_are_refused(activity, proposed, accounts, who):
    events = Event.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        hours_certify(actor=accounts[who], entries_or_activity=activity)
    assert "只有“天庆嘉园周六环境清洁”的组织者可以认定其服务时长" in str(refused.value)
    with pytest.raises(PermissionDenied):
        hours_certify(actor=accounts[who], entries_or_activity=[proposed["resident1"]], hours=1)
    assert set(ServiceHours.objects.values_list("state", flat=True)) == {"proposed"}
    assert Event.objects.count() == events


def test_community_staff_of_the_place_certify_too(activity, proposed, accounts):
    """A residents' committee may certify (SPEC §5): community staff whose area holds the place."""
    done = hours_certify(actor=accounts["community_staff"], entries_or_activity=proposed["member1"], hours="1.75")
    assert [(e.state, e.hours) for e in done] == [("certified", Decimal("1.75"))]


def test_hours_over_the_activitys_duration_are_refused(activity, proposed, leader):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        hours_certify(actor=leader, entries_or_activity=[proposed["resident1"]], hours="2.01")
    assert "活动时长为2.00小时" in refused.value.message_dict["hours"][0]
    assert "不含往返路程" in refused.value.message_dict["hours"][0]
    for bad in (0, -1, "abc", True, "NaN"):
        with pytest.raises(ValidationError):
            hours_certify(actor=leader, entries_or_activity=[proposed["resident1"]], hours=bad)
    assert ServiceHours.objects.get(pk=proposed["resident1"].pk).state == "proposed"
    assert Event.objects.count() == events


def test_a_correction_keeps_the_old_value_the_reason_and_who(activity, certified, leader, accounts, volunteer):
    entry = certified["resident1"]
    with pytest.raises(ValidationError, match="请说明更正原因"):
        hours_correct(actor=leader, entry=entry, hours="1.75", reason="")
    with pytest.raises(PermissionDenied):
        hours_correct(actor=accounts["resident"], entry=entry, hours="2", reason="我待了两小时")
    with pytest.raises(ValidationError, match="最多认定2.00小时"):
        hours_correct(actor=leader, entry=entry, hours="2.5", reason="多算")
    hours_correct(actor=leader, entry=entry, hours="1.75", reason="签退时手机没电，实际11:00离开")
    entry.refresh_from_db()
    assert entry.hours == Decimal("1.75") and entry.state == "certified"
    correction = HoursCorrection.objects.get()
    assert (correction.old_hours, correction.new_hours, correction.changed_by) == (Decimal("1.50"), Decimal("1.75"),
                                                                                  leader)
    assert correction.reason == "签退时手机没电，实际11:00离开"
    event = Event.objects.get(verb="hours_correct")
    assert event.actor == leader
    assert (event.data["old"], event.data["new"], event.data["reason"]) == ("1.50", "1.75", correction.reason)
    assert selectors.hours_total(volunteer) == Decimal("1.75")
    assert events_verify()[1] is None


def test_the_volunteer_queries_within_the_days_and_the_organiser_answers(activity, certified, accounts, leader,
                                                                       settings):
    entry = certified["resident1"]
    with pytest.raises(PermissionDenied):
        hours_query(actor=accounts["party_member"], entry=entry, reason="不对")
    with pytest.raises(ValidationError, match="请说明时长有什么问题"):
        hours_query(actor=accounts["resident"], entry=entry, reason="")
    at = entry.certified_at + datetime.timedelta(days=settings.VOLUNTEER_QUERY_DAYS) - MINUTE
    hours_query(actor=accounts["resident"], entry=entry, reason="我9点就到了，忘了扫码", at=at)
    entry.refresh_from_db()
    assert entry.state == "queried" and entry.query_reason == "我9点就到了，忘了扫码"
    assert Event.objects.get(verb="hours_query").data == {"activity": activity.pk, "volunteer": entry.volunteer_id}
    with pytest.raises(VolunteeringConflict):
        hours_query(actor=accounts["resident"], entry=entry, reason="再问")
    hours_correct(actor=leader, entry=entry, hours="1.75", reason="核实签到记录后更正")
    assert ServiceHours.objects.get(pk=entry.pk).state == "certified"


def test_a_query_after_the_days_is_refused(activity, certified, accounts, settings):
    entry = certified["member1"]
    late = entry.certified_at + datetime.timedelta(days=settings.VOLUNTEER_QUERY_DAYS, minutes=1)
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        hours_query(actor=accounts["party_member"], entry=entry, reason="少算了", at=late)
    assert "异议期为30天" in refused.value.messages[0]
    assert ServiceHours.objects.get(pk=entry.pk).state == "certified" and Event.objects.count() == events


def test_a_queried_entry_confirmed_as_it_is(activity, certified, accounts, leader):
    entry = certified["member1"]
    hours_query(actor=accounts["party_member"], entry=entry, reason="想确认一下")
    [confirmed] = hours_certify(actor=leader, entries_or_activity=[entry])
    assert confirmed.state == "certified" and confirmed.hours == Decimal("2.00")
    assert Event.objects.filter(verb="hours_certify", data__after_query=True).count() == 1


def test_the_sweep_proposes_an_hour_after_the_end_once(activity, attended):
    assert hours_sweep(now=activity.ends_at + 59 * MINUTE) == 0
    assert hours_sweep(now=activity.ends_at + 61 * MINUTE) == 2
    assert hours_sweep(now=activity.ends_at + 90 * MINUTE) == 0
    assert ServiceHours.objects.filter(activity=activity, state="proposed").count() == 2
