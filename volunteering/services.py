"""Every write to volunteering: activities (weekly series one record per occurrence), volunteers and their numbers,
sign-ups with the waiting list, check-in and check-out, service hours proposed from them and certified by the
organiser (谁组织谁记录、谁记录谁证明), their corrections and queries, record entries and certificates.

Each service checks who may (volunteering.permissions) → PermissionDenied, what is asked → ValidationError in words
that say what is possible instead, then writes and appends its event (keys and numbers only; a correction's event
carries the old and new hours and the reason) in one transaction. A sign-up counts the places under the activity
row's lock (select_for_update on PostgreSQL, the IMMEDIATE transaction on SQLite), so the last place goes to one.
"""

import base64
import datetime
import hashlib
import hmac
import re
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import local_moment
from core.events import event_append, event_time, verbs_declare
from core.services import require, validated
from needs.permissions import system_user
from people import scopes
from people.models import Organisation, Person, Team
from places.models import Place, PlaceKind, containing_codes
from volunteering import permissions
from volunteering.models import (
    Activity,
    ActivityKind,
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

verbs_declare({
    "activity_create": "a volunteer activity put on (one occurrence; `series` when it repeats a weekly one)",
    "activity_update": "an activity's details changed (the fields named)",
    "activity_cancel": "an activity cancelled, with the reason",
    "volunteer_register": "a person registered as a volunteer, with the number made for them",
    "volunteer_update": "a volunteer's details changed (the fields named; never the ID-card number itself)",
    "signup_create": "a volunteer signed up for an activity: a place, or the waiting list when it is full",
    "signup_cancel": "a sign-up cancelled",
    "signup_promote": "a volunteer on the waiting list given the place another freed",
    "checkin": "a volunteer checked in at an activity (by its QR code, or ticked by the organiser; a walk-in added)",
    "checkout": "a volunteer checked out of an activity",
    "hours_propose": "service hours proposed from a check-in and check-out, capped at the activity's duration",
    "hours_certify": "service hours certified by the organiser (谁组织谁记录、谁记录谁证明)",
    "hours_correct": "certified hours corrected: the old and new hours, the reason, who (HoursCorrection)",
    "hours_query": "a volunteer queried an entry of their certified hours",
    "record_entry_add": "training, a commendation or an evaluation added to a volunteer's record",
    "certificate_issue": "a certificate of volunteer service (志愿服务记录证明) issued, as it was printed",
})

ACTIVITY_FIELDS = ("kind", "name", "description", "team", "organisation", "place", "starts_at", "ends_at",
                   "capacity", "is_published")
TEXT_FIELDS = ("name", "description")  # never in an event: keys and numbers only
VOLUNTEER_FIELDS = ("id_card_number", "name_public")
REPEAT_MAX = 200  # weekly copies one activities_repeat makes
CAPACITY_MAX = 10_000
LONGEST = datetime.timedelta(days=7)  # one occurrence; a longer effort is recorded occurrence by occurrence
HOURS_STEP = Decimal("0.01")
NUMBER_PREFIX = "ZYZM"
NUMBER_FORMAT = re.compile(r"ZYZM-(\d{4})-(\d{6})-([A-Z2-7]{4})")
HOLDS_PLACE = (SignupState.SIGNED_UP,)
ACTIVE = (SignupState.SIGNED_UP, SignupState.WAITING)


class VolunteeringConflict(Exception):
    """The record moved on before this action: already cancelled, already checked out … (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _span(activity: Activity) -> str:
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    same_day = start.date() == end.date()
    return f"{local_moment(start)}–{end:%H:%M}" if same_day else f"{local_moment(start)}–{local_moment(end)}"


def _text(value, field: str, *, limit: int, required: bool, message: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Give a text.")})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def _hours(value, field: str = "hours") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError({field: _("Give the hours as a number, e.g. 2.5.")})
    try:
        hours = Decimal(str(value)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give the hours as a number, e.g. 2.5.")}) from None
    if not hours.is_finite() or hours <= 0:
        raise ValidationError({field: _("Hours are more than 0.")})
    return hours


def duration_hours(activity: Activity) -> Decimal:
    """The activity's duration in hours: the most any entry of it may certify."""
    seconds = Decimal((activity.ends_at - activity.starts_at).total_seconds())
    return (seconds / 3600).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def _over_duration(activity: Activity, hours: Decimal):
    limit = duration_hours(activity)
    if hours > limit:
        raise ValidationError({"hours": _("“%(activity)s” lasted %(limit)s hours (%(span)s): at most %(limit)s "
                                          "hours can be certified for it, and service hours are actual service "
                                          "time without travel.")
                               % {"activity": activity.name, "limit": limit, "span": _span(activity)}})


# --- Activities ---

def _activity_checked(activity: Activity) -> Activity:
    if activity.kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Choose a kind of activity from the list.")})
    for name in ("starts_at", "ends_at"):
        value = getattr(activity, name)
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            raise ValidationError({name: _("Give a date and time.")})
    if activity.ends_at <= activity.starts_at:
        raise ValidationError({"ends_at": _("An activity ends after it starts.")})
    if activity.ends_at - activity.starts_at > LONGEST:
        raise ValidationError({"ends_at": _("One occurrence lasts at most 7 days: record a longer effort "
                                            "occurrence by occurrence.")})
    if activity.capacity is not None and (isinstance(activity.capacity, bool) or not isinstance(
            activity.capacity, int) or not 1 <= activity.capacity <= CAPACITY_MAX):
        raise ValidationError({"capacity": _("From 1 to 10,000 places, or empty for no limit.")})
    if not isinstance(activity.place, Place):
        raise ValidationError({"place": _("Choose where the activity takes place.")})
    if activity.team is not None and not isinstance(activity.team, Team):
        raise ValidationError({"team": _("Choose the organising team.")})
    if activity.organisation is not None and not isinstance(activity.organisation, Organisation):
        raise ValidationError({"organisation": _("Choose the organising unit.")})
    if activity.team is None and activity.organisation is None:
        raise ValidationError({"team": _("An activity is organised by a team or a unit: choose one.")})
    return validated(activity, exclude=["series"])


def _activity_data(activity: Activity, names) -> dict:
    data = {}
    for name in names:
        if name in TEXT_FIELDS:
            continue
        if name in ("team", "organisation", "place"):
            data[name] = getattr(activity, f"{name}_id")
        elif name in ("starts_at", "ends_at"):
            data[name] = getattr(activity, name).isoformat()
        else:
            data[name] = getattr(activity, name)
    return data


def _may_organise(actor, activity: Activity) -> bool:
    return permissions.is_organiser(actor, activity)


def _not_organiser() -> str:
    return _("Only the activity's organisers do this: the leaders of its team, the admins of its unit, or the "
             "community staff of its place.")


@transaction.atomic
def activity_create(*, actor, kind: str, name: str, place, starts_at, ends_at, team=None, organisation=None,
                    description: str = "", capacity: int | None = None, is_published: bool = True,
                    at=None) -> Activity:
    """An activity organised by a team (its leaders), a unit (its admins) or the staff of its place's area."""
    at = event_time(at)
    activity = Activity(kind=kind, name=_text(name, "name", limit=100, required=True,
                                              message=_("Give the activity a title.")),
                        description=_text(description, "description", limit=4000, required=False),
                        team=team, organisation=organisation, place=place, starts_at=starts_at, ends_at=ends_at,
                        capacity=capacity, is_published=bool(is_published), checkin_code=secrets.token_urlsafe(16),
                        created_at=at)
    _activity_checked(activity)
    require(_may_organise(actor, activity), _("You may put on activities of the teams you lead, your unit, or "
                                              "your area."))
    activity.save()
    event_append(actor=actor, verb="activity_create", subject=activity, at=at,
                 data=_activity_data(activity, ACTIVITY_FIELDS))
    return activity


def _promote(activity: Activity, at, actor=None) -> list[Signup]:
    """Give the free places to those waiting, first come first (the activity's row locked by the caller)."""
    if activity.is_cancelled or at >= activity.ends_at:
        return []
    waiting = Signup.objects.select_for_update(of=("self",)).filter(
        activity=activity, state=SignupState.WAITING).order_by("signed_up_at", "id")
    if activity.capacity is not None:
        free = activity.capacity - Signup.objects.filter(activity=activity, state__in=HOLDS_PLACE).count()
        if free <= 0:
            return []
        waiting = waiting[:free]
    moved = []
    for signup in waiting:
        signup.state = SignupState.SIGNED_UP
        signup.save(update_fields=["state"])
        event_append(actor=actor or system_user(), verb="signup_promote", subject=signup, at=at,
                     data={"activity": activity.pk, "volunteer": signup.volunteer_id})
        moved.append(signup)
    return moved


def activity_update(*, actor, activity: Activity, **changes) -> Activity:
    unknown = sorted(set(changes) - set(ACTIVITY_FIELDS))
    if unknown:
        raise ValidationError({name: _("An activity has no field “%(field)s”.") % {"field": name} for name in unknown})
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        require(_may_organise(actor, activity), _not_organiser())
        if activity.is_cancelled:
            raise VolunteeringConflict(_("This activity was cancelled: it can no longer be changed."))
        if "name" in changes:
            changes["name"] = _text(changes["name"], "name", limit=100, required=True,
                                    message=_("Give the activity a title."))
        if "description" in changes:
            changes["description"] = _text(changes["description"], "description", limit=4000, required=False)
        changed = [f for f, v in changes.items() if getattr(activity, f) != v]
        if not changed:
            return activity
        for field in changed:
            setattr(activity, field, changes[field])
        _activity_checked(activity)
        if {"team", "organisation", "place"} & set(changed):
            require(_may_organise(actor, activity), _("You may put on activities of the teams you lead, your unit, "
                                                      "or your area."))
        if {"starts_at", "ends_at"} & set(changed) and ServiceHours.objects.filter(activity=activity).exists():
            raise ValidationError({"starts_at": _("Hours were already recorded for this activity: its time can "
                                                  "no longer change.")})
        activity.save()
        at = event_time(None)
        event_append(actor=actor, verb="activity_update", subject=activity, at=at,
                     data=_activity_data(activity, changed) | {"fields": sorted(changed)})
        if "capacity" in changed:
            _promote(activity, at)
    return activity


@transaction.atomic
def activities_repeat(*, actor, activity: Activity, last_day: datetime.date, at=None) -> list[Activity]:
    """Weekly copies of the activity up to `last_day` (each its own record, with its own places, sign-ups and
    check-in code; `series` the first of the series), at the same local time of day."""
    require(_may_organise(actor, activity), _not_organiser())
    if not isinstance(last_day, datetime.date) or isinstance(last_day, datetime.datetime):
        raise ValidationError({"last_day": _("Give the last day.")})
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    days = []
    day = start.date() + datetime.timedelta(weeks=1)
    while day <= last_day:
        days.append(day)
        day += datetime.timedelta(weeks=1)
        if len(days) > REPEAT_MAX:
            break
    if len(days) > REPEAT_MAX:
        raise ValidationError({"last_day": _("At most %(max)d weekly copies at once: choose an earlier last day.")
                               % {"max": REPEAT_MAX}})
    if not days:
        raise ValidationError({"last_day": _("The last day is at least a week after “%(activity)s” (%(day)s).")
                               % {"activity": activity.name, "day": f"{start:%Y-%m-%d}"}})
    zone, first = timezone.get_current_timezone(), activity.series or activity
    made, at = [], event_time(at)
    for day in days:
        copy_start = datetime.datetime.combine(day, start.time(), zone)
        copy = Activity(kind=activity.kind, name=activity.name, description=activity.description, team=activity.team,
                        organisation=activity.organisation, place=activity.place, starts_at=copy_start,
                        ends_at=copy_start + (end - start), capacity=activity.capacity, series=first,
                        is_published=activity.is_published, checkin_code=secrets.token_urlsafe(16), created_at=at)
        _activity_checked(copy).save()
        event_append(actor=actor, verb="activity_create", subject=copy, at=at,
                     data=_activity_data(copy, ACTIVITY_FIELDS) | {"series": first.pk})
        made.append(copy)
    return made


def activity_cancel(*, actor, activity: Activity, reason: str, at=None) -> Activity:
    reason = _text(reason, "reason", limit=300, required=True,
                   message=_("Say why the activity is cancelled: those signed up read it."))
    at = event_time(at)
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        require(_may_organise(actor, activity), _not_organiser())
        if activity.is_cancelled:
            raise VolunteeringConflict(_("This activity was already cancelled."))
        if ServiceHours.objects.filter(activity=activity).exists():
            raise ValidationError(_("Hours were already recorded for this activity: it took place and can no longer "
                                    "be cancelled."))
        activity.is_cancelled = True
        activity.save(update_fields=["is_cancelled"])
        event_append(actor=actor, verb="activity_cancel", subject=activity, at=at, data={"reason": reason})
    return activity


# --- Volunteers ---

ID_CARD = re.compile(r"\d{17}[\dX]")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_card(value) -> str:
    value = _text(value, "id_card_number", limit=18, required=False).upper()
    if not value:
        return ""
    check = "10X98765432"[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=False)) % 11] \
        if ID_CARD.fullmatch(value) else None
    if check is None or value[17] != check:
        raise ValidationError({"id_card_number": _("This is not a valid 18-digit ID card number: check it.")})
    return value


