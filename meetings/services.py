"""Every write to meetings: bodies and their members (a 社工委's from the community's committee seats, kept in step by
people's `committee_seat_added` signal), meetings with agenda, invitations and attendance, minutes in versions,
attachments, resolutions and their votes, and what a resolution creates (needs with channel 居民议事会 / 党建联席会,
activities) or that it was carried out.

Each service checks who may (meetings.permissions) → PermissionDenied, what is asked → ValidationError in words
that say what is possible instead, then writes and appends its event (keys and numbers only, never a name or a
text typed) in one transaction. A meeting's, minutes' or resolution's state moves only through `_transition`, by
the tables of meetings.workflow. Approved minutes are never edited: a new version with a reason supersedes them
when it is approved. Two votes for one member at once: the resolution's row lock, and behind it the unique
constraint, leave exactly one.
"""

import datetime
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import local_moment
from core.events import event_append, event_time, verbs_declare
from core.notify import notify
from core.photos import photo_prepare
from core.services import require, validated
from meetings import permissions, rules, workflow
from meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    BodyKind,
    Meeting,
    MeetingState,
    Member,
    Minutes,
    MinutesState,
    PassBase,
    Presence,
    Resolution,
    ResolutionState,
    Vote,
    VoteChoice,
    VoteMode,
)
from needs.models import Channel, Need
from needs.services import need_submit
from people.models import CommitteeMember, Organisation, Person
from people.selectors import accounts_of, committee_of
from places.models import Place, PlaceKind, containing_codes
from volunteering.services import activity_create

verbs_declare({
    "body_create": "a body that meets set up (社工委, 居民议事会, 党建联席会), with its quorum and voting rules; a "
                   "社工委's members are the community's committee seats",
    "body_update": "a body's details or rules changed (the fields named)",
    "member_add": "a member joined a body (a person, a unit, or a committee seat)",
    "member_end": "a member's seat on a body ended",
    "meeting_schedule": "a meeting scheduled, its agenda set and every current member invited",
    "meeting_update": "a scheduled meeting's details changed (the fields named)",
    "agenda_item_add": "an item added to a meeting's agenda",
    "meeting_cancel": "a scheduled meeting cancelled, with the reason (the invitees told)",
    "attendance_record": "who came to a meeting recorded (member ids by present / absent / excused)",
    "meeting_hold": "a meeting marked held, its attendance recorded",
    "minutes_write": "a meeting's minutes written, or their draft edited",
    "minutes_revise": "a new version of approved minutes drafted, with the reason",
    "minutes_approve": "a version of the minutes approved (a previous one superseded)",
    "minutes_publish": "approved minutes published",
    "attachment_add": "a file attached to a draft of the minutes",
    "resolution_propose": "a motion put to a meeting",
    "vote_cast": "a member's vote on a motion recorded (by the member, or by staff for them)",
    "resolution_decide": "a motion decided: adopted or rejected by the body's rule, with the counts",
    "resolution_withdraw": "a motion withdrawn before it was decided",
    "resolution_need_create": "a need raised by a resolution (channel 居民议事会 / 党建联席会), linked both ways",
    "resolution_need_link": "an existing need linked to the resolution that raised it",
    "resolution_activity_create": "an activity put on by a resolution, linked both ways",
    "resolution_mark_done": "a resolution that created nothing marked carried out, with how",
})

BODY_FIELDS = ("name", "description", "founded_on", "quorum_numerator", "quorum_denominator", "quorum_strict",
               "pass_numerator", "pass_denominator", "pass_strict", "pass_base")
TEXT_FIELDS = ("name", "description")  # never in an event
RULE_DENOMINATOR_MAX = 100
AGENDA_MAX = 50
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
COUNCIL_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.COURTYARD,
                       PlaceKind.UNIT_SITE, PlaceKind.BUILDING, PlaceKind.ENTRANCE)
CHANNEL_OF = {BodyKind.COMMITTEE: Channel.COUNCIL, BodyKind.COUNCIL: Channel.COUNCIL,
              BodyKind.JOINT: Channel.JOINT_MEETING}


def _action_words(action: str) -> str:
    return {"hold": _("mark it held"), "cancel": _("cancel it"), "edit": _("edit it"), "approve": _("approve it"),
            "publish": _("publish it"), "supersede": _("replace it by a new version"), "adopt": _("adopt it"),
            "reject": _("reject it"), "withdraw": _("withdraw it"), "mark_done": _("mark it done")}[action]


def _transition(record, table: dict, action: str) -> str:
    """Move the record's state by the table (meetings.workflow), or refuse a pair that is not in it."""
    state = workflow.next_state(table, record.state, action)
    if state is None:
        raise ValidationError(_("This %(what)s is “%(state)s”: one cannot %(action)s.") % {
            "what": record._meta.verbose_name, "state": record.get_state_display(), "action": _action_words(action)})
    record.state = state
    return state


def _text(value, field: str, *, limit: int, required: bool = False, message: str = "") -> str:
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


