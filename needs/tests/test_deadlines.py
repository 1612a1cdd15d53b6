"""Deadlines in Chinese working time across the 2021 National Day holiday (Oct 1–7 off; Sunday Sep 26 and
Saturday Oct 9 were make-up working days), and the deadline sweep."""

import datetime
import logging

import pytest
from django.utils import timezone

from core.events import events_verify
from core.models import Event
from needs.deadlines import add_working_days, add_working_minutes, policy_for, working_minutes_between
from needs.models import Category, Level, Need, State
from needs.services import need_act, need_submit
from needs.tasks import deadline_sweep

TZ = timezone.get_fixed_timezone(8 * 60)
pytestmark = pytest.mark.django_db  # the administrator's calendar days are read from the database


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


def local(value):
    return timezone.localtime(value).replace(tzinfo=None)


def test_it_skips_the_lunch_break():
    assert local(add_working_minutes(at(2021, 9, 28, 11, 0), 120)) == datetime.datetime(2021, 9, 28, 14, 30)


def test_it_skips_the_national_day_holiday():
    # Thursday Sep 30 16:00 + 2 working hours: 1.5 h that day, the rest on Friday Oct 8.
    assert local(add_working_minutes(at(2021, 9, 30, 16, 0), 120)) == datetime.datetime(2021, 10, 8, 9, 30)
    assert local(add_working_days(at(2021, 9, 30, 10, 0), 1)) == datetime.datetime(2021, 10, 8, 10, 0)


def test_it_counts_the_make_up_working_days():
    assert local(add_working_days(at(2021, 9, 30, 10, 0), 2)) == datetime.datetime(2021, 10, 9, 10, 0)  # a Saturday
    assert local(add_working_minutes(at(2021, 9, 25, 10, 0), 120)) == datetime.datetime(2021, 9, 26, 11, 0)  # Sunday


def test_it_starts_counting_at_the_next_working_morning():
    assert local(add_working_minutes(at(2021, 10, 2, 20, 0), 30)) == datetime.datetime(2021, 10, 8, 9, 30)


def test_it_measures_working_minutes_between_two_moments():
    assert working_minutes_between(at(2021, 9, 30, 17, 0), at(2021, 10, 8, 10, 0)) == 90


def test_it_falls_back_to_weekends_only_for_a_year_the_calendar_does_not_know(caplog):
    with caplog.at_level(logging.WARNING, logger="needs.deadlines"):
        # Friday 1 Oct 2100 16:30 + 2 working hours ends on Monday 4 Oct at 10:00: no National Day known.
        assert local(add_working_minutes(at(2100, 10, 1, 16, 30), 120)) == datetime.datetime(2100, 10, 4, 10, 0)
    assert "2100" in caplog.text


def test_it_takes_the_most_specific_policy(db):
    elevator = Category.objects.get_or_create(name="加装电梯")[0]
    assert policy_for(None, "anguish")["resolve_days"] == 1
    assert policy_for(None, "worry")["resolve_days"] == 7
    assert policy_for(elevator, "worry")["resolve_days"] == 15
    assert policy_for(None, "worry")["accept_hours"] == 2


def test_it_sets_deadlines_across_the_holiday(accounts, tree, category):
    need = need_submit(actor=accounts["resident"], title="楼道灯坏了", place=tree["building"],
                       at=at(2021, 9, 30, 16, 0))
    assert local(need.accept_due) == datetime.datetime(2021, 10, 8, 9, 30)
    need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                    concern_level="anguish", at=at(2021, 9, 30, 17, 0))
    assert local(need.claim_due) == datetime.datetime(2021, 10, 8, 17, 0)


@pytest.fixture
def late_need(accounts, tree):
    return need_submit(actor=accounts["resident"], title="垃圾堆放", place=tree["building"],
                       at=at(2021, 9, 30, 16, 0))


def test_it_reminds_once_before_the_deadline(late_need):
    assert deadline_sweep(now=at(2021, 9, 30, 16, 10)) == {"remind": 0, "escalate": 0, "flag_overdue": 0,
                                                         "close_unrated": 0}
    assert deadline_sweep(now=at(2021, 10, 8, 9, 0))["remind"] == 1
    assert deadline_sweep(now=at(2021, 10, 8, 9, 5))["remind"] == 0


def test_it_marks_overdue_and_raises_one_level_once(late_need):
    before = Event.objects.count()
    assert deadline_sweep(now=at(2021, 10, 8, 10, 0))["escalate"] == 1
    need = Need.objects.get(pk=late_need.pk)
    assert need.overdue and need.level == Level.SUBDISTRICT and need.state == State.ESCALATED
    assert deadline_sweep(now=at(2021, 10, 8, 10, 5)) == {"remind": 0, "escalate": 0, "flag_overdue": 0,
                                                         "close_unrated": 0}
    assert Event.objects.count() == before + 1
    assert Event.objects.last().data["overdue"] is True
    assert events_verify()[1] is None


def test_it_flags_a_department_that_does_not_report_in(published, accounts, department):
    need = need_act(actor=accounts["community_staff"], need=published, action="escalate", note="需部门")
    need = need_act(actor=accounts["subdistrict_admin"], need=need, action="dispatch",
                    organisation=department["organisation"], at=at(2021, 9, 30, 10, 0))
    assert local(need.report_in_due) == datetime.datetime(2021, 9, 30, 10, 30)
    assert deadline_sweep(now=at(2021, 9, 30, 10, 31))["flag_overdue"] == 1
    assert Need.objects.get(pk=need.pk).overdue


def test_it_closes_unrated_needs_after_the_rating_window(claimed, accounts):
    need = need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字",
                    at=at(2021, 9, 1, 10, 0))
    assert deadline_sweep(now=at(2021, 9, 7, 10, 0))["close_unrated"] == 0
    assert deadline_sweep(now=at(2021, 9, 9, 10, 0))["close_unrated"] == 1
    need = Need.objects.get(pk=need.pk)
    assert need.state == State.CLOSED and need.rating == ""


def test_it_lets_the_administrator_state_holidays_the_package_does_not_know():
    """2027 is unknown to chinesecalendar 1.11: weekdays count until the admin enters the schedule."""
    import datetime as dt

    from needs import deadlines
    from needs.models import CalendarDay

    tz = timezone.get_current_timezone()
    friday = dt.datetime(2027, 2, 5, 16, 0, tzinfo=tz)  # the Friday before 春节 2027 (Feb 6)
    assert deadlines.calendar_gaps(dt.date(2026, 11, 27)) == [2027]
    assert deadlines.add_working_days(friday, 1) == dt.datetime(2027, 2, 8, 16, 0, tzinfo=tz)
    for day in range(8, 13):  # the admin enters the Spring Festival week as days off
        CalendarDay.objects.create(date=dt.date(2027, 2, day), is_workday=False, name="春节")
    assert deadlines.add_working_days(friday, 1) == dt.datetime(2027, 2, 15, 16, 0, tzinfo=tz)
    CalendarDay.objects.create(date=dt.date(2027, 2, 7), is_workday=True, name="春节调休")
    assert deadlines.add_working_days(friday, 1) == dt.datetime(2027, 2, 7, 16, 0, tzinfo=tz)
    assert deadlines.calendar_gaps(dt.date(2026, 11, 27)) == []
