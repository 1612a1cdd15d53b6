"""Volunteer activities and the caller's own record in the API (/api/v1/activities, /api/v1/volunteers/me): the same
selectors and services as the pages.

The list and one activity are public (published activities; no person's name); an organiser who sends a token or
is signed in also reads their unpublished activities, the list of who signed up and the check-in code. Signing up
and checking in need a token. Errors: 403 an organiser's act by someone who is not one, 404 an activity one may
not read, 409 the record moved on, 422 field errors and refusals (the words say what is possible instead). A
sign-up over capacity is no refusal: 201 with state "waiting" and words that say so.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from core.api import Body, Detail, FieldErrors, Id, Offset, refused
from people import scopes
from people.api import caller
from people.masking import mask_name
from people.public import public_text
from places.api import CODE
from volunteering import permissions, selectors
from volunteering.models import Activity, ActivityKind, HoursState, SignupState, Volunteer
from volunteering.services import (
    VolunteeringConflict,
    checkin,
    checkin_window,
    checkout,
    duration_hours,
    hours_certify,
    signup_cancel,
    signup_create,
)

activities_router = Router(tags=["volunteering"])
volunteers_router = Router(tags=["volunteering"])
SIGNUPS_SHOWN = 500  # an organiser's list in an activity's detail



class PlaceOut(Schema):
    code: str
    name: str


class ActivityOut(Schema):
    """An activity as anyone reads it: no person's name (the organiser is a team or a unit)."""

    id: int
    kind: ActivityKind
    name: str
    description: str
    place: PlaceOut
    organiser: str = Field(description="the organising team and/or unit")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int | None = Field(description="null: no limit")
    signed_up: int
    waiting: int
    free: int | None = Field(description="places free now; 0: a sign-up joins the waiting list; null: no limit")
    series: int | None = Field(description="the first activity of a weekly series (each occurrence its own)")
    is_published: bool
    is_cancelled: bool


def _activity(activity) -> dict:
    """An activity as ActivityOut reads it (annotated by selectors.with_counts)."""
    return {"id": activity.pk, "kind": activity.kind, "name": activity.name,
            "description": public_text(activity.description),
            "place": {"code": activity.place.code, "name": activity.place.name},
            "organiser": " / ".join(o.name for o in (activity.team, activity.organisation) if o is not None),
            "starts_at": activity.starts_at, "ends_at": activity.ends_at, "capacity": activity.capacity,
            "signed_up": activity.signed_up, "waiting": activity.waiting, "free": selectors.free_places(activity),
            "series": activity.series_id, "is_published": activity.is_published,
            "is_cancelled": activity.is_cancelled}


class MySignupOut(Schema):
    id: int
    state: SignupState
    is_walk_in: bool
    signed_up_at: datetime.datetime
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None


class SignupListedOut(MySignupOut):
    volunteer: int
    volunteer_number: str
    name: str = Field(description="in full for staff who may read it, else masked")


class ActivityDetailOut(ActivityOut):
    checkin_opens: datetime.datetime
    checkin_closes: datetime.datetime
    duration_hours: Decimal = Field(description="the most hours an entry of it may certify")
    is_organiser: bool = Field(description="whether the caller organises it (ticks the list, certifies the hours)")
    my_signup: MySignupOut | None = Field(description="the caller's own sign-up, if any")
    checkin_code: str | None = Field(description="the secret of the check-in QR code: organisers only")
    signups: list[SignupListedOut] | None = Field(description=f"who signed up (at most {SIGNUPS_SHOWN}): "
                                                              "organisers only")


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]


class ActivityFilters(Schema):
    place: str | None = Field(None, pattern=CODE, description="a place's code: activities inside it, or at a place "
                                                              "that holds it")
    kind: ActivityKind | None = None
    q: str = Field("", max_length=50, description="words of the title, or its pinyin (qingjie, qj)")
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


