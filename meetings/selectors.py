"""What the meetings pages, the home page and the API read: the bodies and meetings one may open, a body's members
on a day, what awaits a member (meetings to come, votes to cast), and the public view of a meeting — one
definition (`meeting_public`) for the public page and the API: members by what they represent and their unit or
a masked name, published text through people.public.public_text, no phone.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from meetings import permissions
from meetings.models import (
    Attendance,
    Body,
    Meeting,
    MeetingState,
    Member,
    Minutes,
    MinutesState,
    Presence,
    Resolution,
    ResolutionState,
    Vote,
    VoteMode,
)
from meetings.progress import progress_for
from needs import workflow as needs_workflow
from needs.public import list_views
from people.masking import mask_name
from people.models import Person
from people.public import named_in, public_text
from places.selectors import within

UPCOMING_SINCE = datetime.timedelta(hours=3)  # a meeting that began this long ago is still "now" on the home page
UPCOMING_SHOWN = 10


def bodies_for(user, *, place=None, kind: str = "") -> QuerySet:
    """The bodies the user reads in full (manages or sits on), inside `place` (a Place or code) and of a kind."""
    qs = Body.objects.filter(permissions.bodies_visible_q(user)).select_related("place")
    if place:
        qs = qs.filter(within(place, "place"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("place__code", "kind", "name")


def meetings_for(user, *, body=None, state: str = "", year: int | None = None, text: str = "") -> QuerySet:
    """The meetings the user reads in full, newest first."""
    qs = Meeting.objects.filter(permissions.meetings_visible_q(user)).select_related("body__place")
    if body is not None:
        qs = qs.filter(body=body)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(starts_at__year=year)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(body__name__icontains=text))
    return qs.order_by("-starts_at", "-id")


def members_of(body, *, on: datetime.date | None = None) -> QuerySet:
    """The body's members current on the day (default today), longest-serving first."""
    return (Member.objects.filter(permissions.current_q(on or timezone.localdate()), body=body)
            .select_related("person", "organisation", "seat").order_by("since", "pk"))


def member_label(member: Member, *, public: bool = False) -> str:
    """What the member is called: "represents · unit" or "represents · 张三" (the name masked, 张*, for the
    public); a unit is named in full."""
    if member.organisation_id:
        who = member.organisation.name
    else:
        who = mask_name(member.person.name) if public else member.person.name
    return f"{member.represents} · {who}" if member.represents else who


def upcoming_for(user, *, now=None) -> dict:
    """For a member's home: the meetings to come they are invited to, and the motions awaiting their vote."""
    if not getattr(user, "is_authenticated", False):
        return {"meetings": [], "votes": []}
    now = now or timezone.now()
    seats = Member.objects.filter(permissions.who_q(user))
    meetings = list(Meeting.objects.filter(state=MeetingState.SCHEDULED, starts_at__gte=now - UPCOMING_SINCE,
                                           attendances__member__in=seats)
                    .select_related("body").distinct().order_by("starts_at", "pk")[:UPCOMING_SHOWN])
    present = Attendance.objects.filter(meeting=OuterRef("meeting"), member__in=seats, presence=Presence.PRESENT)
    voted = Vote.objects.filter(resolution=OuterRef("pk"), member__in=seats)
    votes = list(Resolution.objects.filter(Exists(present), ~Exists(voted), state=ResolutionState.PROPOSED,
                                           vote_mode=VoteMode.MEMBERS, meeting__state=MeetingState.HELD)
                 .select_related("meeting__body").order_by("meeting__starts_at", "number")[:UPCOMING_SHOWN])
    return {"meetings": meetings, "votes": votes}


def public_q() -> Q:
    """Meetings the public reads: public, held, with published minutes."""
    published = Minutes.objects.filter(meeting=OuterRef("pk"), state=MinutesState.PUBLISHED)
    return Q(Exists(published), is_public=True, state=MeetingState.HELD)


def public_meetings(*, place=None, year: int | None = None, kind: str = "") -> QuerySet:
    """Meetings the public reads (public_q); their body's place inside `place` (a Place or a code), in a year, of a
    kind of body."""
    qs = Meeting.objects.filter(public_q())
    if place:
        qs = qs.filter(within(place, "body__place"))
    if year:
        qs = qs.filter(starts_at__year=year)
    if kind:
        qs = qs.filter(body__kind=kind)
    return qs.select_related("body__place").order_by("-starts_at", "-id")


