"""Volunteering: activities, sign-ups with check-in and check-out, service hours certified by the organiser, each
volunteer's record (training, commendations, evaluations) and the certificates anyone can verify.

The national rules for volunteer service records (志愿服务记录与证明出具办法) shape it: hours are actual service time
without travel; whoever organises records, and whoever records certifies (谁组织谁记录、谁记录谁证明); corrections
keep the old value and the reason (volunteering.models.HoursCorrection and the events); records are never deleted
automatically (VOLUNTEER_RECORD_YEARS).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import PinyinSearchable
from places.models import chain_of


class ActivityKind(models.TextChoices):
    TRAFFIC = "traffic", _("Civilised-traffic persuasion (文明交通劝导)")
    EPIDEMIC = "epidemic", _("Epidemic-prevention publicity (防疫宣传)")
    FLOOD = "flood", _("Flood emergency (防汛应急)")
    FIRE = "fire", _("Fire safety (消防安全)")
    CLEAN_UP = "clean_up", _("Clean-up and waste sorting (环境清洁与垃圾分类)")
    CONSULTATION = "consultation", _("Consultation and Q&A (咨询解答)")
    CARE = "care", _("Care visits (关爱帮扶)")
    OTHER = "other", _("Other (其他)")


class Activity(PinyinSearchable):
    """One occurrence of a volunteer activity; a weekly series is one record per occurrence (`series` the first)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    name = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    # The organiser: a team, or a unit / community office (谁组织谁记录): its leaders or admins certify the hours.
    team = models.ForeignKey("people.Team", verbose_name=_("organising team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="activities")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("organising unit"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="activities")
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT,
                              related_name="activities")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(pgettext_lazy("seats", "places"), null=True, blank=True,
                                           help_text=_("Empty: no limit."))
    series = models.ForeignKey("self", verbose_name=_("first of the series"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="occurrences")
    is_published = models.BooleanField(_("published"), default=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    # The secret in the check-in QR code shown at the activity (a new one for each occurrence).
    checkin_code = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="activity_start"),
                   models.Index(fields=["place", "starts_at"], name="activity_place_start"),
                   models.Index(fields=["ends_at"], name="activity_end")]  # the ledger counts by the end
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after",
                                   violation_error_message=_("An activity ends after it starts.")),
            models.CheckConstraint(condition=models.Q(team__isnull=False) | models.Q(organisation__isnull=False),
                                   name="activity_has_organiser",
                                   violation_error_message=_("An activity is organised by a team or a unit.")),
        ]

    def __str__(self):
        return f"{self.name} · {self.starts_at:%Y-%m-%d}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class Volunteer(models.Model):
    """A person's volunteer record: its number (志愿者编号), and whether their name may appear in public."""

    person = models.OneToOneField("people.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                                  related_name="volunteer")
    number = models.CharField(_("volunteer number"), max_length=30, unique=True)
    id_card_number = models.CharField(_("ID card number"), max_length=18, blank=True,
                                      help_text=_("Only if the volunteer asks for it on certificates."))
    registered_on = models.DateField(_("registered on"))
    name_public = models.BooleanField(_("name may be shown in public"), default=False)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["number"]

    def __str__(self):
        return self.number


class SignupState(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Signup(models.Model):
    """A volunteer's place in an activity, with the check-in and check-out that propose the hours."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="signups")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                  related_name="signups")
    state = models.CharField(_("state"), max_length=10, choices=SignupState.choices)
    is_walk_in = models.BooleanField(_("added on the day by the organiser"), default=False)
    signed_up_at = models.DateTimeField(_("signed up at"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="one_signup_per_activity")]

    def __str__(self):
        return f"{self.activity} · {self.volunteer}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return self.activity.events_chain


class HoursState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CERTIFIED = "certified", _("Certified")
    QUERIED = "queried", _("Queried by the volunteer")


class ServiceHours(models.Model):
    """An entry of service hours: actual service time without travel, certified by the organiser."""

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                  related_name="hours")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="hours")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    content = models.CharField(_("service content"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=HoursState.choices)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("certified by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    query_reason = models.CharField(_("query"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["activity__starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "activity"], name="one_hours_per_activity"),
                       models.CheckConstraint(condition=models.Q(hours__gt=0), name="hours_positive")]

    def __str__(self):
        return f"{self.volunteer} · {self.hours}"


class HoursCorrection(models.Model):
    """A change to certified hours: the old value stays, with the reason and who changed it."""

    entry = models.ForeignKey(ServiceHours, verbose_name=_("entry"), on_delete=models.PROTECT,
                              related_name="corrections")
    old_hours = models.DecimalField(_("old hours"), max_digits=5, decimal_places=2)
    new_hours = models.DecimalField(_("new hours"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("hours correction")
        verbose_name_plural = _("hours corrections")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.entry} · {self.old_hours} → {self.new_hours}"


class RecordEntryKind(models.TextChoices):
    TRAINING = "training", _("Training (培训)")
    COMMENDATION = "commendation", _("Commendation (表彰)")
    EVALUATION = "evaluation", _("Evaluation (评价)")


class RecordEntry(models.Model):
    """Training, a commendation or an evaluation on a volunteer's record."""

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                  related_name="record_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=RecordEntryKind.choices)
    title = models.CharField(_("title"), max_length=200)
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("training hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    by = models.ForeignKey("people.Organisation", verbose_name=pgettext_lazy("record entry", "by"), null=True,
                           blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("record entry")
        verbose_name_plural = _("record entries")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.volunteer} · {self.title}"


class Certificate(models.Model):
    """A certificate of volunteer service (志愿服务记录证明). What it states is kept as issued, so that the
    public verification page shows exactly what was printed, whatever is corrected later."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                  related_name="certificates")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    content = models.TextField(_("service content"))
    with_id_card = models.BooleanField(_("with the ID card number"), default=False)
    issuer = models.ForeignKey("people.Organisation", verbose_name=_("issued by"), on_delete=models.PROTECT,
                               related_name="+")
    person_in_charge = models.CharField(_("person in charge"), max_length=50)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.PROTECT,
                                   related_name="+")
    contact = models.CharField(_("contact telephone"), max_length=30)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "id"]

    def __str__(self):
        return self.number