def _community_code(person: Person) -> str:
    if person.home_id is not None:
        community = Place.objects.filter(code__in=containing_codes(person.home.code),
                                         kind=PlaceKind.COMMUNITY).values_list("code", flat=True).first()
        if community:
            return community[:12].ljust(12, "0")
    return "0" * 12


def _number(person: Person) -> str:
    prefix = f"ZY{_community_code(person)}"
    last = Volunteer.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    serial = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{serial:05d}"


def volunteer_register(*, actor, person: Person, id_card_number: str = "", name_public: bool = False,
                       at=None) -> Volunteer:
    """Register a person as a volunteer: themself, staff who may change their record, a leader of their team. The
    number is made here: "ZY", the 12-digit code of the community they live in, and a serial of 5 digits."""
    if not isinstance(person, Person):
        raise ValidationError({"person": _("Choose the person.")})
    require(permissions.may_register(actor, person), _("You may register yourself, or the people of your area or "
                                                       "team."))
    id_card_number = _id_card(id_card_number)
    at = event_time(at)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                existing = Volunteer.objects.filter(person=person).first()
                if existing is not None:
                    raise ValidationError(_("Already registered as a volunteer: number %(number)s.")
                                          % {"number": existing.number})
                volunteer = validated(Volunteer(person=person, number=_number(person), id_card_number=id_card_number,
                                                registered_on=timezone.localtime(at).date(),
                                                name_public=bool(name_public)), exclude=["person", "number"])
                volunteer.save()
                event_append(actor=actor, verb="volunteer_register", subject=volunteer, at=at,
                             data={"person": person.pk, "number": volunteer.number,
                                   "name_public": volunteer.name_public})
                return volunteer
        except IntegrityError:
            continue  # two registrations took the same serial at once: take the next
    raise ValidationError(_("The volunteer number could not be made: try again."))


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, **changes) -> Volunteer:
    unknown = sorted(set(changes) - set(VOLUNTEER_FIELDS))
    if unknown:
        raise ValidationError({name: _("A volunteer has no field “%(field)s”.") % {"field": name}
                               for name in unknown})
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("person").get(pk=volunteer.pk)
    require(permissions.may_register(actor, volunteer.person), _("You may change your own volunteer details, or "
                                                                 "those of the people of your area or team."))
    if "id_card_number" in changes:
        changes["id_card_number"] = _id_card(changes["id_card_number"])
    if "name_public" in changes:
        changes["name_public"] = bool(changes["name_public"])
    changed = [f for f, v in changes.items() if getattr(volunteer, f) != v]
    if not changed:
        return volunteer
    for field in changed:
        setattr(volunteer, field, changes[field])
    volunteer.save(update_fields=changed)
    data = {"fields": sorted(changed)}
    if "name_public" in changed:
        data["name_public"] = volunteer.name_public
    event_append(actor=actor, verb="volunteer_update", subject=volunteer, data=data)
    return volunteer


