"""Meetings in the API (/api/v1/meetings): the list and one meeting with its resolutions and their progress, from the
same selectors as the pages (meetings.selectors.meeting_public is the one definition of what is read).

Public: meetings that are public, held and have published minutes. A caller who manages or sits on a body (a token,
or signed in) also reads its other meetings — still as the public view: members by what they represent and their
unit or a masked name, published text through people.public.public_text, no phone. A meeting one may not read
answers 404, as a missing one.
"""

import datetime

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema

from core.api import Detail, Id, Offset
from meetings import permissions, selectors
from meetings.models import Body, BodyKind, Meeting, MeetingState, Minutes, MinutesState, ResolutionState
from meetings.rules import rule_words
from people.api import caller
from people.models import Person
from people.public import named_in, public_text
from places.api import CODE
from places.selectors import within

router = Router(tags=["meetings"])


class PlaceOut(Schema):
    code: str
    name: str


class MeetingOut(Schema):
    id: int
    title: str
    body: str
    body_kind: BodyKind
    kind: str = Field(description="the kind of body, in words")
    place: PlaceOut = Field(description="the body's area")
    starts_at: datetime.datetime
    state: MeetingState
    minutes_published: bool


class MeetingPage(Schema):
    count: int
    items: list[MeetingOut]


class MeetingFilters(Schema):
    place: str | None = Field(None, pattern=CODE, description="a place's code: meetings of bodies inside it")
    year: int | None = Field(None, ge=1900, le=2999, description="the year the meeting was held")
    kind: BodyKind | None = Field(None, description="the kind of body")
    body: Id | None = Field(None, description="a body's id (GET /api/v1/meetings/bodies)")
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class ProgressItemOut(Schema):
    kind: str = Field(description="need or activity")
    id: int
    done: bool


class ProgressOut(Schema):
    status: str = Field(description="proposed / adopted / rejected / withdrawn / in_progress / done")
    label: str
    percent: int | None = Field(description="0–100 of what it created done; null while nothing measures it")
    done: int
    total: int
    items: list[ProgressItemOut]


class NeedLinkOut(Schema):
    id: int
    title: str
    url: str


class ResolutionOut(Schema):
    id: int
    number: int
    title: str
    text: str
    state: ResolutionState
    state_label: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    present: int | None = Field(description="members present when it was decided")
    decided_at: datetime.datetime | None
    progress: ProgressOut
    needs: list[NeedLinkOut] = Field(description="the needs it raised that the public may open")


class AttendanceOut(Schema):
    present: int
    absent: int
    excused: int
    members: int = Field(description="members invited (应到)")


class AttachmentOut(Schema):
    id: int
    name: str
    url: str


class MeetingDetailOut(Schema):
    id: int
    title: str
    body: str
    body_kind: BodyKind
    kind: str
    place: PlaceOut
    starts_at: datetime.datetime
    date: datetime.date
    location: str
    guests: str
    agenda: list[str]
    attendance: AttendanceOut
    members: list[str] = Field(description="“what they represent · their unit” or a masked name (张*)")
    minutes: str = Field(description="the published minutes, as the public reads them; empty if none")
    minutes_version: int | None
    attachments: list[AttachmentOut] = Field(description="the public files of the published minutes")
    resolutions: list[ResolutionOut]


def _readable(user):
    """The meetings the caller may open: the public ones, and those of bodies they manage or sit on."""
    visible = permissions.meetings_visible_q(user)
    # A superuser's filter is the empty Q, which an OR would drop: they read every meeting.
    return Meeting.objects.filter(selectors.public_q() | visible) if visible else Meeting.objects.all()


def _item(meeting, published: set[int], names: set[str]) -> dict:
    body = meeting.body
    return {"id": meeting.pk, "title": public_text(meeting.title, names), "body": body.name, "body_kind": body.kind,
            "kind": body.get_kind_display(), "place": {"code": body.place.code, "name": body.place.name},
            "starts_at": meeting.starts_at, "state": meeting.state, "minutes_published": meeting.pk in published}


@router.get("", response={200: MeetingPage, 401: Detail}, auth=None,
            summary="Meetings (public: held, with published minutes; members and managers also the rest), newest "
                    "first")
def meeting_list(request, filters: Query[MeetingFilters]):
    user = caller(request)
    meetings = _readable(user).select_related("body__place").order_by("-starts_at", "-id")
    if filters.place:
        meetings = meetings.filter(within(filters.place, "body__place"))
    if filters.year:
        meetings = meetings.filter(starts_at__year=filters.year)
    if filters.kind:
        meetings = meetings.filter(body__kind=filters.kind)
    if filters.body:
        meetings = meetings.filter(body_id=filters.body)
    page = list(meetings[filters.offset:filters.offset + filters.limit])
    published = set(Minutes.objects.filter(meeting__in=[m.pk for m in page], state=MinutesState.PUBLISHED)
                    .values_list("meeting_id", flat=True))
    # The names the titles hold of people on record (a member, a resident the meeting is about) are masked.
    names = {name for (name,) in named_in([m.title for m in page], Person.objects.all(), "name")}
    return {"count": meetings.count(), "items": [_item(m, published, names) for m in page]}


@router.get("/{int:meeting_id}", response={200: MeetingDetailOut, 401: Detail, 404: Detail}, auth=None,
            summary="One meeting: agenda, attendance counts, members by affiliation, published minutes, resolutions "
                    "with their progress")
def meeting_detail(request, meeting_id: Id):
    user = caller(request)
    meeting = _readable(user).filter(pk=meeting_id).select_related("body__place").first()
    if meeting is None:
        raise Http404(f"找不到编号为 {meeting_id} 的会议 / No meeting {meeting_id} is visible to you")
    return selectors.meeting_public(meeting)


class BodyOut(Schema):
    id: int
    name: str
    kind: BodyKind
    kind_label: str = Field(description="the kind of body, in words")
    place: PlaceOut = Field(description="the body's area")
    description: str = Field(description="as the public reads it")
    rules: str = Field(description="its quorum and passing rules, in words")


class BodyPage(Schema):
    count: int
    items: list[BodyOut]


class BodyFilters(Schema):
    place: str | None = Field(None, pattern=CODE, description="a place's code: bodies inside it")
    kind: BodyKind | None = None
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


@router.get("/bodies", response={200: BodyPage, 401: Detail}, auth=None,
            summary="The bodies that meet (public: those with a meeting the public may read; members and managers "
                    "also theirs)")
def body_list(request, filters: Query[BodyFilters]):
    user = caller(request)
    visible = permissions.bodies_visible_q(user)  # a superuser's: the empty Q, which an OR would drop (all bodies)
    bodies = Body.objects.filter(Q(meetings__in=_readable(user)) | visible).distinct() if visible else Body.objects
    if filters.place:
        bodies = bodies.filter(within(filters.place, "place"))
    if filters.kind:
        bodies = bodies.filter(kind=filters.kind)
    bodies = bodies.select_related("place").order_by("place__code", "kind", "name", "id")
    page = list(bodies[filters.offset:filters.offset + filters.limit])
    names = {name for (name,) in named_in([b.description for b in page], Person.objects.all(), "name")}
    return {"count": bodies.count(),
            "items": [{"id": b.pk, "name": b.name, "kind": b.kind, "kind_label": b.get_kind_display(),
                       "place": {"code": b.place.code, "name": b.place.name},
                       "description": public_text(b.description, names), "rules": rule_words(b)} for b in page]}
