"""Offers, their sessions and recurring slots, and eligibility: who may write them, the words of a refusal,
the events (keys, not names), and nothing written after a refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Event
from offers.models import Eligibility, Offer, Session
from offers.permissions import may_manage_offer
from offers.selectors import offers_managed_by, offers_public, sessions_with_places
from offers.services import (
    booking_request,
    eligibility_record,
    eligibility_remove,
    offer_create,
    offer_update,
    session_cancel,
    session_create,
    sessions_repeat,
)

pytestmark = pytest.mark.django_db


def nothing_written(fn, error, words=""):
    counts = (Offer.objects.count(), Session.objects.count(), Eligibility.objects.count(), Event.objects.count())
    with pytest.raises(error) as refused:
        fn()
    assert words in " ".join(getattr(refused.value, "messages", [str(refused.value)])), refused.value
    assert (Offer.objects.count(), Session.objects.count(), Eligibility.objects.count(),
            Event.objects.count()) == counts


def test_who_lists_an_offer(accounts, unit, tree, provider):
    def make(actor, communities, **kw):
        return lambda: offer_create(actor=actor, kind="clinic", name="义诊", organisation=unit["organisation"],
                                    communities=communities, **kw)

    offer = make(provider, [tree["tqjy"], tree["wlpd"]])()  # the unit's admin, wherever it serves
    event = Event.objects.get(verb="offer_create", subject_id=str(offer.pk))
    assert event.data["communities"] == [tree["tqjy"].code, tree["wlpd"].code] and event.data["organisation"] == (
        unit["organisation"].pk)
    assert make(accounts["community_staff"], [tree["tqjy"]])().pk  # staff of the one community served
    assert make(accounts["subdistrict_admin"], [tree["tqjy"], tree["wlpd"]])().pk
    nothing_written(make(accounts["community_staff"], [tree["tqjy"], tree["wlpd"]]), PermissionDenied)
    nothing_written(make(accounts["resident"], [tree["tqjy"]]), PermissionDenied)
    nothing_written(make(provider, []), ValidationError, "请选择服务社区")
    nothing_written(make(provider, [tree["grid1"]]), ValidationError, "天庆嘉园第一网格")
    nothing_written(make(provider, [tree["tqjy"]], eligibility=["martians"]), ValidationError, "martians")


def test_changing_an_offer(offer, provider, accounts, tree):
    nothing_written(lambda: offer_update(actor=accounts["other_community_staff"], offer=offer, name="x"),
                    PermissionDenied)
    nothing_written(lambda: offer_update(actor=provider, offer=offer, colour="red"), ValidationError, "colour")
    offer_update(actor=provider, offer=offer, min_notice_hours=48, communities=[tree["tqjy"], tree["wlpd"]])
    event = Event.objects.filter(verb="offer_update").latest("id")
    assert event.data["fields"] == ["communities", "min_notice_hours"] and event.data["min_notice_hours"] == 48
    count = Event.objects.count()
    offer_update(actor=provider, offer=offer, min_notice_hours=48)  # nothing changed: nothing written
    assert Event.objects.count() == count
    assert may_manage_offer(accounts["subdistrict_admin"], offer) and not may_manage_offer(
        accounts["community_staff"], offer)  # it now serves 五里铺东 too
    assert list(offers_managed_by(provider)) == [offer] and list(offers_managed_by(accounts["resident"])) == []


def test_sessions_and_recurring_slots(offer, provider, accounts):
    first = timezone.localdate() + datetime.timedelta(days=1)
    made = sessions_repeat(actor=provider, offer=offer, weekdays=[0, 2], start=datetime.time(9),
                           end=datetime.time(11), first_day=first, last_day=first + datetime.timedelta(days=13),
                           capacity=4)
    assert len(made) == 4 and all(timezone.localtime(s.starts_at).weekday() in (0, 2) for s in made)
    assert all(timezone.localtime(s.starts_at).hour == 9 and s.capacity == 4 for s in made)
    assert Event.objects.filter(verb="session_create", data__repeat=True).count() == 4
    nothing_written(lambda: sessions_repeat(actor=provider, offer=offer, weekdays=list(range(7)),
                                            start=datetime.time(9), end=datetime.time(10), first_day=first,
                                            last_day=first + datetime.timedelta(days=400)),
                    ValidationError, "一次最多生成400个场次（所选日期共401个）")
    nothing_written(lambda: sessions_repeat(actor=provider, offer=offer, weekdays=[7], start=datetime.time(9),
                                            end=datetime.time(10), first_day=first, last_day=first),
                    ValidationError, "请选择星期几")
    nothing_written(lambda: sessions_repeat(actor=provider, offer=offer, weekdays=[0], start=datetime.time(10),
                                            end=datetime.time(9), first_day=first, last_day=first),
                    ValidationError, "结束时间须晚于开始时间")
    nothing_written(lambda: sessions_repeat(actor=accounts["resident"], offer=offer, weekdays=[0],
                                            start=datetime.time(9), end=datetime.time(10), first_day=first,
                                            last_day=first), PermissionDenied)
    start = timezone.now() + datetime.timedelta(days=2)
    nothing_written(lambda: session_create(actor=provider, offer=offer, starts_at=start, ends_at=start),
                    ValidationError, "结束时间须晚于开始时间")
    nothing_written(lambda: session_create(actor=provider, offer=offer, starts_at=start,
                                           ends_at=start + datetime.timedelta(hours=1), capacity=0),
                    ValidationError, "1至10000")
    upcoming = list(sessions_with_places(offer))
    assert [s.free for s in upcoming] == [4, 4, 4, 4] and upcoming == sorted(upcoming, key=lambda s: s.starts_at)


def test_cancelling_a_session(session, provider, accounts):
    nothing_written(lambda: session_cancel(actor=accounts["resident"], session=session, reason=""),
                    PermissionDenied)
    nothing_written(lambda: session_cancel(actor=provider, session=session, reason=" "), ValidationError,
                    "请说明取消场次的原因")
    session_cancel(actor=provider, session=session, reason="暴雪停运")
    assert Session.objects.get(pk=session.pk).is_cancelled and not list(sessions_with_places(session.offer))


def test_eligibility_is_recorded_by_the_staff_of_the_persons_area(accounts, resident):
    nothing_written(lambda: eligibility_record(actor=accounts["other_community_staff"], person=resident,
                                               group="disabled"), PermissionDenied)
    nothing_written(lambda: eligibility_record(actor=accounts["unit_admin"], person=resident, group="disabled"),
                    PermissionDenied)
    nothing_written(lambda: eligibility_record(actor=accounts["community_staff"], person=resident, group="x"),
                    ValidationError, "请从列表中选择类别")
    eligibility = eligibility_record(actor=accounts["community_staff"], person=resident, group="disabled",
                                     note="残疾人证已查验")
    event = Event.objects.get(verb="eligibility_record")
    assert event.data == {"person": resident.pk, "group": "disabled"}
    nothing_written(lambda: eligibility_record(actor=accounts["grid_worker"], person=resident, group="disabled"),
                    ValidationError, "已登记过")
    eligibility_remove(actor=accounts["grid_worker"], eligibility=eligibility)
    assert not Eligibility.objects.exists() and Event.objects.filter(verb="eligibility_remove").count() == 1


def test_the_public_list(offer, provider, unit, tree, session, accounts):
    hidden = offer_create(actor=provider, kind="lecture", name="讲座", organisation=unit["organisation"],
                          communities=[tree["tqjy"]])
    assert list(offers_public()) == [offer]
    assert list(offers_public(community=tree["building"])) == [offer]  # a place inside a community served
    assert list(offers_public(community=tree["wlpd"].code)) == []
    assert list(offers_public(kind="clinic")) == [] and list(offers_public(q="axsk")) == [offer]
    assert hidden not in offers_public()
    booking_request(actor=accounts["resident"], session=session, seats=2)
    assert [(s.taken, s.free, s.waiting) for s in sessions_with_places(offer)] == [(2, 0, 0)]