# --- Sign-ups ---

def _own_volunteer(actor) -> Volunteer:
    person = scopes.person_of(actor)
    volunteer = Volunteer.objects.filter(person=person).first() if person is not None else None
    if volunteer is None:
        raise ValidationError(_("Please register as a volunteer first (我的志愿服务 → 登记为志愿者)."))
    return volunteer


def _overlapping(volunteer: Volunteer, activity: Activity, *, checked_in_only: bool = False) -> Signup | None:
    others = Signup.objects.filter(volunteer=volunteer, activity__is_cancelled=False,
                                   activity__starts_at__lt=activity.ends_at,
                                   activity__ends_at__gt=activity.starts_at).exclude(activity=activity)
    if checked_in_only:
        others = others.filter(checked_in_at__isnull=False, checked_out_at__isnull=True)
    else:
        others = others.filter(state__in=ACTIVE)
    return others.select_related("activity").order_by("activity__starts_at").first()


def _overlap_refusal(other: Signup) -> ValidationError:
    return ValidationError(_("You have signed up for “%(other)s” at the same time (%(span)s): cancel that sign-up "
                             "first, or choose another activity.")
                           % {"other": other.activity.name, "span": _span(other.activity)})


def signup_create(*, actor, activity: Activity, volunteer: Volunteer | None = None, at=None) -> Signup:
    """Sign up for an activity: the actor's own volunteer (None), or a volunteer the organiser signs up. A free
    place → signed up; none → on the waiting list (not a refusal: the first waiting moves up when a place frees).
    Refused in words: not registered, twice, an overlapping activity, cancelled, started. Nothing written then."""
    at = event_time(at)
    if volunteer is None:
        volunteer = _own_volunteer(actor)
    elif not permissions.is_own(actor, volunteer):
        require(permissions.is_organiser(actor, activity), _("You may sign up yourself; an activity's organisers "
                                                             "sign up others."))
    with transaction.atomic():
        # The lock that decides who gets the last place: the activity's row (PostgreSQL) or the IMMEDIATE
        # transaction's write lock (SQLite). What is counted below cannot move until the commit.
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        if activity.is_cancelled:
            raise ValidationError(_("“%(activity)s” was cancelled.") % {"activity": activity.name})
        if not activity.is_published:
            raise ValidationError(_("“%(activity)s” is not published yet.") % {"activity": activity.name})
        if at >= activity.starts_at:
            raise ValidationError(_("“%(activity)s” has already started: sign-up is closed. At the activity, the "
                                    "organiser can add you on the spot.") % {"activity": activity.name})
        signup = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
        if signup is not None and signup.state in ACTIVE:
            raise ValidationError(_("You have already signed up for this activity (%(state)s): see “My volunteer "
                                    "service”.") % {"state": signup.get_state_display()})
        if other := _overlapping(volunteer, activity):
            raise _overlap_refusal(other)
        taken = Signup.objects.filter(activity=activity, state__in=HOLDS_PLACE).count()
        full = activity.capacity is not None and taken >= activity.capacity
        state = SignupState.WAITING if full else SignupState.SIGNED_UP
        if signup is None:
            signup = Signup(activity=activity, volunteer=volunteer)
        signup.state, signup.signed_up_at, signup.is_walk_in = state, at, False
        signup.checked_in_at = signup.checked_out_at = None
        signup.save()
        event_append(actor=actor, verb="signup_create", subject=signup, at=at,
                     data={"activity": activity.pk, "volunteer": volunteer.pk, "state": state})
    signup.activity = activity
    return signup


