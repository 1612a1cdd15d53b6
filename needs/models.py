"""The needs loop (docs/product.md §3): a resident's need, from submission to a rated deed.

Every change to a Need goes through `needs.services.need_act`, which appends one event per action to
the hash-chained log (core.events); the timestamps and due times below are what the ledger counts.
"""

import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import PinyinSearchable
from people.masking import mask_name
from people.models import validate_phone
from places.models import chain_of


class Category(PinyinSearchable):
    """A configurable tree of need categories (加装电梯, 环境卫生, …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    keywords = models.CharField(_("keywords"), max_length=200, blank=True,
                                help_text=_("Words that match the services units and members offer, "
                                            "separated by commas (e.g. 电梯, 加装电梯咨询)."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def lineage(self) -> list["Category"]:
        """This category and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class ConcernLevel(models.TextChoices):
    ANNOYANCE = "annoyance", _("Annoyance (烦心事)")
    WORRY = "worry", _("Worry (忧心事)")
    ANGUISH = "anguish", _("Anguish (揪心事, urgent)")


class DeadlinePolicy(models.Model):
    """How long each step may take, in working time, for a category and concern level.

    The most specific row wins: (category, level), (category, any level), then the parent category's,
    then (no category, level), then (no category, any level). Defaults are docs/product.md §3.
    """

    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="deadline_policies")
    concern_level = models.CharField(_("concern level"), max_length=10, choices=ConcernLevel.choices,
                                     blank=True, help_text=_("Empty: any concern level."))
    accept_hours = models.DecimalField(_("accept within (working hours)"), max_digits=5, decimal_places=1,
                                       default=2)
    claim_days = models.DecimalField(_("claim or dispatch within (working days)"), max_digits=5,
                                     decimal_places=1, default=1)
    resolve_days = models.DecimalField(_("resolve within (working days)"), max_digits=5, decimal_places=1,
                                       default=7)
    report_in_minutes = models.PositiveIntegerField(_("department reports in within (working minutes)"),
                                                    default=30)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        # The (no category, level) rows are kept unique by the admin's get_or_create: SQLite cannot
        # enforce a unique constraint on a NULL column.
        constraints = [models.UniqueConstraint(fields=["category", "concern_level"], name="one_policy_per_pair")]

    def __str__(self):
        return f"{self.category or _('all categories')} · {self.get_concern_level_display() or _('any level')}"


class CalendarDay(models.Model):
    """A day whose working status the administrator states: a public holiday or a make-up working day (调休).

    It wins over the `chinese_calendar` package, which knows only the years the State Council had
    published when it was released; the schedule for next year appears each November or December.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"),
                                     help_text=_("Ticked: a make-up working day. Not ticked: a day off."))
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 春节, 国庆节调休"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class Channel(models.TextChoices):
    FIELD_VISIT = "field_visit", _("Field visit (实地走访)")
    COUNCIL = "council", _("Resident council (居民议事会)")
    JOINT_MEETING = "joint", _("Joint party-building meeting (党建联席会)")
    ONLINE = "online", _("Online consultation (网络征求意见)")
    WALK_IN = "walk_in", _("Walk-in (来访)")
    HOTLINE = "hotline", _("12345 hotline")
    QR = "qr", _("QR code at a place (扫码)")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311 (城市服务接口)")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    PUBLISHED = "published", _("On the claim board")
    CLAIMED = "claimed", _("Claimed")
    IN_PROGRESS = "in_progress", _("In progress")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


class Level(models.TextChoices):
    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    DEPARTMENT = "department", _("Department")


class Rating(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied (很满意)")
    SATISFIED = "satisfied", _("Satisfied (满意)")
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")


# The tracking reference (查询码) a reporter follows their need by without an account: 8 symbols from 31 that
# cannot be mistaken for one another (no 0/O, 1/I/L), 31⁸ ≈ 8.5 × 10¹¹ of them — with 10 million needs on
# record a guess hits one in ~85,000 tries, and the tracking page is rate limited and shows no personal data.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def reference_new() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def reference_clean(text: str) -> str:
    """What a person typed, as stored: half-width (a Chinese input method may type ＡＢ), upper case, without
    spaces or hyphens (abcd-2345 → ABCD2345)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(text)).upper() if not ch.isspace() and ch != "-")