def _visible(user, pk) -> Activity:
    activity = selectors.with_counts(selectors.activities_visible(user)).filter(pk=pk).first()
    if activity is None:
        raise Http404(f"找不到编号为 {pk} 的志愿活动 / No activity {pk} is visible to you")
    return activity


def _detail(user, activity: Activity) -> dict:
    organiser = permissions.is_organiser(user, activity)
    own = selectors.volunteer_of(user)
    opens, closes = checkin_window(activity)
    signups = None
    if organiser:
        signups = []
        for s in selectors.signups_of(activity)[:SIGNUPS_SHOWN]:
            person = s.volunteer.person
            full = scopes.can_view_full_personal_data(user, person)
            signups.append({"id": s.id, "state": s.state, "is_walk_in": s.is_walk_in, "signed_up_at": s.signed_up_at,
                            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at,
                            "volunteer": s.volunteer_id, "volunteer_number": s.volunteer.number,
                            "name": person.name if full else mask_name(person.name)})
    return {**_activity(activity), "checkin_opens": opens, "checkin_closes": closes,
            "duration_hours": duration_hours(activity), "is_organiser": organiser,
            "my_signup": selectors.signup_of(activity, own), "signups": signups,
            "checkin_code": activity.checkin_code if organiser else None}


@activities_router.get("", response={200: ActivityPage, 401: Detail}, auth=None,
                       summary="Upcoming volunteer activities (public): published, not ended, soonest first")
def activity_list(request, filters: Query[ActivityFilters]):
    caller(request)
    activities = selectors.with_counts(selectors.activities_upcoming(place=filters.place, kind=filters.kind or "",
                                                                     q=filters.q))
    return {"count": activities.count(),
            "items": [_activity(a) for a in activities[filters.offset:filters.offset + filters.limit]]}


@activities_router.get("/{int:activity_id}", response={200: ActivityDetailOut, 401: Detail, 404: Detail}, auth=None,
                       summary="One activity (public when published); organisers also read who signed up")
def activity_detail(request, activity_id: Id):
    user = caller(request)
    return _detail(user, _visible(user, activity_id))


class SignupIn(Body):
    """Sign up the caller's own volunteer (register first: the page 我的志愿服务)."""


class SignupOut(MySignupOut):
    activity: int
    message: str = Field(description="what happened, in words: signed up, or on the waiting list")


def _signup_out(signup) -> dict:
    message = ("名额已满，已加入候补名单：有人取消时按报名先后递补 / The activity is full: you are on the waiting "
               "list, and move up in turn when someone cancels" if signup.state == SignupState.WAITING
               else "报名成功 / Signed up")
    return {"id": signup.id, "activity": signup.activity_id, "state": signup.state, "is_walk_in": signup.is_walk_in,
            "signed_up_at": signup.signed_up_at, "checked_in_at": signup.checked_in_at,
            "checked_out_at": signup.checked_out_at, "message": message}


def _signup_answer(status: int, write, message: str = ""):
    """A sign-up written by a service (`write`), answered with its state; a refusal as the API says it: 409 for a
    conflict (full, overlapping, already out), 422 with the fields."""
    try:
        signup = write()
    except VolunteeringConflict as conflict:
        return Status(409, {"detail": conflict.message})
    except ValidationError as error:
        return refused(error)
    out = _signup_out(signup)
    if message:
        out["message"] = message
    return Status(status, out)


@activities_router.post("/{int:activity_id}/signups",
                        response={201: SignupOut, 404: Detail, 409: Detail, 422: FieldErrors},
                        summary="Sign up for an activity (yourself): a place, or the waiting list when it is full")
def activity_signup(request, activity_id: Id, payload: SignupIn | None = None):
    activity = _visible(request.user, activity_id)
    return _signup_answer(201, lambda: signup_create(actor=request.user, activity=activity))


class CheckinIn(Body):
    code: str | None = Field(None, max_length=64, description="the secret of the activity's QR code: you check "
                                                              "yourself in")
    volunteer: Id | None = Field(None, description="organisers: the volunteer to tick on the list")
    walk_in: bool = Field(False, description="organisers: add a volunteer who did not sign up, on the spot")