def signup_cancel(*, actor, signup: Signup, at=None) -> Signup:
    """Cancel a sign-up (the volunteer, or the organiser): a place it held goes to the first waiting."""
    at = event_time(at)
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=signup.activity_id)
        signup = Signup.objects.select_for_update(of=("self",)).select_related("volunteer__person").get(pk=signup.pk)
        require(permissions.is_own(actor, signup.volunteer) or permissions.is_organiser(actor, activity),
                _("You may cancel your own sign-ups; an activity's organisers cancel others'."))
        if signup.state == SignupState.CANCELLED:
            raise VolunteeringConflict(_("This sign-up was already cancelled."))
        if signup.checked_in_at is not None:
            raise ValidationError(_("Already checked in: a sign-up can no longer be cancelled."))
        held = signup.state in HOLDS_PLACE
        signup.state = SignupState.CANCELLED
        signup.save(update_fields=["state"])
        event_append(actor=actor, verb="signup_cancel", subject=signup, at=at,
                     data={"activity": activity.pk, "volunteer": signup.volunteer_id})
        if held:
            _promote(activity, at)
    signup.activity = activity
    return signup


# --- Check-in and check-out ---

def checkin_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    """From VOLUNTEER_CHECKIN_EARLY_MINUTES before the start to the end."""
    return activity.starts_at - datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_EARLY_MINUTES), activity.ends_at


