"""Reads that pages, the API, the certificate and the ledger share: upcoming activities, a user's volunteer, hours
totals and star levels, a volunteer's whole record, a certificate found by its number, an organiser's activities."""

import datetime
import hmac
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from people import scopes
from places.models import Place, containing_codes
from places.selectors import within
from volunteering import permissions
from volunteering.models import (
    Activity,
    Certificate,
    HoursCorrection,
    HoursState,
    RecordEntry,
    RecordEntryKind,
    ServiceHours,
    Signup,
    SignupState,
    Volunteer,
)
from volunteering.services import NUMBER_FORMAT, number_check


def with_counts(activities: QuerySet) -> QuerySet:
    """Activities annotated with `signed_up` and `waiting` (sign-ups in those states) and `free` (None: no limit)."""
    return activities.annotate(
        signed_up=Count("signups", filter=Q(signups__state=SignupState.SIGNED_UP), distinct=True),
        waiting=Count("signups", filter=Q(signups__state=SignupState.WAITING), distinct=True))


def free_places(activity) -> int | None:
    """Places still free (None: no limit); reads `signed_up` when annotated."""
    if activity.capacity is None:
        return None
    taken = getattr(activity, "signed_up", None)
    if taken is None:
        taken = Signup.objects.filter(activity=activity, state=SignupState.SIGNED_UP).count()
    return max(activity.capacity - taken, 0)


def activities_upcoming(*, place=None, kind: str = "", q: str = "", at=None) -> QuerySet:
    """Published activities not cancelled that have not ended, soonest first. `place` (a Place or its code): those
    at a place inside it, or at a place that holds it (a subdistrict's activity concerns its communities); `kind`
    an ActivityKind; `q` words of the title (pinyin too)."""
    at = at or timezone.now()
    activities = Activity.objects.filter(is_published=True, is_cancelled=False, ends_at__gt=at)
    if place is not None:
        code = place.code if isinstance(place, Place) else str(place)
        activities = activities.filter(within(code, "place") | Q(place__code__in=containing_codes(code)))
    if kind:
        activities = activities.filter(kind=kind)
    if q:
        activities = activities.filter(Activity.search_q(q))
    return activities.select_related("place", "team", "organisation").order_by("starts_at", "id")


def activities_visible(user) -> QuerySet:
    """Every activity the user may open: the published ones and those they organise."""
    return Activity.objects.filter(permissions.activities_visible_q(user)).select_related(
        "place", "team", "organisation")


def volunteer_of(user) -> Volunteer | None:
    """The signed-in user's own volunteer record, or None."""
    person = scopes.person_of(user)
    if person is None:
        return None
    return Volunteer.objects.filter(person=person).select_related("person").first()


def _day_bounds(first_day, last_day):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, zone) if first_day else None
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, zone) \
        if last_day else None
    return start, end


def hours_certified(volunteer: Volunteer, first_day=None, last_day=None) -> QuerySet:
    """The volunteer's certified entries, of activities that started on those days (local time; None: no bound)."""
    entries = ServiceHours.objects.filter(volunteer=volunteer, state=HoursState.CERTIFIED)
    start, end = _day_bounds(first_day, last_day)
    if start:
        entries = entries.filter(activity__starts_at__gte=start)
    if end:
        entries = entries.filter(activity__starts_at__lt=end)
    return entries


def hours_total(volunteer: Volunteer, first_day=None, last_day=None) -> Decimal:
    """Certified hours (a queried entry counts again once the organiser answers)."""
    return hours_certified(volunteer, first_day, last_day).aggregate(n=Sum("hours"))["n"] or Decimal(0)


def star_level(hours) -> int:
    """0 to 5 (or as many thresholds as VOLUNTEER_STAR_HOURS has): the thresholds reached."""
    return sum(1 for threshold in settings.VOLUNTEER_STAR_HOURS if Decimal(hours) >= threshold)