def _date(value, field: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError({field: _("Give a date.")})
    return value


def _moment(value, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise ValidationError({field: _("Give a date and time.")})
    return value


def _flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({field: _("Give yes or no.")})
    return value


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({field: _("Give a whole number, 0 or more.")})
    return value


def _not_manager() -> str:
    return _("Only the staff of the body's area record its members, meetings, minutes and resolutions.")


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _locked(model, record):
    return model.objects.select_for_update().get(pk=record.pk)


def _meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


def _tell(meeting: Meeting, members, *, verb: str, text: str, actor, at) -> None:
    """Tell the members (their accounts, a unit's admins) of the meeting, not the one who acted."""
    users = set()
    for member in members:
        users |= accounts_of(person=member.person, organisation_id=member.organisation_id)
    users.discard(getattr(actor, "pk", None))
    if users:
        notify(users=users, subject=meeting, verb=verb, text=text, link=_meeting_link(meeting), at=at)


# --- Bodies and members ---

def _community_of(place: Place) -> Place | None:
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, code__in=containing_codes(place.code)).first()


def _place_checked(kind: str, place) -> Place:
    if not isinstance(place, Place):
        raise ValidationError({"place": _("Choose the body's area.")})
    if kind == BodyKind.COMMITTEE and place.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"place": _("A 社工委 is a community's: “%(name)s” is a %(kind)s.") % {
            "name": place.name, "kind": place.get_kind_display()}})
    if kind == BodyKind.JOINT and place.kind != PlaceKind.SUBDISTRICT:
        raise ValidationError({"place": _("A joint party-building meeting is a subdistrict's: “%(name)s” is a "
                                          "%(kind)s.") % {"name": place.name, "kind": place.get_kind_display()}})
    if kind == BodyKind.COUNCIL and (place.kind not in COUNCIL_PLACE_KINDS or _community_of(place) is None):
        raise ValidationError({"place": _("A resident council sits for a community or a place inside one: “%(name)s”"
                                          " is a %(kind)s.") % {"name": place.name,
                                                                "kind": place.get_kind_display()}})
    return place


