"""Certificates (志愿服务记录证明): hours and content from the certified entries of the period, kept as issued; the
number carries a check part, so certificate_verify finds a real number and not an altered or made-up one; a
volunteer asks for their own only (someone else's is refused in words, nothing written); staff of the area issue."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Event
from volunteering import selectors
from volunteering.models import Certificate
from volunteering.services import (
    NUMBER_FORMAT,
    activities_repeat,
    checkin,
    hours_certify,
    hours_correct,
    hours_propose,
    number_check,
    signup_create,
    volunteer_update,
)
from volunteering.services import certificate_issue as issue

pytestmark = pytest.mark.django_db


def serve(activity, user, leader, *, certify=True):
    signup_create(actor=user, activity=activity)
    checkin(actor=user, activity=activity, code=activity.checkin_code, at=activity.starts_at)
    entries = hours_propose(activity=activity, at=activity.ends_at + datetime.timedelta(hours=1))
    if certify:
        hours_certify(actor=leader, entries_or_activity=activity)
    return entries


@pytest.fixture
def weeks(activity, leader, accounts, volunteer):
    """Three Saturdays served: the first two certified (2 h each), the third only proposed."""
    day = timezone.localtime(activity.starts_at).date()
    series = [activity, *activities_repeat(actor=leader, activity=activity, last_day=day + datetime.timedelta(weeks=2))]
    for n, occurrence in enumerate(series):
        serve(occurrence, accounts["resident"], leader, certify=n < 2)
    return series


def day_of(activity):
    return timezone.localtime(activity.starts_at).date()


def fields(unit, **more):
    return {"issuer": unit["organisation"], "person_in_charge": "张主任", "contact": "0931-8123456", **more}


def test_a_certificate_states_the_certified_hours_of_the_period(weeks, accounts, volunteer, unit):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    certificate = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                        last_day=day_of(weeks[-1]), at=at, **fields(unit))
    assert certificate.hours == Decimal("4.00")  # the third Saturday is not certified yet
    assert certificate.content == "天庆嘉园周六环境清洁（天庆嘉园社区） 2次，共4小时"
    assert certificate.handled_by == accounts["resident"] and not certificate.with_id_card
    # Only the first Saturday in the period: 2 hours.
    one = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                last_day=day_of(weeks[0]), at=at, **fields(unit))
    assert one.hours == Decimal("2.00")
    event = Event.objects.get(verb="certificate_issue", subject_id=str(certificate.pk))
    assert event.data["number"] == certificate.number and event.data["hours"] == "4.00"
    assert "张主任" not in str(event.data) and "resident用户" not in str(event.data)


def test_the_number_has_a_check_part_and_verify_finds_it(weeks, accounts, volunteer, unit):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    certificate = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                        last_day=day_of(weeks[-1]), at=at, **fields(unit))
    match = NUMBER_FORMAT.fullmatch(certificate.number)
    assert match and match.group(1) == str(timezone.localtime(at).year) and match.group(2) == "000001"
    assert match.group(3) == number_check(certificate.number[:-5])
    assert selectors.certificate_verify(certificate.number) == certificate
    assert selectors.certificate_verify(f" {certificate.number.lower()} ") == certificate  # as typed from paper
    second = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                   last_day=day_of(weeks[0]), at=at, **fields(unit))
    assert NUMBER_FORMAT.fullmatch(second.number).group(2) == "000002"


def test_an_altered_or_made_up_number_is_not_found(weeks, accounts, volunteer, unit):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    number = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                   last_day=day_of(weeks[-1]), at=at, **fields(unit)).number
    body, check = number[:-5], number[-4:]
    serial = body[-6:]
    altered_serial = f"{body[:-6]}{int(serial) + 1:06d}-{check}"
    altered_check = f"{body}-{'A' if check[0] != 'A' else 'B'}{check[1:]}"
    # A second certificate exists with serial 2, so the altered serial names a real row: the check part decides.
    issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]), last_day=day_of(weeks[0]),
          at=at, **fields(unit))
    for forged in (altered_serial, altered_check, "ZYZM-2021-000001-AAAA", "ZYZM-2021-1-AAAA", "", "x" * 1000, None):
        assert selectors.certificate_verify(forged) is None, forged


def test_a_volunteer_asking_for_someone_elses_certificate_is_refused(weeks, accounts, volunteer, member_volunteer,
                                                                     unit):
    events = Event.objects.count()
    for who in ("party_member", "unit_admin", "other_community_staff"):
        with pytest.raises(PermissionDenied) as refused:
            issue(actor=accounts[who], volunteer=volunteer, first_day=day_of(weeks[0]), last_day=day_of(weeks[-1]),
                  at=weeks[-1].ends_at + datetime.timedelta(days=1), **fields(unit))
        assert "您只能申请本人的志愿服务记录证明" in str(refused.value)
    assert Certificate.objects.count() == 0 and Event.objects.count() == events


def test_staff_of_the_area_issue_and_with_the_id_card_only_when_on_record(weeks, accounts, volunteer, unit):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    period = {"first_day": day_of(weeks[0]), "last_day": day_of(weeks[-1]), "at": at}
    with pytest.raises(ValidationError, match="未登记身份证号"):
        issue(actor=accounts["community_staff"], volunteer=volunteer, with_id_card=True, **period, **fields(unit))
    volunteer_update(actor=accounts["resident"], volunteer=volunteer, id_card_number="11010519491231002X")
    certificate = issue(actor=accounts["community_staff"], volunteer=volunteer, with_id_card=True, **period,
                        **fields(unit))
    assert certificate.with_id_card and certificate.handled_by == accounts["community_staff"]


@pytest.mark.parametrize(("change", "words"), [
    ({"last_day": "before"}, "日期不能早于"),
    ({"last_day": "future"}, "截止日期最晚为今天"),
    ({"person_in_charge": " "}, "请填写出具单位的负责人"),
    ({"contact": ""}, "请填写联系电话"),
    ({"issuer": None}, "请选择出具单位"),
    ({"first_day": "empty"}, "期间没有已认定的服务时长"),
])
def test_bad_requests_are_refused_in_words(weeks, accounts, volunteer, unit, change, words):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    request = {"first_day": day_of(weeks[0]), "last_day": day_of(weeks[-1]), **fields(unit)}
    local_day = timezone.localtime(at).date()
    values = {"before": day_of(weeks[0]) - datetime.timedelta(days=1), "future": local_day + datetime.timedelta(days=1),
              "empty": day_of(weeks[-1])}
    for key, value in change.items():
        request[key] = values.get(value, value) if isinstance(value, str) and key.endswith("_day") else value
    if "first_day" in change:
        request["first_day"] = request["last_day"] = day_of(weeks[-1])  # only the uncertified Saturday
    with pytest.raises(ValidationError) as refused:
        issue(actor=accounts["resident"], volunteer=volunteer, at=at, **request)
    assert words in " ".join(refused.value.messages)
    assert Certificate.objects.count() == 0


def test_a_certificate_keeps_what_it_stated_whatever_is_corrected_later(weeks, accounts, volunteer, unit, leader):
    at = weeks[-1].ends_at + datetime.timedelta(days=1)
    certificate = issue(actor=accounts["resident"], volunteer=volunteer, first_day=day_of(weeks[0]),
                        last_day=day_of(weeks[1]), at=at, **fields(unit))
    entry = weeks[0].hours.get()
    hours_correct(actor=leader, entry=entry, hours="1", reason="核对签到表")
    assert Certificate.objects.get(pk=certificate.pk).hours == Decimal("4.00")
    assert selectors.hours_total(volunteer, day_of(weeks[0]), day_of(weeks[1])) == Decimal("3.00")