def checkin(*, actor, activity: Activity, code: str | None = None, volunteer: Volunteer | None = None,
            walk_in: bool = False, at=None) -> Signup:
    """Check in: by the activity's QR code (`code`, the volunteer themself) or ticked by the organiser
    (`volunteer`); within the window. Someone not signed up (or only waiting) is refused, unless the organiser
    adds them on the spot (`walk_in=True`: a sign-up marked is_walk_in). Checking in again changes nothing."""
    at = event_time(at)
    if volunteer is None:
        if code is None:
            raise ValidationError({"code": _("Scan the activity's check-in QR code.")})
        volunteer = _own_volunteer(actor)
        if not isinstance(code, str) or not hmac.compare_digest(code.encode(), activity.checkin_code.encode()):
            raise ValidationError({"code": _("This check-in code is not the activity's: scan the QR code shown at "
                                             "the activity.")})
        ticked = False
    else:
        require(permissions.is_organiser(actor, activity), _("Only the activity's organisers tick the list; scan the "
                                                             "QR code to check in yourself."))
        ticked = True
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        if activity.is_cancelled:
            raise ValidationError(_("“%(activity)s” was cancelled.") % {"activity": activity.name})
        opens, closes = checkin_window(activity)
        if not opens <= at <= closes:
            raise ValidationError(_("Check-in for “%(activity)s” is open from %(opens)s to %(closes)s.")
                                  % {"activity": activity.name, "opens": local_moment(opens),
                                     "closes": local_moment(closes)})
        signup = Signup.objects.select_for_update(of=("self",)).filter(activity=activity, volunteer=volunteer).first()
        if signup is not None and signup.state == SignupState.SIGNED_UP and signup.checked_in_at is not None:
            signup.activity = activity
            return signup  # scanned twice: already in
        if signup is None or signup.state != SignupState.SIGNED_UP:
            if not ticked:
                waiting = signup is not None and signup.state == SignupState.WAITING
                raise ValidationError(
                    _("You are on the waiting list of this activity: ask the organiser to add you on the spot.")
                    if waiting else _("You have not signed up for this activity: ask the organiser to add you on "
                                      "the spot."))
            if not walk_in:
                raise ValidationError({"volunteer": _("This volunteer has not signed up (or is only waiting): to add "
                                                      "them on the spot, check them in as a walk-in.")})
            if other := _overlapping(volunteer, activity, checked_in_only=True):
                raise ValidationError(_("This volunteer is checked in at “%(other)s” at the same time (%(span)s): "
                                        "check them out there first.")
                                      % {"other": other.activity.name, "span": _span(other.activity)})
            signup = signup or Signup(activity=activity, volunteer=volunteer, signed_up_at=at)
            signup.state, signup.is_walk_in, signup.checked_out_at = SignupState.SIGNED_UP, True, None
            if signup.pk is not None:
                signup.signed_up_at = at
        signup.checked_in_at = at
        signup.save()
        event_append(actor=actor, verb="checkin", subject=signup, at=at,
                     data={"activity": activity.pk, "volunteer": volunteer.pk,
                           "by": "organiser" if ticked else "code", "walk_in": signup.is_walk_in})
    signup.activity = activity
    return signup


def checkout(*, actor, signup: Signup, at=None) -> Signup:
    """Check out (the volunteer, or the organiser for them): the end of the service time the hours come from."""
    at = event_time(at)
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=signup.activity_id)
        signup = Signup.objects.select_for_update(of=("self",)).select_related("volunteer__person").get(pk=signup.pk)
        require(permissions.is_own(actor, signup.volunteer) or permissions.is_organiser(actor, activity),
                _("You may check yourself out; an activity's organisers check out others."))
        if signup.checked_in_at is None or signup.state != SignupState.SIGNED_UP:
            raise ValidationError(_("Not checked in: check in first."))
        if signup.checked_out_at is not None:
            raise VolunteeringConflict(_("Already checked out at %(at)s.")
                                       % {"at": local_moment(signup.checked_out_at)})
        if ServiceHours.objects.filter(activity=activity, volunteer=signup.volunteer).exists():
            raise VolunteeringConflict(_("The hours of this activity were already proposed: ask the organiser to "
                                         "correct them."))
        signup.checked_out_at = max(at, signup.checked_in_at)
        signup.save(update_fields=["checked_out_at"])
        event_append(actor=actor, verb="checkout", subject=signup, at=at,
                     data={"activity": activity.pk, "volunteer": signup.volunteer_id})
    signup.activity = activity
    return signup


