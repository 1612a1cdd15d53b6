"""The offers list (实事清单): what units and members offer, its sessions, and residents' bookings of them.

An offer's booking rules are data on the offer (minimum notice, horizon, cancellation notice, bookings per
person per period, confirmation, no-show limit, who may book); `offers.rules` reads them and says why a
booking is refused and what is possible instead. A booking's lifecycle is `offers.workflow`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import PinyinSearchable
from places.models import chain_of


class OfferKind(models.TextChoices):
    CLINIC = "clinic", _("Free clinic (义诊)")
    TRAINING = "training", _("Training (培训)")
    LECTURE = "lecture", _("Lecture (讲座)")
    DONATION = "donation", _("Donation (捐赠)")
    CONSULTATION = "consultation", _("Consultation (咨询)")
    TRANSPORT = "transport", _("Transport (接送)")
    OTHER = "other", _("Other (其他)")


class Confirmation(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    PROVIDER = "provider", _("By the provider")


class EligibilityGroup(models.TextChoices):
    """Who an offer may be limited to; community staff record who belongs (e.g. after seeing a 残疾人证)."""

    ELDERLY = "elderly", _("Elderly (老年人, 60 and over)")
    MOBILITY = "mobility", _("Mobility difficulties (行动不便)")
    DISABLED = "disabled", _("Disabled (残疾人)")
    LOW_INCOME = "low_income", _("Subsistence allowance (低保)")
    STUDENT_FAMILY = "student_family", _("Families with pupils (学生家庭)")


class Offer(PinyinSearchable):
    """One deed on a unit's or member's offers list, with the rules for booking it."""

    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    name = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("provider (unit)"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="offers")
    person = models.ForeignKey("people.Person", verbose_name=_("provider (member)"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="offers")
    communities = models.ManyToManyField("places.Place", verbose_name=_("communities served"),
                                         related_name="offers")
    place = models.ForeignKey("places.Place", verbose_name=_("where"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              help_text=_("Where the sessions take place; empty for a service that comes to you."))
    is_published = models.BooleanField(_("published"), default=False)
    bookable = models.BooleanField(_("bookable"), default=True,
                                   help_text=_("Off for an offer one attends without booking (a donation drive)."))
    # --- Booking rules (offers.rules enforces them; the refusal says what is possible instead) ---
    eligibility = models.JSONField(_("eligible groups"), default=list, blank=True,
                                   help_text=_("Empty: anyone may book. Otherwise a person must belong to one."))
    residents_only = models.BooleanField(_("residents of the communities served only"), default=True)
    min_notice_hours = models.PositiveIntegerField(_("minimum notice (hours)"), default=0)
    horizon_days = models.PositiveIntegerField(_("bookable up to (days ahead)"), default=30)
    cancel_notice_hours = models.PositiveIntegerField(_("cancellation notice (hours)"), default=0)
    per_person_limit = models.PositiveIntegerField(_("bookings per person per period"), null=True, blank=True,
                                                   help_text=_("Empty: no limit."))
    per_person_days = models.PositiveIntegerField(_("period (days)"), default=30)
    confirmation = models.CharField(_("confirmation"), max_length=10, choices=Confirmation.choices,
                                    default=Confirmation.AUTOMATIC)
    no_show_limit = models.PositiveIntegerField(
        _("no-show limit"), null=True, blank=True,
        help_text=_("After this many no-shows in the last 90 days a person may not book this offer. Empty: none."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["kind", "name", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(organisation__isnull=False) | models.Q(person__isnull=False), name="offer_has_provider",
            violation_error_message=_("An offer is provided by a unit or by a member."))]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)

    def clean(self):
        unknown = [g for g in self.eligibility or [] if g not in EligibilityGroup.values]
        if unknown or not isinstance(self.eligibility, list):
            raise ValidationError({"eligibility": _("Unknown eligible group: %(groups)s.")
                                   % {"groups": "、".join(map(str, unknown))}})
        if self.organisation_id is None and self.person_id is None:
            raise ValidationError(_("An offer is provided by a unit or by a member."))


class Session(models.Model):
    """One bookable occurrence of an offer (a one-off session, or one slot of a recurring schedule)."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(pgettext_lazy("seats", "places"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["offer", "starts_at"], name="session_offer_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after",
                                   violation_error_message=_("A session ends after it starts.")),
            models.CheckConstraint(condition=models.Q(capacity__gte=1, capacity__lte=10000),
                                   name="session_capacity_range",
                                   violation_error_message=_("A session has from 1 to 10,000 places.")),
        ]

    def __str__(self):
        return f"{self.offer} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return self.offer.events_chain


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("A place is offered")
    FULFILLED = "fulfilled", _("Fulfilled")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Offer of a place lapsed")


class Booking(models.Model):
    """A person's booking of a session: made by the person or by staff on their behalf (booked_by)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="bookings")
    person = models.ForeignKey("people.Person", verbose_name=_("for"), on_delete=models.PROTECT,
                               related_name="bookings")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=BookingState.choices, db_index=True)
    seats = models.PositiveSmallIntegerField(pgettext_lazy("seats", "places"), default=1)
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("e.g. where to be picked up; seen by the provider and staff only."))
    created_at = models.DateTimeField(_("booked at"))
    changed_at = models.DateTimeField(_("changed at"))
    offered_until = models.DateTimeField(_("place held until"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "state"], name="booking_session_state"),
                   models.Index(fields=["person", "state"], name="booking_person_state")]

    def __str__(self):
        return f"{self.session} · {self.get_state_display()}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return self.session.events_chain


class Eligibility(models.Model):
    """That a person belongs to an eligible group, as recorded by staff (who, when, on what evidence)."""

    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="eligibilities")
    group = models.CharField(_("group"), max_length=20, choices=EligibilityGroup.choices)
    note = models.CharField(_("evidence"), max_length=200, blank=True, help_text=_("e.g. 残疾人证 seen"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("eligibility")
        verbose_name_plural = _("eligibilities")
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="unique_eligibility")]

    def __str__(self):
        return self.get_group_display()