def _names(meeting: Meeting, members: list[Member]) -> set[str]:
    """The names a meeting's published text is checked against: its members', past and present, and those of the
    people living in the body's area whom its texts name (a guest, a resident the minutes speak of)."""
    texts = [meeting.title, meeting.location, meeting.guests,
             *meeting.agenda_items.values_list("title", flat=True),
             *meeting.minutes.values_list("text", flat=True),
             *(t for pair in meeting.resolutions.values_list("title", "text") for t in pair)]
    residents = Person.objects.filter(within(meeting.body.place, "home"))
    return {m.person.name for m in members if m.person_id} | set(
        Member.objects.filter(body=meeting.body_id, person__isnull=False).values_list("person__name", flat=True)) | {
        name for (name,) in named_in(texts, residents, "name")}


def _public_needs(resolutions: list[Resolution]) -> dict[int, list[dict]]:
    """Each resolution's needs that the public may open, by their public title and page."""
    links = list(Resolution.needs.through.objects.filter(
        resolution_id__in=[r.pk for r in resolutions], need__is_public=True,
        need__state__in=needs_workflow.PUBLIC).select_related("need__place").order_by("need_id"))
    views = list_views([link.need for link in links], AnonymousUser())
    found = {r.pk: [] for r in resolutions}
    for link in links:
        found[link.resolution_id].append({"id": link.need_id, "title": views[link.need_id].title,
                                          "url": reverse("needs:detail", args=[link.need_id])})
    return found


def progress_data(progress) -> dict:
    """A resolution's progress as data (the API, the public page): status, percent, counts and the items' ids."""
    return {"status": progress.status, "label": progress.label, "percent": progress.percent, "done": progress.done,
            "total": progress.total,
            "items": [{"kind": kind, "id": obj.pk, "done": done} for kind, obj, done in progress.items]}


def meeting_public(meeting: Meeting) -> dict:
    """What the public reads of a meeting (the public page and the API): no person's name in full, no phone."""
    attendances = list(meeting.attendances.select_related("member__person", "member__organisation")
                       .order_by("member__since", "member_id"))
    members = [a.member for a in attendances]
    names = _names(meeting, members)
    minutes = meeting.minutes.filter(state=MinutesState.PUBLISHED).order_by("-version").first()
    resolutions = list(meeting.resolutions.order_by("number"))
    progress = progress_for(resolutions)
    needs = _public_needs(resolutions)
    counts = {p: sum(1 for a in attendances if a.presence == p) for p in (Presence.PRESENT, Presence.ABSENT,
                                                                          Presence.EXCUSED)}
    return {
        "id": meeting.pk,
        "body": meeting.body.name,
        "body_kind": meeting.body.kind,
        "kind": meeting.body.get_kind_display(),
        "place": {"code": meeting.body.place.code, "name": meeting.body.place.name},
        "title": public_text(meeting.title, names),
        "starts_at": meeting.starts_at,
        "date": timezone.localtime(meeting.starts_at).date(),
        "location": public_text(meeting.location, names),
        "guests": public_text(meeting.guests, names),
        "agenda": [public_text(item.title, names) for item in meeting.agenda_items.order_by("order", "pk")],
        "attendance": {"present": counts[Presence.PRESENT], "absent": counts[Presence.ABSENT],
                       "excused": counts[Presence.EXCUSED], "members": len(attendances)},
        "members": [member_label(m, public=True) for m in members],
        "minutes": public_text(minutes.text, names) if minutes else "",
        "minutes_version": minutes.version if minutes else None,
        "attachments": [{"id": f.pk, "name": public_text(f.name, names),
                         "url": reverse("meetings:attachment", args=[f.pk])}
                        for f in (minutes.attachments.filter(is_public=True).order_by("pk") if minutes else [])],
        "resolutions": [{"id": r.pk, "number": r.number, "title": public_text(r.title, names),
                         "text": public_text(r.text, names), "state": r.state,
                         "state_label": r.get_state_display(), "votes_for": r.votes_for,
                         "votes_against": r.votes_against, "votes_abstain": r.votes_abstain,
                         "present": r.present_at_decision, "decided_at": r.decided_at,
                         "progress": progress_data(progress[r.pk]), "needs": needs[r.pk]}
                        for r in resolutions],
    }