# --- Service hours ---

def _content(activity: Activity) -> str:
    return f"{activity.name}（{activity.place.name}）"[:200]


def hours_propose(*, activity: Activity, at=None, actor=None) -> list[ServiceHours]:
    """Propose the hours of everyone checked in, once the activity has ended: from check-in (at the earliest the
    start) to check-out (at the latest the end; the end when they did not check out), capped at the duration.
    The system (tasks.hours_propose_sweep) or an organiser; an entry already there is left as it is."""
    at = event_time(at)
    if actor is None:
        actor = system_user()
    else:
        require(permissions.is_organiser(actor, activity), _not_organiser())
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).select_related("place").get(pk=activity.pk)
        if activity.is_cancelled:
            raise ValidationError(_("“%(activity)s” was cancelled.") % {"activity": activity.name})
        if at < activity.ends_at:
            raise ValidationError(_("Hours are proposed once the activity has ended (%(end)s).")
                                  % {"end": local_moment(activity.ends_at)})
        done = set(ServiceHours.objects.filter(activity=activity).values_list("volunteer_id", flat=True))
        limit = duration_hours(activity)
        made = []
        signups = Signup.objects.filter(activity=activity, state=SignupState.SIGNED_UP,
                                        checked_in_at__isnull=False).exclude(volunteer__in=done).order_by("id")
        for signup in signups:
            start = max(signup.checked_in_at, activity.starts_at)
            end = min(signup.checked_out_at or activity.ends_at, activity.ends_at)
            hours = (Decimal((end - start).total_seconds()) / 3600).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
            hours = min(hours, limit)
            if hours <= 0:
                continue  # checked in and out before it started: no service time
            entry = ServiceHours.objects.create(volunteer_id=signup.volunteer_id, activity=activity, hours=hours,
                                                content=_content(activity), state=HoursState.PROPOSED)
            event_append(actor=actor, verb="hours_propose", subject=entry, at=at,
                         data={"activity": activity.pk, "volunteer": signup.volunteer_id, "hours": str(hours)})
            made.append(entry)
    return made


def _entries(entries_or_activity) -> tuple[Activity | None, list[int]]:
    if isinstance(entries_or_activity, Activity):
        return entries_or_activity, []
    if isinstance(entries_or_activity, ServiceHours):
        return None, [entries_or_activity.pk]
    try:
        entries = list(entries_or_activity)
    except TypeError:
        entries = None
    if not entries or not all(isinstance(e, ServiceHours) for e in entries):
        raise ValidationError({"entries": _("Choose the entries of hours to certify.")})
    return None, [e.pk for e in entries]


def hours_certify(*, actor, entries_or_activity, hours=None, at=None) -> list[ServiceHours]:
    """Certify hours as the organiser: an activity's proposed entries, or the entries given (proposed, or queried
    and confirmed as they are); `hours` certifies that many instead of what was proposed (at most the activity's
    duration). Only the activity's organisers; nothing is written when one entry is refused."""
    at = event_time(at)
    activity, pks = _entries(entries_or_activity)
    if hours is not None:
        hours = _hours(hours)
    with transaction.atomic():
        if activity is not None:
            entries = ServiceHours.objects.select_for_update(of=("self",)).filter(activity=activity,
                                                                                  state=HoursState.PROPOSED)
        else:
            entries = ServiceHours.objects.select_for_update(of=("self",)).filter(pk__in=pks)
        entries = list(entries.select_related("activity__place", "activity__team", "activity__organisation")
                       .order_by("id"))
        for entry in entries:
            require(permissions.is_organiser(actor, entry.activity),
                    _("Only the organisers of “%(activity)s” certify its hours (谁组织谁记录、谁记录谁证明).")
                    % {"activity": entry.activity.name})
        if activity is not None:
            require(permissions.is_organiser(actor, activity),
                    _("Only the organisers of “%(activity)s” certify its hours (谁组织谁记录、谁记录谁证明).")
                    % {"activity": activity.name})
        if not entries:
            raise ValidationError(_("No hours wait to be certified: they are proposed after the activity, from the "
                                    "check-ins."))
        for entry in entries:
            if entry.state == HoursState.CERTIFIED:
                raise VolunteeringConflict(_("These hours were already certified: correct them instead, with the "
                                             "reason."))
            if hours is not None:
                _over_duration(entry.activity, hours)
        for entry in entries:
            proposed, after_query = entry.hours, entry.state == HoursState.QUERIED
            if hours is not None:
                entry.hours = hours
            entry.state = HoursState.CERTIFIED
            entry.certified_by = actor
            entry.certified_at = entry.certified_at or at
            entry.save(update_fields=["hours", "state", "certified_by", "certified_at"])
            data = {"activity": entry.activity_id, "volunteer": entry.volunteer_id, "hours": str(entry.hours),
                    "proposed": str(proposed)}
            if after_query:
                data["after_query"] = True
            event_append(actor=actor, verb="hours_certify", subject=entry, at=at, data=data)
    return entries