def _rules_checked(body: Body) -> Body:
    for prefix in ("quorum", "pass"):
        numerator, denominator = getattr(body, f"{prefix}_numerator"), getattr(body, f"{prefix}_denominator")
        for name, value in ((f"{prefix}_numerator", numerator), (f"{prefix}_denominator", denominator)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError({name: _("Give a whole number.")})
        if not 1 <= denominator <= RULE_DENOMINATOR_MAX or not 1 <= numerator <= denominator:
            raise ValidationError({f"{prefix}_numerator": _("A rule is a share of at most the whole: from 1/%(max)d "
                                                            "to 1/1.") % {"max": RULE_DENOMINATOR_MAX}})
        strict = _flag(getattr(body, f"{prefix}_strict"), f"{prefix}_strict")
        if strict and numerator == denominator:
            raise ValidationError({f"{prefix}_strict": _("“More than all” can never be met: say “at least all”.")})
    if body.pass_base not in PassBase.values:
        raise ValidationError({"pass_base": _("Choose whether votes count against those present or all members.")})
    return body


def _body_data(body: Body, names) -> dict:
    data = {}
    for name in names:
        if name in TEXT_FIELDS:
            continue
        value = getattr(body, name)
        if name == "place":
            value = value.code
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return data


def _seat_member(body: Body, seat: CommitteeMember) -> Member:
    return Member(body=body, seat=seat, person=seat.person, organisation=seat.organisation,
                  represents=seat.represents, since=seat.since)


@transaction.atomic
def body_create(*, actor, kind: str, name: str, place, founded_on=None, description: str = "",
                quorum_numerator: int = 1, quorum_denominator: int = 2, quorum_strict: bool = True,
                pass_numerator: int = 1, pass_denominator: int = 2, pass_strict: bool = True,
                pass_base: str = PassBase.PRESENT, at=None) -> Body:
    """A body in its area: a 社工委 of a community (its members the community's committee seats), a resident
    council of a community or a place inside one, the joint party-building meeting of a subdistrict."""
    at = event_time(at)
    if kind not in BodyKind.values:
        raise ValidationError({"kind": _("Choose the kind of body from the list.")})
    place = _place_checked(kind, place)
    body = Body(kind=kind, name=_text(name, "name", limit=100, required=True, message=_("Give the body a name.")),
                place=place, description=_text(description, "description", limit=2000),
                founded_on=None if founded_on is None else _date(founded_on, "founded_on"),
                quorum_numerator=quorum_numerator, quorum_denominator=quorum_denominator,
                quorum_strict=quorum_strict, pass_numerator=pass_numerator, pass_denominator=pass_denominator,
                pass_strict=pass_strict, pass_base=pass_base, created_at=at)
    require(permissions.may_manage(actor, body), _("Only the staff of the area set up its bodies."))
    _rules_checked(body)
    if Body.objects.filter(place=place, name=body.name).exists():
        raise ValidationError({"name": _("%(place)s already has a body called “%(name)s”.") % {
            "place": place.name, "name": body.name}})
    if kind == BodyKind.COMMITTEE and Body.objects.filter(place=place, kind=kind).exists():
        raise ValidationError({"kind": _("%(place)s already has its 社工委: a community has one.") % {
            "place": place.name}})
    validated(body).save()
    members = []
    if kind == BodyKind.COMMITTEE:
        members = Member.objects.bulk_create([_seat_member(body, seat) for seat in committee_of(place)])
    event_append(actor=actor, verb="body_create", subject=body, at=at,
                 data={"kind": kind, "place": place.code, "members": len(members),
                       **_body_data(body, [f for f in BODY_FIELDS if f not in TEXT_FIELDS])})
    return body


@transaction.atomic
def body_update(*, actor, body: Body, at=None, **fields) -> Body:
    """A body's name, description, founding day, rules, or area (for its kind); its kind stays."""
    unknown = sorted(set(fields) - {*BODY_FIELDS, "kind", "place"})
    if unknown:
        raise ValidationError({name: _("A body has no field “%(field)s” one may change.") % {"field": name}
                               for name in unknown})
    body = _locked(Body, body)
    require(permissions.may_manage(actor, body), _not_manager())
    if fields.pop("kind", body.kind) != body.kind:
        raise ValidationError({"kind": _("A body's kind does not change: set up a new body instead.")})
    if fields.get("place", body.place) != body.place:
        _place_checked(body.kind, fields["place"])
        require(permissions.may_manage(actor, Body(place=fields["place"])), _not_manager())
    else:
        fields.pop("place", None)
    if "name" in fields:
        fields["name"] = _text(fields["name"], "name", limit=100, required=True, message=_("Give the body a name."))
    if "description" in fields:
        fields["description"] = _text(fields["description"], "description", limit=2000)
    if fields.get("founded_on") is not None:
        _date(fields["founded_on"], "founded_on")
    changed = [f for f, v in fields.items() if getattr(body, f) != v]
    if not changed:
        return body
    for name in changed:
        setattr(body, name, fields[name])
    _rules_checked(body)
    if "name" in changed and Body.objects.filter(place=body.place, name=body.name).exclude(pk=body.pk).exists():
        raise ValidationError({"name": _("%(place)s already has a body called “%(name)s”.") % {
            "place": body.place.name, "name": body.name}})
    validated(body).save()
    event_append(actor=actor, verb="body_update", subject=body, at=at,
                 data={"fields": changed, **_body_data(body, changed)})
    return body


def _seat_taken(body: Body, *, person, organisation, seat) -> bool:
    current = Member.objects.filter(body=body, until__isnull=True)
    if seat is not None and Member.objects.filter(seat=seat).exists():
        return True
    if organisation is not None:
        return current.filter(organisation=organisation).exists()
    return current.filter(person=person, organisation__isnull=True).exists()


def _invite_to_coming(member: Member, *, actor, at) -> None:
    """A new member is invited to the body's meetings still to come."""
    coming = list(Meeting.objects.filter(body=member.body, state=MeetingState.SCHEDULED, starts_at__gte=at))
    Attendance.objects.bulk_create([Attendance(meeting=m, member=member, invited_at=at) for m in coming])
    for meeting in coming:
        _tell(meeting, [member], verb="meeting_schedule", text=_invitation_text(meeting), actor=actor, at=at)


def _member_join(*, actor, member: Member, at) -> Member:
    taken = _("Already a member of this body: end the current seat first.")
    if _seat_taken(member.body, person=member.person, organisation=member.organisation, seat=member.seat):
        raise ValidationError(taken)
    try:
        with transaction.atomic():
            validated(member).save()
    except IntegrityError:
        raise ValidationError(taken) from None  # the same seat added twice at once
    _invite_to_coming(member, actor=actor, at=at)
    event_append(actor=actor, verb="member_add", subject=member, at=at,
                 data={"body": member.body_id, "person": member.person_id, "organisation": member.organisation_id,
                       "seat": member.seat_id, "since": member.since.isoformat()})
    return member


@transaction.atomic
def member_add(*, actor, body: Body, since, person=None, organisation=None, seat=None, represents: str = "",
               at=None) -> Member:
    """A person, a unit (voting through its admins), or — on a 社工委, only — one of the community's committee
    seats (the person, unit and what they represent taken from it)."""
    at = event_time(at)
    require(permissions.may_manage(actor, body), _not_manager())
    since = _date(since, "since")
    represents = _text(represents, "represents", limit=100)
    if body.kind == BodyKind.COMMITTEE:
        if not isinstance(seat, CommitteeMember) or seat.community_id != body.place_id:
            raise ValidationError({"seat": _("A 社工委's members are the community's committee seats: choose one (add "
                                             "the seat in the community's committee first).")})
        member = _seat_member(body, seat)
        member.since = since
        member.represents = represents or seat.represents
    else:
        if seat is not None:
            raise ValidationError({"seat": _("Only a 社工委 takes committee seats: choose a person or a unit.")})
        if person is not None and not isinstance(person, Person):
            raise ValidationError({"person": _("Choose the person.")})
        if organisation is not None and not isinstance(organisation, Organisation):
            raise ValidationError({"organisation": _("Choose the unit.")})
        if person is None and organisation is None:
            raise ValidationError({"person": _("A member is a person or a unit: choose one.")})
        member = Member(body=body, person=person, organisation=organisation, represents=represents, since=since)
    return _member_join(actor=actor, member=member, at=at)


def seat_join(*, actor, seat: CommitteeMember, at=None) -> Member | None:
    """A new committee seat joins its community's 社工委, if there is one (people's committee_seat_added signal,
    inside committee_member_add's transaction: the actor has passed people's check on the community)."""
    body = Body.objects.filter(kind=BodyKind.COMMITTEE, place_id=seat.community_id).first()
    if body is None or Member.objects.filter(seat=seat).exists():
        return None
    return _member_join(actor=actor, member=_seat_member(body, seat), at=event_time(at))


@transaction.atomic
def member_end(*, actor, member: Member, until, at=None) -> Member:
    at = event_time(at)
    member = _locked(Member, member)
    require(permissions.may_manage(actor, member.body), _not_manager())
    until = _date(until, "until")
    if member.until is not None:
        raise ValidationError(_("This seat already ended on %(until)s.") % {"until": member.until.isoformat()})
    if until < member.since:
        raise ValidationError({"until": _("A seat ends on or after the day it began (%(since)s).") % {
            "since": member.since.isoformat()}})
    member.until = until
    member.save(update_fields=["until"])
    # No longer invited to the meetings to come after the seat ends.
    Attendance.objects.filter(member=member, presence=Presence.INVITED, meeting__state=MeetingState.SCHEDULED,
                              meeting__starts_at__date__gte=until).delete()
    event_append(actor=actor, verb="member_end", subject=member, at=at,
                 data={"body": member.body_id, "until": until.isoformat()})
    return member


# --- Meetings ---

def _invitation_text(meeting: Meeting) -> str:
    return _("%(body)s: you are invited to “%(title)s”, %(when)s, %(where)s.") % {
        "body": meeting.body.name, "title": meeting.title, "when": local_moment(meeting.starts_at),
        "where": meeting.location or _("place to be announced")}


def _agenda(items) -> list[tuple[str, str]]:
    if isinstance(items, str):
        items = [items]
    try:
        items = list(items or ())
    except TypeError:
        raise ValidationError({"agenda": _("Give the agenda as a list of items.")}) from None
    if len(items) > AGENDA_MAX:
        raise ValidationError({"agenda": _("At most %(max)d agenda items.") % {"max": AGENDA_MAX}})
    agenda = []
    for item in items:
        title, description = (item, "") if isinstance(item, str) else (tuple(item) + ("",))[:2]
        agenda.append((_text(title, "agenda", limit=200, required=True, message=_("Give each agenda item a title.")),
                       _text(description, "agenda", limit=2000)))
    return agenda


def _meeting_checked(meeting: Meeting) -> Meeting:
    _moment(meeting.starts_at, "starts_at")
    if meeting.ends_at is not None and _moment(meeting.ends_at, "ends_at") <= meeting.starts_at:
        raise ValidationError({"ends_at": _("A meeting ends after it starts.")})
    return validated(meeting)


@transaction.atomic
def meeting_schedule(*, actor, body: Body, title: str, starts_at, ends_at=None, location: str = "", agenda=(),
                     guests: str = "", is_public: bool = True, at=None) -> Meeting:
    """A meeting with its agenda; every member current on its day invited and told."""
    at = event_time(at)
    require(permissions.may_manage(actor, body), _not_manager())
    meeting = Meeting(body=body, title=_text(title, "title", limit=100, required=True,
                                             message=_("Give the meeting a title.")),
                      starts_at=starts_at, ends_at=ends_at, location=_text(location, "location", limit=100),
                      guests=_text(guests, "guests", limit=1000), is_public=_flag(is_public, "is_public"),
                      created_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=at)
    items = _agenda(agenda)
    _meeting_checked(meeting).save()
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, order=n, title=t, description=d)
                                    for n, (t, d) in enumerate(items, start=1)])
    members = list(Member.objects.filter(permissions.current_q(_day(meeting.starts_at)), body=body))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m, invited_at=at) for m in members])
    _tell(meeting, members, verb="meeting_schedule", text=_invitation_text(meeting), actor=actor, at=at)
    event_append(actor=actor, verb="meeting_schedule", subject=meeting, at=at,
                 data={"body": body.pk, "starts_at": meeting.starts_at.isoformat(), "agenda": len(items),
                       "invited": len(members), "is_public": meeting.is_public})
    return meeting


