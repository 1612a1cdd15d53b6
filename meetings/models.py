"""Committee and meetings: the bodies that meet (a community's 社工委, a resident council, the subdistrict's joint
party-building meeting), their members, meetings with agenda, attendance, minutes in versions, and resolutions
that create needs or activities and whose progress comes from what they created.

Quorum and voting rules are data on each body (`Body.quorum_*`, `Body.pass_*`), read by meetings.rules; the
default is that of residents' meetings: more than half of the members present, a resolution passes by more than
half of those present. Approved minutes change only by a new version with a reason (meetings.services).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from places.models import chain_of


class BodyKind(models.TextChoices):
    COMMITTEE = "committee", _("Community-building work committee (社工委)")
    COUNCIL = "council", _("Resident council (居民议事会)")
    JOINT = "joint", _("Joint party-building meeting (党建联席会)")


class PassBase(models.TextChoices):
    PRESENT = "present", _("of the members present")
    MEMBERS = "members", _("of all members")


class Body(models.Model):
    """A body that meets, in a place: a community (社工委, a resident council) or a subdistrict (党建联席会). A
    resident council may sit for a compound or a courtyard inside a community."""

    kind = models.CharField(_("kind"), max_length=12, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey("places.Place", verbose_name=_("area"), on_delete=models.PROTECT,
                              related_name="bodies")
    description = models.TextField(_("description"), max_length=2000, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    # Quorum: more than (strict) or at least (not strict) numerator/denominator of the members present.
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=1)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=2)
    quorum_strict = models.BooleanField(_("quorum: more than (not at least)"), default=True)
    # Passing: more than / at least numerator/denominator of the votes' base (those present, or all members).
    pass_numerator = models.PositiveSmallIntegerField(_("passing numerator"), default=1)
    pass_denominator = models.PositiveSmallIntegerField(_("passing denominator"), default=2)
    pass_strict = models.BooleanField(_("passing: more than (not at least)"), default=True)
    pass_base = models.CharField(_("passing base"), max_length=8, choices=PassBase.choices, default=PassBase.PRESENT)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["place_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="one_body_name_per_place"),
            models.CheckConstraint(condition=models.Q(quorum_denominator__gt=0) & models.Q(pass_denominator__gt=0)
                                   & models.Q(quorum_numerator__lte=models.F("quorum_denominator"))
                                   & models.Q(pass_numerator__lte=models.F("pass_denominator")),
                                   name="body_rules_are_fractions",
                                   violation_error_message=_("A rule is a fraction of at most one.")),
        ]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class Member(models.Model):
    """A seat in a body: a person (a resident on a council), a unit (one of the joint meeting's units, voting
    through its admins), or — for a 社工委 — the community's committee seat (people.CommitteeMember), from which
    the person, unit and what they represent are taken when the seat joins (a seat does not change)."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey("people.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="body_seats")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("member unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="body_seats")
    seat = models.OneToOneField("people.CommitteeMember", verbose_name=_("committee seat"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="body_member")
    represents = models.CharField(_("represents"), max_length=100, blank=True,
                                  help_text=_("e.g. 社区党委, 居委会, 人大代表, 退役军人, 驻区单位, 3号楼居民"))
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["body_id", "since", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(person__isnull=False) | models.Q(organisation__isnull=False),
                                   name="member_is_someone",
                                   violation_error_message=_("A member is a person or a unit.")),
            models.UniqueConstraint(fields=["body", "person"], condition=models.Q(until__isnull=True,
                                                                                  organisation__isnull=True),
                                    name="one_current_seat_per_person"),
            models.UniqueConstraint(fields=["body", "organisation"], condition=models.Q(until__isnull=True),
                                    name="one_current_seat_per_unit"),
        ]

    def __str__(self):
        return f"{self.body} · {self.organisation or self.person}"


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True, help_text=_("e.g. 社区二楼会议室"))
    guests = models.TextField(_("guests attending (列席)"), max_length=1000, blank=True,
                              help_text=_("Who attends without a vote: units, offices, residents concerned."))
    state = models.CharField(_("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    is_public = models.BooleanField(_("minutes and resolutions public"), default=True,
                                    help_text=_("Once the minutes are published, the public ledger shows them."))
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["body", "-starts_at"], name="meeting_body_start"),
                   models.Index(fields=["starts_at"], name="meeting_start")]

    def __str__(self):
        return f"{self.body} · {self.title}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return self.body.events_chain


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(pgettext_lazy("agenda", "item"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "order", "id"]

    def __str__(self):
        return self.title


class Presence(models.TextChoices):
    INVITED = "invited", _("Invited")
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused (请假)")


class Attendance(models.Model):
    """A member's invitation to a meeting and, once recorded, whether they came."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attendances")
    member = models.ForeignKey(Member, verbose_name=pgettext_lazy("body", "member"), on_delete=models.PROTECT,
                               related_name="attendances")
    presence = models.CharField(_("attendance"), max_length=8, choices=Presence.choices, default=Presence.INVITED)
    invited_at = models.DateTimeField(_("invited at"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")]

    def __str__(self):
        return f"{self.meeting} · {self.member} · {self.get_presence_display()}"


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a new version")


class Minutes(models.Model):
    """One version of a meeting's minutes. A draft is edited in place; once approved it is never changed — a new
    version (with the reason) supersedes it and the old one stays readable."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="minutes")
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("minutes"), max_length=20000)
    state = models.CharField(_("state"), max_length=10, choices=MinutesState.choices, default=MinutesState.DRAFT)
    reason = models.CharField(_("reason for the new version"), max_length=300, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(_("written at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="one_minutes_per_version")]

    def __str__(self):
        return f"{self.meeting} · v{self.version}"


def attachment_path(instance, filename):
    return f"meetings/{instance.minutes.meeting_id}/{filename}"


class Attachment(models.Model):
    """A file kept with a version of the minutes (the sign-in sheet, a photo of the board, a plan)."""

    minutes = models.ForeignKey(Minutes, verbose_name=_("minutes"), on_delete=models.PROTECT,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=100)
    is_public = models.BooleanField(_("public"), default=False,
                                    help_text=_("A sign-in sheet carries names: keep it private."))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["minutes_id", "id"]

    def __str__(self):
        return self.name


class ResolutionState(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("resolution", "Proposed")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", pgettext_lazy("resolution", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VoteMode(models.TextChoices):
    MEMBERS = "members", _("Each member's vote")
    COUNTS = "counts", _("Counts (show of hands)")


class Resolution(models.Model):
    """A motion put to a meeting and, once decided, a resolution. Its status beyond adopted — in progress, done —
    and its percentage are computed from the needs and activities it created (meetings.progress), except that a
    resolution carried out without creating any may be marked done with a note."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("number"))
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="resolutions")
    title = models.CharField(pgettext_lazy("resolution", "title"), max_length=200)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ResolutionState.choices,
                             default=ResolutionState.PROPOSED)
    vote_mode = models.CharField(_("voting"), max_length=8, choices=VoteMode.choices, default=VoteMode.COUNTS)
    # The counts: entered (show of hands) or counted from the members' votes when decided.
    votes_for = models.PositiveIntegerField(pgettext_lazy("votes", "for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    present_at_decision = models.PositiveIntegerField(_("present when decided"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    done_at = models.DateTimeField(_("marked done at"), null=True, blank=True)
    done_note = models.TextField(_("how it was carried out"), max_length=2000, blank=True)
    needs = models.ManyToManyField("needs.Need", verbose_name=_("needs created"), blank=True,
                                   related_name="resolutions")
    activities = models.ManyToManyField("volunteering.Activity", verbose_name=_("activities created"), blank=True,
                                        related_name="resolutions")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting_id", "number"]
        indexes = [models.Index(fields=["state", "decided_at"], name="resolution_state_decided")]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_resolution_per_number")]

    def __str__(self):
        return f"{self.meeting} · {self.number}. {self.title}"


class VoteChoice(models.TextChoices):
    FOR = "for", pgettext_lazy("vote", "For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    resolution = models.ForeignKey(Resolution, verbose_name=_("resolution"), on_delete=models.PROTECT,
                                   related_name="votes")
    member = models.ForeignKey(Member, verbose_name=pgettext_lazy("body", "member"), on_delete=models.PROTECT,
                               related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cast by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    cast_at = models.DateTimeField(_("cast at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["resolution", "member"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.resolution} · {self.member} · {self.get_choice_display()}"
