"""Deadlines in Chinese working time.

Working hours are 9:00–12:00 and 13:30–17:30 (Beijing time): 7 working hours make one working day, so
"7 working days" from Friday 16:00 ends at 16:00 seven working days later. Which days are working
days comes from `chinese_calendar` (public holidays and the make-up working Saturdays / Sundays, 调休).
The package knows only the years the State Council had published when it was released: administrators
enter later years' holidays and make-up days as CalendarDay rows (they win over the package); a year
known to neither counts Monday–Friday, and staff pages warn about it (`calendar_gaps`).
"""

import datetime
import functools
import logging
from decimal import Decimal

import chinese_calendar
from django.utils import timezone

from needs.models import CalendarDay, Category, DeadlinePolicy

log = logging.getLogger(__name__)

WORK_PERIODS = ((datetime.time(9, 0), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30)))
DAY_MINUTES = 7 * 60
# Code defaults (docs/product.md §3), used when no DeadlinePolicy row matches: complex categories get
# a row of their own.
DEFAULTS = {"accept_hours": Decimal(2), "claim_days": Decimal(1), "resolve_days": Decimal(7),
            "report_in_minutes": 30}
URGENT_RESOLVE_DAYS = Decimal(1)
_warned_years: set[int] = set()


# chinese_calendar scans its whole holiday table on every call (min/max of the keys); a deadline walks up
# to a few weeks of days, so each day's answer is kept for the life of the process (the table never changes).
@functools.lru_cache(maxsize=8192)
def _package_is_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("chinese_calendar does not know %s: counting Monday–Friday as working days "
                        "until an administrator enters that year's holidays", day.year)
        return day.weekday() < 5


def calendar_days(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    """The administrator's calendar days between first and last: one query per deadline computed."""
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))


def is_workday(day: datetime.date, stated: dict[datetime.date, bool] | None = None) -> bool:
    if stated is None:
        stated = calendar_days(day, day)
    return stated[day] if day in stated else _package_is_workday(day)


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_gaps(today: datetime.date) -> list[int]:
    """Years that deadlines may reach soon whose holidays nobody knows: neither the package nor the admin.

    Staff pages show these as a warning, because deadlines in them count Monday–Friday only.
    """
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    return [y for y in years if not package_knows(y)
            and not CalendarDay.objects.filter(date__year=y).exists()]


def _periods(day: datetime.date):
    tz = timezone.get_current_timezone()
    for start, end in WORK_PERIODS:
        yield (datetime.datetime.combine(day, start, tzinfo=tz), datetime.datetime.combine(day, end, tzinfo=tz))


def add_working_minutes(start: datetime.datetime, minutes: float) -> datetime.datetime:
    """The moment `minutes` of working time after `start`."""
    at = timezone.localtime(start)
    remaining = datetime.timedelta(minutes=float(minutes))
    day = at.date()
    # Deadlines are at most weeks away; a year of stated days covers them in one query.
    stated = calendar_days(day, day + datetime.timedelta(days=366))
    for _ in range(3660):  # ten years of days: a bound, never reached by a real deadline
        if is_workday(day, stated):
            for period_start, period_end in _periods(day):
                begin = max(at, period_start)
                if begin >= period_end:
                    continue
                if begin + remaining <= period_end:
                    return begin + remaining
                remaining -= period_end - begin
        day += datetime.timedelta(days=1)
    raise ValueError("deadline too far away")


def working_minutes_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Working minutes from start to end (0 if end is not after start)."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = datetime.timedelta()
    day = start.date()
    stated = calendar_days(day, end.date())
    while day <= end.date():
        if is_workday(day, stated):
            for period_start, period_end in _periods(day):
                begin, finish = max(start, period_start), min(end, period_end)
                if finish > begin:
                    total += finish - begin
        day += datetime.timedelta(days=1)
    return total.total_seconds() / 60


def add_working_days(start: datetime.datetime, days) -> datetime.datetime:
    return add_working_minutes(start, float(days) * DAY_MINUTES)


def policy_for(category: Category | None, concern_level: str) -> dict:
    """The deadline settings for a category and concern level: the most specific policy row wins."""
    rows = {(p.category_id, p.concern_level): p for p in DeadlinePolicy.objects.all()}
    lineage = category.lineage() if category else []
    keys = [key for c in lineage for key in ((c.pk, concern_level), (c.pk, ""))]
    for key in [*keys, (None, concern_level), (None, "")]:
        if key in rows:
            row = rows[key]
            return {name: getattr(row, name) for name in DEFAULTS}
    settings = dict(DEFAULTS)
    if concern_level == "anguish":
        settings["resolve_days"] = URGENT_RESOLVE_DAYS
    return settings


def remind_lead_minutes(due_kind: str) -> float:
    """How long before a deadline the handler is reminded, in working minutes."""
    return {"report_in": 10, "accept": 60, "claim": 120}.get(due_kind, DAY_MINUTES)