def next_star(hours) -> int | None:
    """The hours of the next star level, None when the highest is reached."""
    return next((t for t in settings.VOLUNTEER_STAR_HOURS if Decimal(hours) < t), None)


def hours_entries_of(volunteer: Volunteer) -> QuerySet:
    """A volunteer's entries of hours (proposed, certified, queried), in the order of their activities."""
    return ServiceHours.objects.filter(volunteer=volunteer).select_related(
        "activity__place", "activity__team", "activity__organisation", "certified_by").order_by(
        "activity__starts_at", "id")


def record_of(volunteer: Volunteer) -> dict:
    """The whole record: basic information, services (what, where, when, hours, with their corrections), training,
    commendations, evaluations, certificates, sign-ups."""
    volunteer = Volunteer.objects.select_related("person", "person__home").get(pk=volunteer.pk)
    services = list(hours_entries_of(volunteer))
    entries = list(RecordEntry.objects.filter(volunteer=volunteer).select_related("by").order_by("on", "id"))
    total = sum((s.hours for s in services if s.state == HoursState.CERTIFIED), Decimal(0))
    return {
        "volunteer": volunteer,
        "person": volunteer.person,
        "hours": total,
        "star_level": star_level(total),
        "services": services,
        "corrections": list(HoursCorrection.objects.filter(entry__volunteer=volunteer).select_related(
            "entry__activity", "changed_by").order_by("changed_at", "id")),
        "training": [e for e in entries if e.kind == RecordEntryKind.TRAINING],
        "commendations": [e for e in entries if e.kind == RecordEntryKind.COMMENDATION],
        "evaluations": [e for e in entries if e.kind == RecordEntryKind.EVALUATION],
        "certificates": list(Certificate.objects.filter(volunteer=volunteer).select_related("issuer").order_by(
            "-issued_at", "id")),
        "signups": list(Signup.objects.filter(volunteer=volunteer).select_related("activity__place").order_by(
            "-activity__starts_at", "id")),
    }


def certificate_verify(number: str) -> Certificate | None:
    """The certificate of this number, if its check part matches (a made-up or altered number: None)."""
    if not isinstance(number, str):
        return None
    number = number.strip().upper()
    match = NUMBER_FORMAT.fullmatch(number)
    if match is None:
        return None
    body = number[:-5]
    if not hmac.compare_digest(number_check(body), match.group(3)):
        return None
    return Certificate.objects.filter(number=number).select_related("volunteer__person", "issuer").first()


def organiser_activities(user, *, first_day: datetime.date, last_day: datetime.date) -> QuerySet:
    """The activities the user organises that start on those days (local time), cancelled ones too, with counts:
    the organiser's list to tick and certify."""
    if not getattr(user, "is_authenticated", False):
        return Activity.objects.none()
    start, end = _day_bounds(first_day, last_day)
    activities = Activity.objects.filter(permissions.organised_q(user), starts_at__gte=start, starts_at__lt=end)
    return with_counts(activities).select_related("place", "team", "organisation").order_by("starts_at", "id")


def signups_of(activity: Activity) -> QuerySet:
    """An activity's sign-ups (not cancelled), those with a place first, each with the volunteer's person."""
    return Signup.objects.filter(activity=activity).exclude(state=SignupState.CANCELLED).select_related(
        "volunteer__person").order_by("state", "signed_up_at", "id")


def hours_of(activity: Activity) -> QuerySet:
    """An activity's entries of hours, with the volunteer's person."""
    return ServiceHours.objects.filter(activity=activity).select_related("volunteer__person", "certified_by") \
        .order_by("volunteer__number", "id")


def signup_of(activity: Activity, volunteer: Volunteer | None) -> Signup | None:
    if volunteer is None:
        return None
    return Signup.objects.filter(activity=activity, volunteer=volunteer).first()


def volunteers_visible(user) -> QuerySet:
    """The volunteers whose record the user may open."""
    return Volunteer.objects.filter(permissions.volunteers_visible_q(user)).select_related("person")