def hours_correct(*, actor, entry: ServiceHours, hours, reason: str, at=None) -> ServiceHours:
    """Correct certified (or queried) hours: the old value stays in a HoursCorrection with the reason and who, and
    in the event; a queried entry is certified again. Only the activity's organisers."""
    at = event_time(at)
    hours = _hours(hours)
    reason = _text(reason, "reason", limit=300, required=True,
                   message=_("Say why the hours are corrected: the volunteer reads it."))
    with transaction.atomic():
        entry = ServiceHours.objects.select_for_update(of=("self",)).select_related("activity__place").get(pk=entry.pk)
        require(permissions.is_organiser(actor, entry.activity),
                _("Only the organisers of “%(activity)s” correct its hours (谁组织谁记录、谁记录谁证明).")
                % {"activity": entry.activity.name})
        if entry.state == HoursState.PROPOSED:
            raise ValidationError(_("These hours are not certified yet: certify them with the right number."))
        _over_duration(entry.activity, hours)
        if hours == entry.hours and entry.state == HoursState.CERTIFIED:
            raise ValidationError({"hours": _("These are already the certified hours.")})
        old = entry.hours
        correction = HoursCorrection.objects.create(entry=entry, old_hours=old, new_hours=hours, reason=reason,
                                                    changed_by=actor, changed_at=at)
        entry.hours, entry.state = hours, HoursState.CERTIFIED
        entry.save(update_fields=["hours", "state"])
        event_append(actor=actor, verb="hours_correct", subject=entry, at=at,
                     data={"correction": correction.pk, "activity": entry.activity_id,
                           "volunteer": entry.volunteer_id, "old": str(old), "new": str(hours), "reason": reason})
    return entry


def query_deadline(entry: ServiceHours) -> datetime.datetime | None:
    if entry.certified_at is None:
        return None
    return entry.certified_at + datetime.timedelta(days=settings.VOLUNTEER_QUERY_DAYS)


def hours_query(*, actor, entry: ServiceHours, reason: str, at=None) -> ServiceHours:
    """The volunteer queries certified hours, within VOLUNTEER_QUERY_DAYS of the certification; the organiser
    then corrects them (hours_correct) or confirms them (hours_certify)."""
    at = event_time(at)
    reason = _text(reason, "reason", limit=300, required=True,
                   message=_("Say what is wrong with these hours: the organiser reads it."))
    with transaction.atomic():
        entry = ServiceHours.objects.select_for_update(of=("self",)).select_related(
            "volunteer__person", "activity").get(pk=entry.pk)
        require(permissions.is_own(actor, entry.volunteer), _("Only the volunteer queries their own hours."))
        if entry.state == HoursState.QUERIED:
            raise VolunteeringConflict(_("You already queried these hours: the organiser answers."))
        if entry.state != HoursState.CERTIFIED:
            raise ValidationError(_("These hours are not certified yet: they can be queried once certified."))
        deadline = query_deadline(entry)
        if at > deadline:
            raise ValidationError(_("These hours were certified on %(on)s: they could be queried for %(days)d days, "
                                    "until %(until)s. Ask the organiser if something is wrong.")
                                  % {"on": f"{timezone.localtime(entry.certified_at):%Y-%m-%d}",
                                     "days": settings.VOLUNTEER_QUERY_DAYS,
                                     "until": f"{timezone.localtime(deadline):%Y-%m-%d}"})
        entry.state, entry.query_reason = HoursState.QUERIED, reason
        entry.save(update_fields=["state", "query_reason"])
        event_append(actor=actor, verb="hours_query", subject=entry, at=at,
                     data={"activity": entry.activity_id, "volunteer": entry.volunteer_id})
    return entry


# --- The record ---

@transaction.atomic
def record_entry_add(*, actor, volunteer: Volunteer, kind: str, title: str, on: datetime.date, hours=None,
                     by: Organisation | None = None) -> RecordEntry:
    """Training, a commendation or an evaluation on a volunteer's record: staff of their area, the admins of the
    unit that gave it (`by`), the leaders of their team."""
    require(permissions.may_keep_record(actor, volunteer, by), _("You may keep the records of the volunteers of "
                                                                 "your area, team or unit."))
    if kind not in RecordEntryKind.values:
        raise ValidationError({"kind": _("Choose training, a commendation or an evaluation.")})
    title = _text(title, "title", limit=200, required=True, message=_("Say what it was."))
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise ValidationError({"on": _("Give the date.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is not in the future.")})
    if hours is not None:
        if kind != RecordEntryKind.TRAINING:
            raise ValidationError({"hours": _("Only training has hours.")})
        hours = _hours(hours).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if hours > 1000:
            raise ValidationError({"hours": _("At most 1,000 hours of training in one entry.")})
    if by is not None and not isinstance(by, Organisation):
        raise ValidationError({"by": _("Choose the unit.")})
    entry = validated(RecordEntry(volunteer=volunteer, kind=kind, title=title, on=on, hours=hours, by=by,
                                  recorded_by=actor))
    entry.save()
    event_append(actor=actor, verb="record_entry_add", subject=entry,
                 data={"volunteer": volunteer.pk, "kind": kind, "on": on.isoformat(),
                       "hours": None if hours is None else str(hours), "by": by.pk if by else None})
    return entry