def _managed_meeting(actor, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("body__place").get(pk=meeting.pk)
    require(permissions.may_manage(actor, meeting.body), _not_manager())
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, title=None, starts_at=None, ends_at=None, location=None,
                   guests=None, is_public=None, at=None) -> Meeting:
    """A scheduled meeting's details (once held or cancelled it stays as it was)."""
    meeting = _managed_meeting(actor, meeting)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting changes: this one is “%(state)s”.") % {
            "state": meeting.get_state_display()})
    changes = {}
    if title is not None:
        changes["title"] = _text(title, "title", limit=100, required=True, message=_("Give the meeting a title."))
    if starts_at is not None:
        changes["starts_at"] = _moment(starts_at, "starts_at")
    if ends_at is not None:
        changes["ends_at"] = _moment(ends_at, "ends_at")
    if location is not None:
        changes["location"] = _text(location, "location", limit=100)
    if guests is not None:
        changes["guests"] = _text(guests, "guests", limit=1000)
    if is_public is not None:
        changes["is_public"] = _flag(is_public, "is_public")
    changed = [f for f, v in changes.items() if getattr(meeting, f) != v]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, changes[name])
    _meeting_checked(meeting).save()
    data = {"fields": changed}
    data.update({f: getattr(meeting, f).isoformat() for f in ("starts_at", "ends_at") if f in changed})
    if "is_public" in changed:
        data["is_public"] = meeting.is_public
    event_append(actor=actor, verb="meeting_update", subject=meeting, at=at, data=data)
    return meeting


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, title: str, description: str = "", at=None) -> AgendaItem:
    meeting = _managed_meeting(actor, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: its agenda stays as it was."))
    order = (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, order=order, description=_text(description, "description",
                                                                                     limit=2000),
                                     title=_text(title, "title", limit=200, required=True,
                                                 message=_("Give the agenda item a title.")))
    event_append(actor=actor, verb="agenda_item_add", subject=meeting, at=at, data={"item": item.pk, "order": order})
    return item


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str, at=None) -> Meeting:
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    reason = _text(reason, "reason", limit=200, required=True, message=_("Say why the meeting is cancelled."))
    _transition(meeting, workflow.MEETING_TRANSITIONS, "cancel")
    meeting.cancelled_reason = reason
    meeting.save(update_fields=["state", "cancelled_reason"])
    invited = [a.member for a in meeting.attendances.select_related("member")]
    _tell(meeting, invited, verb="meeting_cancel", actor=actor, at=at,
          text=_("%(body)s: “%(title)s” of %(when)s is cancelled.") % {
              "body": meeting.body.name, "title": meeting.title, "when": local_moment(meeting.starts_at)})
    event_append(actor=actor, verb="meeting_cancel", subject=meeting, at=at, data={"told": len(invited)})
    return meeting