@activities_router.post("/{int:activity_id}/checkin",
                        response={200: SignupOut, 403: Detail, 404: Detail, 409: Detail, 422: FieldErrors},
                        summary="Check in: by the QR code's secret (yourself), or by the organiser for a volunteer")
def activity_checkin(request, activity_id: Id, payload: CheckinIn):
    activity = _visible(request.user, activity_id)
    if (payload.code is None) == (payload.volunteer is None):
        return refused(ValidationError({"code": "请扫描签到二维码，或由组织者选择志愿者（二者取一）/ Give the QR "
                                                 "code's secret, or (organisers) the volunteer: one of them"}))
    volunteer = None
    if payload.volunteer is not None:
        if not permissions.is_organiser(request.user, activity):
            return Status(403, {"detail": "只有活动组织者可以为他人签到 / Only the activity's organisers check "
                                          "others in"})
        volunteer = Volunteer.objects.filter(pk=payload.volunteer).first()
        if volunteer is None:
            return refused(ValidationError({"volunteer": "找不到该志愿者 / No such volunteer"}))
    elif payload.walk_in:
        return refused(ValidationError({"walk_in": "现场加入由组织者选择志愿者 / A walk-in is added by the organiser, "
                                                    "with the volunteer"}))
    return _signup_answer(200, lambda: checkin(actor=request.user, activity=activity, code=payload.code,
                                               volunteer=volunteer, walk_in=payload.walk_in), "签到成功 / Checked in")


class CheckoutIn(Body):
    volunteer: Id | None = Field(None, description="organisers: the volunteer to check out; leave out for yourself")


@activities_router.post("/{int:activity_id}/checkout",
                        response={200: SignupOut, 403: Detail, 404: Detail, 409: Detail, 422: FieldErrors},
                        summary="Check out (yourself, or the organiser for a volunteer): the end of the hours served")
def activity_checkout(request, activity_id: Id, payload: CheckoutIn | None = None):
    activity = _visible(request.user, activity_id)
    volunteer = payload.volunteer if payload else None
    if volunteer is not None and not permissions.is_organiser(request.user, activity):
        return Status(403, {"detail": "只有活动组织者可以为他人签退 / Only the activity's organisers check others out"})
    signup = selectors.signup_of(activity, Volunteer.objects.filter(pk=volunteer).first() if volunteer is not None
                                 else selectors.volunteer_of(request.user))
    if signup is None:
        raise Http404("没有此报名 / No such sign-up")
    return _signup_answer(200, lambda: checkout(actor=request.user, signup=signup), "签退成功 / Checked out")


class CertificateOut(Schema):
    number: str
    first_day: datetime.date
    last_day: datetime.date
    hours: Decimal
    issuer: str
    issued_at: datetime.datetime

    @staticmethod
    def resolve_issuer(certificate):
        return certificate.issuer.name


class HoursOut(Schema):
    id: int
    activity: int
    activity_name: str
    starts_at: datetime.datetime
    hours: Decimal
    state: HoursState
    certified_at: datetime.datetime | None


def _entry(entry) -> dict:
    return {"id": entry.pk, "activity": entry.activity_id, "activity_name": entry.activity.name,
            "starts_at": entry.activity.starts_at, "hours": entry.hours, "state": entry.state,
            "certified_at": entry.certified_at}


class VolunteerMeOut(Schema):
    number: str
    registered_on: datetime.date
    name_public: bool
    hours: Decimal = Field(description="certified hours in all")
    star_level: int = Field(description="0–5, from the thresholds VOLUNTEER_STAR_HOURS")
    next_star_hours: int | None = Field(description="the certified hours of the next star level; null: the highest")
    entries: list[HoursOut] = Field(description="the entries of hours, latest first (proposed, certified, queried)")
    certificates: list[CertificateOut]


@volunteers_router.get("/me", response={200: VolunteerMeOut, 404: Detail},
                       summary="My volunteer record: number, certified hours, star level, certificates")