# --- Certificates ---

def number_check(body: str) -> str:
    """The check part of a certificate number: the first 4 characters (base32) of an HMAC of the rest with the
    SECRET_KEY, so a number made up or altered is not found."""
    digest = hmac.new(settings.SECRET_KEY.encode(), body.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:4]


def _certificate_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = Certificate.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    serial = int(last[len(prefix):len(prefix) + 6]) + 1 if last else 1
    body = f"{prefix}{serial:06d}"
    return f"{body}-{number_check(body)}"


def certified_entries(volunteer: Volunteer, first_day: datetime.date, last_day: datetime.date):
    """The volunteer's certified hours of activities that started on those days (local time)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, zone)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, zone)
    return ServiceHours.objects.filter(volunteer=volunteer, state=HoursState.CERTIFIED,
                                       activity__starts_at__gte=start, activity__starts_at__lt=end)


def service_content(entries) -> str:
    """What the hours were for: each activity's title (and place) with the times and hours, the most first."""
    totals: dict[str, list] = {}
    for entry in entries:
        line = totals.setdefault(entry.content, [0, Decimal(0)])
        line[0] += 1
        line[1] += entry.hours
    lines = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))
    return "；".join(_("%(content)s %(times)d times, %(hours)s hours") % {
        "content": content, "times": times, "hours": hours.normalize() if hours == hours.to_integral() else hours}
        for content, (times, hours) in lines)


def certificate_issue(*, actor, volunteer: Volunteer, first_day: datetime.date, last_day: datetime.date,
                      issuer: Organisation, person_in_charge: str, contact: str, with_id_card: bool = False,
                      at=None) -> Certificate:
    """A certificate of volunteer service (志愿服务记录证明) for a period: the volunteer for their own record, or staff
    who may open it. Hours and content from the certified entries of the period; kept as issued. Its number
    carries a check part (number_check), so that a forged or altered number is not found."""
    at = event_time(at)
    volunteer = Volunteer.objects.select_related("person").get(pk=volunteer.pk)
    if not permissions.may_issue_certificate(actor, volunteer):
        raise PermissionDenied(_("You may ask for a certificate of your own record only; a certificate for someone "
                                 "else is issued by the staff of their community."))
    for name, day in (("first_day", first_day), ("last_day", last_day)):
        if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
            raise ValidationError({name: _("Give the date.")})
    if last_day < first_day:
        raise ValidationError({"last_day": _("The last day is on or after the first day.")})
    if last_day > timezone.localtime(at).date():
        raise ValidationError({"last_day": _("A certificate states service already done: the last day is today at "
                                             "the latest.")})
    if not isinstance(issuer, Organisation):
        raise ValidationError({"issuer": _("Choose the issuing organisation.")})
    person_in_charge = _text(person_in_charge, "person_in_charge", limit=50, required=True,
                             message=_("Give the issuing organisation's person in charge."))
    contact = _text(contact, "contact", limit=30, required=True, message=_("Give a contact telephone."))
    if with_id_card and not volunteer.id_card_number:
        raise ValidationError({"with_id_card": _("No ID card number is on record: add it to the volunteer's details "
                                                 "first, or issue without it.")})
    entries = list(certified_entries(volunteer, first_day, last_day).order_by("activity__starts_at", "id"))
    if not entries:
        raise ValidationError(_("No certified hours from %(first)s to %(last)s: a certificate states certified "
                                "service only.") % {"first": first_day.isoformat(), "last": last_day.isoformat()})
    hours = sum((e.hours for e in entries), Decimal(0))
    content = service_content(entries)
    year = timezone.localtime(at).year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    number=_certificate_number(year), volunteer=volunteer, first_day=first_day, last_day=last_day,
                    hours=hours, content=content, with_id_card=bool(with_id_card), issuer=issuer,
                    person_in_charge=person_in_charge, handled_by=actor, contact=contact, issued_at=at)
                event_append(actor=actor, verb="certificate_issue", subject=certificate, at=at,
                             data={"number": certificate.number, "volunteer": volunteer.pk,
                                   "first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                                   "hours": str(hours), "issuer": issuer.pk, "with_id_card": bool(with_id_card),
                                   "entries": [e.pk for e in entries]})
                return certificate
        except IntegrityError:
            continue  # two certificates took the same serial at once: take the next
    raise ValidationError(_("The certificate number could not be made: try again."))


__all__ = ["VolunteeringConflict", "activity_create", "activity_update", "activities_repeat", "activity_cancel",
           "volunteer_register", "volunteer_update", "signup_create", "signup_cancel", "checkin", "checkout",
           "checkin_window", "hours_propose", "hours_certify", "hours_correct", "hours_query", "query_deadline",
           "record_entry_add", "certificate_issue", "number_check", "duration_hours", "certified_entries",
           "service_content"]