RECORDED = (Presence.PRESENT, Presence.ABSENT, Presence.EXCUSED)


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, presence: dict, at=None) -> list[Attendance]:
    """Who came: member id → present / absent / excused, for members invited to the meeting."""
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: nobody's attendance is recorded."))
    if not isinstance(presence, dict) or not presence:
        raise ValidationError({"presence": _("Say for each member invited whether they came.")})
    rows = {a.member_id: a for a in meeting.attendances.all()}
    wanted = {}
    for key, value in presence.items():
        try:
            member_id = int(key)
        except (TypeError, ValueError):
            member_id = None
        if member_id not in rows:
            raise ValidationError({"presence": _("Only members invited to the meeting have an attendance: %(key)s "
                                                 "is not one.") % {"key": key}})
        if value not in RECORDED:
            raise ValidationError({"presence": _("Attendance is present, absent or excused.")})
        wanted[member_id] = value
    changed = [rows[m] for m, value in wanted.items() if rows[m].presence != value]
    for row in changed:
        row.presence, row.recorded_at = wanted[row.member_id], at
    Attendance.objects.bulk_update(changed, ["presence", "recorded_at"])
    if changed:
        event_append(actor=actor, verb="attendance_record", subject=meeting, at=at,
                     data={p: sorted(r.member_id for r in changed if r.presence == p) for p in RECORDED})
    return sorted(rows.values(), key=lambda a: a.member_id)


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, at=None) -> Meeting:
    """Marks the meeting held, once everyone invited has their attendance recorded."""
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    unrecorded = meeting.attendances.filter(presence=Presence.INVITED).count()
    if meeting.state == MeetingState.SCHEDULED and unrecorded:
        raise ValidationError(_("%(count)d of those invited have no attendance recorded yet: record who came, who "
                                "was absent and who excused themselves, then mark the meeting held.") % {
            "count": unrecorded})
    if meeting.state == MeetingState.SCHEDULED and at < meeting.starts_at:
        raise ValidationError(_("The meeting starts at %(when)s: it is held once it has begun.") % {
            "when": local_moment(meeting.starts_at)})
    _transition(meeting, workflow.MEETING_TRANSITIONS, "hold")
    meeting.held_at = at
    meeting.save(update_fields=["state", "held_at"])
    present, members = rules.counts(meeting)
    event_append(actor=actor, verb="meeting_hold", subject=meeting, at=at,
                 data={"present": present, "members": members})
    return meeting


# --- Minutes ---

def _latest_minutes(meeting: Meeting) -> Minutes | None:
    return meeting.minutes.select_for_update().order_by("-version").first()


@transaction.atomic
def minutes_write(*, actor, meeting: Meeting, text: str, at=None) -> Minutes:
    """The minutes' first version, or the current draft edited in place; approved minutes are never edited."""
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: it has no minutes."))
    text = _text(text, "text", limit=20000, required=True, message=_("Write the minutes."))
    minutes = _latest_minutes(meeting)
    if minutes is not None and minutes.state in workflow.STANDING_MINUTES:
        raise ValidationError(_("Approved minutes cannot be edited in place: submit a new version and give the "
                                "reason."))
    if minutes is None:
        minutes = Minutes(meeting=meeting, version=1, state=MinutesState.DRAFT)
    else:
        _transition(minutes, workflow.MINUTES_TRANSITIONS, "edit")
    minutes.text, minutes.written_at = text, at
    minutes.written_by = actor if getattr(actor, "is_authenticated", False) else None
    minutes.save()
    event_append(actor=actor, verb="minutes_write", subject=minutes, at=at,
                 data={"meeting": meeting.pk, "version": minutes.version, "length": len(text)})
    return minutes