def volunteer_me(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404("您尚未登记为志愿者 / You are not registered as a volunteer")
    record = selectors.record_of(volunteer)
    entries = [_entry(e) for e in reversed(record["services"])]
    return {"number": volunteer.number, "registered_on": volunteer.registered_on,
            "name_public": volunteer.name_public, "hours": record["hours"], "star_level": record["star_level"],
            "next_star_hours": selectors.next_star(record["hours"]), "entries": entries,
            "certificates": record["certificates"]}


class HoursPage(Schema):
    count: int
    items: list[HoursOut]


class HoursFilters(Schema):
    state: HoursState | None = None
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


def _own(request) -> Volunteer:
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404("您尚未登记为志愿者 / You are not registered as a volunteer")
    return volunteer


@volunteers_router.get("/me/hours", response={200: HoursPage, 404: Detail},
                       summary="My entries of hours, latest first (proposed, certified, queried)")
def volunteer_me_hours(request, filters: Query[HoursFilters]):
    entries = selectors.hours_entries_of(_own(request)).reverse()
    if filters.state:
        entries = entries.filter(state=filters.state)
    return {"count": entries.count(),
            "items": [_entry(e) for e in entries[filters.offset:filters.offset + filters.limit]]}


@activities_router.post("/{int:activity_id}/signups/cancel",
                        response={200: SignupOut, 404: Detail, 409: Detail, 422: FieldErrors},
                        summary="Cancel my sign-up: a place it held goes to the first on the waiting list")
def activity_signup_cancel(request, activity_id: Id):
    activity = _visible(request.user, activity_id)
    signup = selectors.signup_of(activity, selectors.volunteer_of(request.user))
    if signup is None:
        raise Http404("您没有报名此活动 / You have not signed up for this activity")
    return _signup_answer(200, lambda: signup_cancel(actor=request.user, signup=signup),
                          "已取消报名 / Sign-up cancelled")


class EntryListedOut(HoursOut):
    volunteer: int
    volunteer_number: str
    name: str = Field(description="in full for staff who may read it, else masked")
    proposed: bool = Field(description="waits to be certified")


class EntryList(Schema):
    items: list[EntryListedOut]


def _organised(request, activity_id: int) -> Activity:
    """An activity the caller organises; to anyone else its hours are as missing (404)."""
    activity = _visible(request.user, activity_id)
    if not permissions.is_organiser(request.user, activity):
        raise Http404(f"找不到编号为 {activity_id} 的志愿活动的时长 / No hours of activity {activity_id} are "
                      "visible to you")
    return activity


def _entries_out(user, entries) -> dict:
    items = []
    for e in entries:
        person = e.volunteer.person
        items.append({**_entry(e), "volunteer": e.volunteer_id, "volunteer_number": e.volunteer.number,
                      "name": person.name if scopes.can_view_full_personal_data(user, person)
                      else mask_name(person.name), "proposed": e.state == HoursState.PROPOSED})
    return {"items": items}


@activities_router.get("/{int:activity_id}/hours", response={200: EntryList, 404: Detail},
                       summary="An activity's entries of hours, to check and certify (its organisers)")
def activity_hours(request, activity_id: Id):
    activity = _organised(request, activity_id)
    return _entries_out(request.user, selectors.hours_of(activity).select_related("activity"))


@activities_router.post("/{int:activity_id}/hours/certify",
                        response={200: EntryList, 404: Detail, 409: Detail, 422: FieldErrors},
                        summary="Certify every entry of hours proposed for the activity (its organisers: "
                                "谁组织谁记录、谁记录谁证明)")
def activity_hours_certify(request, activity_id: Id):
    activity = _organised(request, activity_id)
    try:
        hours_certify(actor=request.user, entries_or_activity=activity)
    except VolunteeringConflict as conflict:
        return Status(409, {"detail": conflict.message})
    except ValidationError as error:
        return refused(error)
    return Status(200, _entries_out(request.user, selectors.hours_of(activity).select_related("activity")))
