"""The period of a ledger: a year, a quarter, a month or any range of days, inclusive, in local time, within the
days core.params bounds (1900–2099): one whose start or end lies outside is refused as it is read."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.params import FIRST_DAY, LAST_DAY, calendar_refusal, in_calendar

KINDS = ("year", "quarter", "month", "custom")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    kind: str = "custom"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, the day after end 00:00) in the site's time zone, for timestamp filters."""
        tz = timezone.get_default_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        stop = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, stop

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Year %(year)d") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("%(year)d, quarter %(q)d") % {"year": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        if self.kind == "month":
            return _("%(year)d-%(month)s") % {"year": self.start.year, "month": f"{self.start.month:02d}"}
        return _("%(start)s to %(end)s") % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def token(self) -> str:
        """The compact form used in links: 2021, 2021-Q3, 2021-07, or 2021-03-01..2021-05-31."""
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches (the trend's x axis)."""
        first, months = self.start.replace(day=1), []
        while first <= self.end:
            months.append(first)
            first = (first + datetime.timedelta(days=32)).replace(day=1)
        return months


def year(y: int) -> Period:
    return Period(datetime.date(y, 1, 1), datetime.date(y, 12, 31), "year")


def quarter(y: int, q: int) -> Period:
    start = datetime.date(y, 3 * q - 2, 1)
    end_month = 3 * q
    return Period(start, datetime.date(y, end_month, calendar.monthrange(y, end_month)[1]), "quarter")


def month(y: int, m: int) -> Period:
    return Period(datetime.date(y, m, 1), datetime.date(y, m, calendar.monthrange(y, m)[1]), "month")


def _date(value: str, name: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")
                               % {"value": value[:20]}}) from None
    if not in_calendar(day):
        raise ValidationError({name: calendar_refusal()})
    return day


MAX_DAYS = 366 * 10


def period_from_range(start: str, end: str) -> Period:
    """A period from two ISO dates; recognised as a whole year, quarter or month when it is one."""
    first, last = _date(start, "from"), _date(end, "to")
    if last < first:
        raise ValidationError({"to": _("The end date is before the start date.")})
    if (last - first).days > MAX_DAYS:
        raise ValidationError({"to": _("A ledger covers at most ten years.")})
    for candidate in (year(first.year), quarter(first.year, (first.month - 1) // 3 + 1),
                      month(first.year, first.month)):
        if (candidate.start, candidate.end) == (first, last):
            return candidate
    return Period(first, last, "custom")


TOKEN_RE = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


def period_from_token(token: str) -> Period:
    match = TOKEN_RE.match(token or "")
    if match is None:
        if ".." in (token or ""):
            return period_from_range(*token.split("..", 1))
        raise ValidationError({"period": _("Choose a year (2021), a quarter (2021-Q3), a month (2021-07) or a "
                                           "range of dates.")})
    y, q, m = int(match[1]), match[2], match[3]
    if not FIRST_DAY.year <= y <= LAST_DAY.year:
        raise ValidationError({"period": calendar_refusal()})
    if q:
        return quarter(y, int(q))
    if m:
        if not 1 <= int(m) <= 12:
            raise ValidationError({"period": _("There is no month %(m)s.") % {"m": m}})
        return month(y, int(m))
    return year(y)


def period_from_request(params, default) -> Period:
    """From ?from=&to= (dates) or ?period= (token); else `default()`, asked only then (it may query)."""
    if params.get("from") or params.get("to"):
        return period_from_range(params.get("from") or params.get("to"), params.get("to") or params.get("from"))
    if params.get("period"):
        return period_from_token(params["period"])
    return default()