@transaction.atomic
def minutes_revise(*, actor, meeting: Meeting, text: str, reason: str, at=None) -> Minutes:
    """A new draft version of approved minutes, with the reason; the approved one stands until it is approved."""
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    text = _text(text, "text", limit=20000, required=True, message=_("Write the minutes."))
    reason = _text(reason, "reason", limit=300, required=True,
                   message=_("Say why the approved minutes need a new version."))
    latest = _latest_minutes(meeting)
    if latest is None:
        raise ValidationError(_("The meeting has no minutes yet: write them first."))
    if latest.state not in workflow.STANDING_MINUTES:
        raise ValidationError(_("Version %(version)d is still a draft: edit it in place.") % {
            "version": latest.version})
    minutes = Minutes.objects.create(meeting=meeting, version=latest.version + 1, state=MinutesState.DRAFT, text=text,
                                     reason=reason, written_at=at,
                                     written_by=actor if getattr(actor, "is_authenticated", False) else None)
    event_append(actor=actor, verb="minutes_revise", subject=minutes, at=at,
                 data={"meeting": meeting.pk, "version": minutes.version, "replaces": latest.version})
    return minutes


def _managed_minutes(actor, minutes: Minutes) -> Minutes:
    minutes = Minutes.objects.select_for_update().select_related("meeting__body__place").get(pk=minutes.pk)
    require(permissions.may_manage(actor, minutes.meeting.body), _not_manager())
    return minutes


@transaction.atomic
def minutes_approve(*, actor, minutes: Minutes, at=None) -> Minutes:
    """Approves a draft; it supersedes the version that stood (published minutes stay published in the new one)."""
    at = event_time(at)
    minutes = _managed_minutes(actor, minutes)
    previous = (Minutes.objects.select_for_update().filter(meeting=minutes.meeting_id, version__lt=minutes.version,
                                                           state__in=workflow.STANDING_MINUTES)
                .order_by("-version").first())
    _transition(minutes, workflow.MINUTES_TRANSITIONS, "approve")
    minutes.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    minutes.approved_at = at
    if previous is not None:
        was_published = previous.state == MinutesState.PUBLISHED
        _transition(previous, workflow.MINUTES_TRANSITIONS, "supersede")
        previous.save(update_fields=["state"])
        if was_published:
            minutes.state, minutes.published_at = MinutesState.PUBLISHED, at
    minutes.save(update_fields=["state", "approved_by", "approved_at", "published_at"])
    event_append(actor=actor, verb="minutes_approve", subject=minutes, at=at,
                 data={"meeting": minutes.meeting_id, "version": minutes.version, "state": minutes.state,
                       "supersedes": previous.version if previous else None})
    return minutes


@transaction.atomic
def minutes_publish(*, actor, minutes: Minutes, at=None) -> Minutes:
    """Publishes approved minutes of a held meeting: its members read them, and the public when the meeting is
    public."""
    at = event_time(at)
    minutes = _managed_minutes(actor, minutes)
    if minutes.meeting.state != MeetingState.HELD:
        raise ValidationError(_("Minutes are published once the meeting is held: mark it held first."))
    _transition(minutes, workflow.MINUTES_TRANSITIONS, "publish")
    minutes.published_at = at
    minutes.save(update_fields=["state", "published_at"])
    event_append(actor=actor, verb="minutes_publish", subject=minutes, at=at,
                 data={"meeting": minutes.meeting_id, "version": minutes.version,
                       "is_public": minutes.meeting.is_public})
    return minutes