class Need(models.Model):
    title = models.CharField(pgettext_lazy("need", "title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="needs")
    concern_level = models.CharField(_("concern level"), max_length=10, choices=ConcernLevel.choices,
                                     default=ConcernLevel.ANNOYANCE)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT,
                              related_name="needs")
    reporter = models.ForeignKey("people.Person", verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reported_needs")
    # Someone without an account may leave a name and phone to be called back: personal data, seen masked by
    # the staff of the area, in full only through a logged reveal (needs.services.need_contact_reveal).
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[validate_phone])
    reference = models.CharField(_("tracking reference"), max_length=REFERENCE_LENGTH, unique=True,
                                 default=reference_new, editable=False)
    show_name = models.BooleanField(_("my name may be shown"), default=False,
                                    help_text=_("Public pages then show your surname only (张*)."))
    affected = models.PositiveIntegerField(_("people affected"), default=1)
    is_public = models.BooleanField(_("public"), default=True,
                                    help_text=_("Disputes and anything personal stay private."))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.COMMUNITY)
    # The holder: one unit or one member leads; departments lead needs the subdistrict dispatched to them.
    lead_organisation = models.ForeignKey("people.Organisation", verbose_name=_("lead unit"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="led_needs")
    lead_person = models.ForeignKey("people.Person", verbose_name=_("lead member"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="led_needs")
    collaborators = models.ManyToManyField("people.Organisation", verbose_name=_("collaborating units"),
                                           blank=True, related_name="collaborated_needs")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_needs")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution_note = models.TextField(_("completion note"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What shows it was done when there is no photo (e.g. the signed "
                                            "acceptance form)."))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_by_follow_up = models.BooleanField(_("rated on a follow-up call"), default=False)
    # Timestamps the ledger counts (found / claimed / resolved / on time / rated).
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    reported_in_at = models.DateTimeField(_("department reported in at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    accept_due = models.DateTimeField(_("accept by"), null=True, blank=True)
    claim_due = models.DateTimeField(_("claim or dispatch by"), null=True, blank=True)
    report_in_due = models.DateTimeField(_("department reports in by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    reminded_due = models.DateTimeField(null=True, blank=True, editable=False,
                                        help_text="the due time the last reminder was sent for")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["state", "-submitted_at", "-id"]),
                   models.Index(fields=["is_public", "state", "-id"]),
                   # the ledger counts needs found in a period: accepted_at ranges
                   models.Index(fields=["accepted_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(lead_organisation__isnull=True)
                                              | models.Q(lead_person__isnull=True),
                                              name="need_one_lead")]

    def __str__(self):
        return self.title

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)

    @property
    def holder(self):
        return self.lead_organisation or self.lead_person

    @property
    def holder_label(self) -> str:
        """Who holds the need, as anyone may read it (pages, API, event log): a unit by its name, a member
        with their name masked — a member's name is personal data."""
        if self.lead_organisation_id:
            return self.lead_organisation.name
        if self.lead_person_id:
            return mask_name(self.lead_person.name)
        return ""


class NeedReporter(models.Model):
    """Further reporters of a need: those of the duplicates merged into it."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="extra_reporters")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    from_need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("need reporter")
        verbose_name_plural = _("need reporters")
        constraints = [models.UniqueConstraint(fields=["need", "person"], name="one_reporter_row")]

    def __str__(self):
        return f"{self.need_id} · {self.person_id}"


class ProgressNote(models.Model):
    """A note on the need's way: progress, return reason, completion note — with its photos."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)
    text = models.TextField(_("note"))
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


def photo_path(instance, filename):
    # The uploader's file name is never kept: it may carry personal data.
    return f"needs/{instance.need_id}/{instance.token}.jpg"


def thumb_path(instance, filename):
    return f"needs/{instance.need_id}/{instance.token}.thumb.jpg"


class Photo(models.Model):
    """An image of a need, re-encoded without EXIF (no location leaves the phone), with a thumbnail."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="photos")
    note = models.ForeignKey(ProgressNote, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=thumb_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["at", "id"]

    def __str__(self):
        return self.token


class SubmissionBucket(models.Model):
    """A token bucket per client for public submissions (works on SQLite, unlike cache-based limits)."""

    key = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return self.key
