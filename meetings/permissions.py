"""Who manages a body and its meetings, who sits on it, who reads a meeting in full; the same rules as filters for
the pages' lists. Services, pages and the API all ask here.

Managers: community staff and subdistrict admins whose area holds the body's place (the joint meeting of a
subdistrict so only its admins), and superusers. Members: the user's person holding a seat, or a unit the user
administers holding one. A seat is current from `since` until the day before `until` (the day it ended).
Managers and members — current, or at the meeting's date — read everything of a meeting (attendance by name,
drafts, private attachments); everyone else only its public view (meetings.selectors.meeting_public).
"""

import datetime

from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from meetings.models import Meeting, Member
from people import scopes
from people.models import Role
from places.selectors import within

MANAGER_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _today() -> datetime.date:
    return timezone.localdate()


def may_manage(user, body) -> bool:
    """Staff of an area containing the body's place (or a superuser): everything a secretary records."""
    return _authenticated(user) and scopes.covers_place(user, body.place, MANAGER_ROLES)


def who_q(user, prefix: str = "") -> Q:
    """Seats the user holds: their person's, or a unit's they administer (`prefix` e.g. "member__")."""
    person = scopes.person_of(user)
    q = Q(**{f"{prefix}organisation__in": scopes.unit_ids(user)})
    if person is not None:
        q |= Q(**{f"{prefix}person": person, f"{prefix}organisation__isnull": True})
    return q


def current_q(on: datetime.date, prefix: str = "") -> Q:
    """Seats current on the day."""
    return Q(**{f"{prefix}since__lte": on}) & (Q(**{f"{prefix}until__isnull": True})
                                               | Q(**{f"{prefix}until__gt": on}))


def member_of(user, body, *, on: datetime.date | None = None):
    """The user's seat on the body on the day (default today), or None."""
    if not _authenticated(user):
        return None
    return (Member.objects.filter(who_q(user), current_q(on or _today()), body=body)
            .select_related("person", "organisation").order_by("since", "pk").first())


def _meeting_day(meeting) -> datetime.date:
    return timezone.localtime(meeting.starts_at).date()


def may_view(user, meeting_or_body) -> bool:
    """Managers and the body's members (current, or on the meeting's day) read all of a meeting or body."""
    if not _authenticated(user):
        return False
    is_meeting = isinstance(meeting_or_body, Meeting)
    body = meeting_or_body.body if is_meeting else meeting_or_body
    if may_manage(user, body):
        return True
    if member_of(user, body) is not None:
        return True
    return is_meeting and member_of(user, body, on=_meeting_day(meeting_or_body)) is not None


def _managed_q(user, prefix: str) -> Q:
    prefixes = scopes.place_prefixes(user, MANAGER_ROLES)
    return within(prefixes, f"{prefix}place") if prefixes else Q(pk__in=[])


def bodies_visible_q(user) -> Q:
    """Bodies the user reads in full: those they manage or sit on now."""
    if scopes.is_superuser(user):
        return Q()
    if not _authenticated(user):
        return Q(pk__in=[])
    seats = Member.objects.filter(who_q(user), current_q(_today()), body=OuterRef("pk"))
    return _managed_q(user, "") | Exists(seats)


def meetings_visible_q(user) -> Q:
    """Meetings the user reads in full: of bodies they manage or sit on now, or sat on on the meeting's day."""
    if scopes.is_superuser(user):
        return Q()
    if not _authenticated(user):
        return Q(pk__in=[])
    # An OuterRef has no type until resolved: TruncDate needs to know it truncates a moment.
    day = TruncDate(ExpressionWrapper(OuterRef("starts_at"), output_field=DateTimeField()),
                    tzinfo=timezone.get_current_timezone())
    seats = Member.objects.filter(who_q(user), body=OuterRef("body_id"))
    then = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gt=day))
    return (_managed_q(user, "body__") | Exists(seats.filter(current_q(_today())))
            | Exists(seats.filter(then)))