def _file_kind(head: bytes, upload) -> str | None:
    """What the file is by its content: "pdf", "image", "office" (Word, Excel), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
            head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "office"  # .doc, .xls
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and ({"word/document.xml", "xl/workbook.xml"} & names):
            return "office"  # .docx, .xlsx
    return None


def _attachment_content(upload, name: str) -> tuple[ContentFile, str]:
    size = getattr(upload, "size", None)
    if size is None or not hasattr(upload, "read"):
        raise ValidationError({"file": _("Choose a file.")})
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("%(name)s is %(size).1f MB; an attachment may be at most %(max)d MB.") % {
            "name": name, "size": size / 1024 / 1024, "max": ATTACHMENT_MAX_BYTES // 1024 // 1024}})
    upload.seek(0)
    head = upload.read(16)
    kind = _file_kind(head, upload)
    if kind is None:
        raise ValidationError({"file": _("%(name)s is not a PDF, an image, a Word or an Excel file.") % {
            "name": name}})
    base = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:80]
    if kind == "image":
        image, _thumbnail = photo_prepare(upload)  # re-encoded: no EXIF, no GPS position kept
        return ContentFile(image), base.rsplit(".", 1)[0] + ".jpg"
    upload.seek(0)
    return ContentFile(upload.read()), base


@transaction.atomic
def attachment_add(*, actor, minutes: Minutes, file, name: str = "", is_public: bool = False,
                   at=None) -> Attachment:
    """A file kept with a draft of the minutes (checked by its content: PDF, image, Word or Excel, ≤ 10 MB)."""
    at = event_time(at)
    minutes = _managed_minutes(actor, minutes)
    if minutes.state != MinutesState.DRAFT:
        raise ValidationError(_("Files are attached to a draft: approved minutes change only by a new version."))
    name = _text(name, "name", limit=100) or (getattr(file, "name", "") or "")[:100]
    content, filename = _attachment_content(file, name or _("the file"))
    attachment = Attachment(minutes=minutes, name=name or filename[:100], is_public=_flag(is_public, "is_public"),
                            uploaded_at=at)
    attachment.file.save(filename, content, save=False)
    attachment.save()
    event_append(actor=actor, verb="attachment_add", subject=attachment, at=at,
                 data={"minutes": minutes.pk, "version": minutes.version, "is_public": attachment.is_public,
                       "bytes": attachment.file.size})
    return attachment


# --- Resolutions ---

@transaction.atomic
def resolution_propose(*, actor, meeting: Meeting, title: str, text: str = "", agenda_item=None,
                       vote_mode: str = VoteMode.COUNTS, at=None) -> Resolution:
    at = event_time(at)
    meeting = _managed_meeting(actor, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled: nothing is put to it."))
    if agenda_item is not None and (not isinstance(agenda_item, AgendaItem) or agenda_item.meeting_id != meeting.pk):
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    if vote_mode not in VoteMode.values:
        raise ValidationError({"vote_mode": _("Choose how the motion is voted on: each member's vote or counts.")})
    number = (meeting.resolutions.aggregate(m=Max("number"))["m"] or 0) + 1
    resolution = Resolution.objects.create(
        meeting=meeting, number=number, agenda_item=agenda_item, vote_mode=vote_mode, created_at=at,
        title=_text(title, "title", limit=200, required=True, message=_("Give the motion a title.")),
        text=_text(text, "text", limit=4000))
    event_append(actor=actor, verb="resolution_propose", subject=resolution, at=at,
                 data={"meeting": meeting.pk, "number": number, "vote_mode": vote_mode,
                       "agenda_item": resolution.agenda_item_id})
    return resolution


def _locked_resolution(resolution: Resolution) -> Resolution:
    return (Resolution.objects.select_for_update().select_related("meeting__body__place")
            .get(pk=resolution.pk))


def _managed_resolution(actor, resolution: Resolution) -> Resolution:
    resolution = _locked_resolution(resolution)
    require(permissions.may_manage(actor, resolution.meeting.body), _not_manager())
    return resolution


@transaction.atomic
def vote_cast(*, actor, resolution: Resolution, choice: str, member=None, at=None) -> Vote:
    """A member's vote on a motion voted on member by member: the member's own (member None: the actor's seat), or
    recorded by staff for a member present. One vote each."""
    at = event_time(at)
    resolution = _locked_resolution(resolution)  # two votes at once queue here; the unique constraint stands behind
    meeting = resolution.meeting
    body = meeting.body
    if member is None:
        member = permissions.member_of(actor, body, on=_day(meeting.starts_at))
        if member is None:
            raise PermissionDenied(_("You are not a member of this body and cannot vote."))
    else:
        if not isinstance(member, Member) or member.body_id != body.pk:
            raise ValidationError({"member": _("You are not a member of this body and cannot vote.")})
        own = permissions.member_of(actor, body, on=_day(meeting.starts_at))
        require(permissions.may_manage(actor, body) or (own is not None and own.pk == member.pk),
                _("Only the staff of the body's area record a member's vote for them."))
    if resolution.vote_mode != VoteMode.MEMBERS:
        raise ValidationError(_("This motion is decided by counts (a show of hands): no vote is cast member by "
                                "member."))
    if resolution.state != ResolutionState.PROPOSED:
        raise ValidationError(_("The motion is “%(state)s”: the vote is over.") % {
            "state": resolution.get_state_display()})
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _("Vote for, against, or abstain.")})
    already = _("This member has already voted on this resolution.")
    if Vote.objects.filter(resolution=resolution, member=member).exists():
        raise ValidationError(already)
    if not meeting.attendances.filter(member=member, presence=Presence.PRESENT).exists():
        raise ValidationError(_("This member is not recorded present at the meeting: only those present vote."))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(resolution=resolution, member=member, choice=choice, cast_at=at,
                                       cast_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        raise ValidationError(already) from None
    event_append(actor=actor, verb="vote_cast", subject=resolution, at=at,
                 data={"member": member.pk, "choice": choice})
    return vote


@transaction.atomic
def resolution_decide(*, actor, resolution: Resolution, votes_for=None, votes_against=None, votes_abstain=None,
                      at=None) -> Resolution:
    """Adopted or rejected by the body's rule, at a held meeting whose quorum is met: by the counts given (a show
    of hands) or by the members' votes."""
    at = event_time(at)
    resolution = _managed_resolution(actor, resolution)
    meeting = resolution.meeting
    if resolution.state != ResolutionState.PROPOSED:
        raise ValidationError(_("The motion is “%(state)s”: it was decided already or withdrawn.") % {
            "state": resolution.get_state_display()})
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("A motion is decided at a meeting held: record the attendance and mark the meeting "
                                "held first."))
    refusal = rules.quorum_refusal(meeting)
    if refusal:
        raise ValidationError(refusal)
    present, members = rules.counts(meeting)
    if resolution.vote_mode == VoteMode.MEMBERS:
        choices = list(resolution.votes.values_list("choice", flat=True))
        votes_for, votes_against, votes_abstain = (choices.count(c) for c in VoteChoice.values)
    else:
        votes_for = _count(votes_for, "votes_for")
        votes_against = _count(0 if votes_against is None else votes_against, "votes_against")
        votes_abstain = _count(0 if votes_abstain is None else votes_abstain, "votes_abstain")
        if votes_for + votes_against + votes_abstain > present:
            raise ValidationError({"votes_for": _("%(votes)d votes, but %(present)d present: each member present "
                                                  "votes once.") % {
                "votes": votes_for + votes_against + votes_abstain, "present": present}})
    adopted = rules.passes(meeting.body, votes_for, present, members)
    _transition(resolution, workflow.RESOLUTION_TRANSITIONS, "adopt" if adopted else "reject")
    resolution.votes_for, resolution.votes_against, resolution.votes_abstain = votes_for, votes_against, votes_abstain
    resolution.present_at_decision, resolution.decided_at = present, at
    resolution.save(update_fields=["state", "votes_for", "votes_against", "votes_abstain", "present_at_decision",
                                   "decided_at"])
    event_append(actor=actor, verb="resolution_decide", subject=resolution, at=at,
                 data={"state": resolution.state, "for": votes_for, "against": votes_against,
                       "abstain": votes_abstain, "present": present, "members": members})
    return resolution


