"""Values a page reads from its query string, bounded where they come in: a number no record can carry or a date
the calendar arithmetic cannot hold is refused here, never handed to the database (SQLite raises on an integer
beyond 64 bits) or to date arithmetic (which overflows at year 1 and 9999). Forms bound their fields the same way
(min_value / max_value; `day_validators` for dates). A NUL character, which PostgreSQL refuses, is refused for
the whole request by core.middleware.NulRefusingMiddleware."""

import datetime
import re

from django.core.exceptions import BadRequest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from core.api import MAX_ID

# The days a page may ask about: wide enough for any record (a member who joined in 1965), far enough inside the
# calendar that a day's start in any time zone, or the day after the last, is still a date.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)

INTEGER = re.compile(r"-?[0-9]{1,19}")  # ASCII digits only: int() also reads ١٢٣, str.isdigit() also passes ²


class BadInput(BadRequest):
    """A request a page cannot read, answered by a 400 page that shows the message (core.views.bad_request)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def int_param(value, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """An integer written in ASCII digits within [minimum, maximum] (by default a record's id); else None."""
    text = str(value if value is not None else "").strip()
    if not INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def in_calendar(day: datetime.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def calendar_refusal() -> str:
    return _("Choose a date from %(first)s to %(last)s.") % {"first": FIRST_DAY.isoformat(),
                                                            "last": LAST_DAY.isoformat()}


day_validators = [MinValueValidator(FIRST_DAY, lazy(calendar_refusal, str)()),
                  MaxValueValidator(LAST_DAY, lazy(calendar_refusal, str)())]