@transaction.atomic
def resolution_withdraw(*, actor, resolution: Resolution, at=None) -> Resolution:
    resolution = _managed_resolution(actor, resolution)
    _transition(resolution, workflow.RESOLUTION_TRANSITIONS, "withdraw")
    resolution.save(update_fields=["state"])
    event_append(actor=actor, verb="resolution_withdraw", subject=resolution, at=at, data={})
    return resolution


def _adopted(resolution: Resolution) -> None:
    if resolution.state != ResolutionState.ADOPTED:
        raise ValidationError(_("Only an adopted resolution creates needs or activities: this one is “%(state)s”.")
                              % {"state": resolution.get_state_display()})
    if resolution.done_at is not None:
        raise ValidationError(_("This resolution was marked carried out without creating anything."))


def _in_area(resolution: Resolution, place, message: str) -> Place:
    area = resolution.meeting.body.place
    if isinstance(place, int) and not isinstance(place, bool):
        place = Place.objects.filter(pk=place).first()
    if not isinstance(place, Place):
        raise ValidationError({"place": _("Choose the place.")})
    if not area.contains(place):
        raise ValidationError({"place": message % {"area": area.name}})
    return place


@transaction.atomic
def resolution_need_create(*, actor, resolution: Resolution, title: str, place, description: str = "",
                           category=None, concern_level: str = "", affected: int = 1, at=None) -> Need:
    """A need the resolution raises, in the body's area, with the body's channel (居民议事会 / 党建联席会)."""
    at = event_time(at)
    resolution = _managed_resolution(actor, resolution)
    _adopted(resolution)
    body = resolution.meeting.body
    place = _in_area(resolution, place, _("A need a resolution raises is placed in the body's area (%(area)s)."))
    need = need_submit(actor=actor, title=title, place=place, description=description, category=category,
                       concern_level=concern_level, channel=CHANNEL_OF[body.kind], affected=affected, at=at)
    resolution.needs.add(need)
    event_append(actor=actor, verb="resolution_need_create", subject=resolution, at=at,
                 data={"need": need.pk, "channel": need.channel, "place": place.code})
    return need


@transaction.atomic
def resolution_need_link(*, actor, resolution: Resolution, need: Need, at=None) -> Need:
    """An existing need (in the body's area) linked to the resolution that raised it."""
    at = event_time(at)
    resolution = _managed_resolution(actor, resolution)
    _adopted(resolution)
    if not isinstance(need, Need):
        raise ValidationError({"need": _("Choose the need.")})
    _in_area(resolution, need.place, _("A need a resolution raises is placed in the body's area (%(area)s)."))
    if resolution.needs.filter(pk=need.pk).exists():
        raise ValidationError({"need": _("This need is already linked to the resolution.")})
    resolution.needs.add(need)
    event_append(actor=actor, verb="resolution_need_link", subject=resolution, at=at, data={"need": need.pk})
    return need


@transaction.atomic
def resolution_activity_create(*, actor, resolution: Resolution, kind: str, name: str, place, starts_at, ends_at,
                               team=None, organisation=None, description: str = "", capacity: int | None = None,
                               at=None):
    """An activity the resolution puts on (volunteering.services.activity_create), in the body's area."""
    at = event_time(at)
    resolution = _managed_resolution(actor, resolution)
    _adopted(resolution)
    place = _in_area(resolution, place, _("An activity a resolution puts on takes place in the body's area "
                                          "(%(area)s)."))
    activity = activity_create(actor=actor, kind=kind, name=name, place=place, starts_at=starts_at, ends_at=ends_at,
                               team=team, organisation=organisation, description=description, capacity=capacity,
                               at=at)
    resolution.activities.add(activity)
    event_append(actor=actor, verb="resolution_activity_create", subject=resolution, at=at,
                 data={"activity": activity.pk, "place": place.code})
    return activity


@transaction.atomic
def resolution_mark_done(*, actor, resolution: Resolution, note: str, at=None) -> Resolution:
    """An adopted resolution carried out without creating a need or an activity (its progress comes from what it
    created otherwise), with how."""
    at = event_time(at)
    resolution = _managed_resolution(actor, resolution)
    note = _text(note, "note", limit=2000, required=True, message=_("Say how the resolution was carried out."))
    if resolution.done_at is not None:
        raise ValidationError(_("This resolution is already marked carried out."))
    if resolution.needs.exists() or resolution.activities.exists():
        raise ValidationError(_("This resolution created needs or activities: it is done when they are."))
    _transition(resolution, workflow.RESOLUTION_TRANSITIONS, "mark_done")
    resolution.done_at, resolution.done_note = at, note
    resolution.save(update_fields=["state", "done_at", "done_note"])
    event_append(actor=actor, verb="resolution_mark_done", subject=resolution, at=at, data={})
    return resolution
