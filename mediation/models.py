"""Mediation (矛盾纠纷调解): neighbour disputes from intake to follow-up, settled at the lowest level — "小事不出社区，
大事不出街道" — and always private.

The People's Mediation Law shapes it: mediation is free and voluntary (a party may refuse, and then there is no
mediation), the parties' privacy is protected, a case file holds the registration, the record of each stage and any
agreement; an agreement (调解协议书) states the parties, the facts and disputed matters, the terms and how and by when
they are performed, and is signed by the parties and the mediator. The stages and their order: mediation.workflow.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.models import validate_phone
from places.models import chain_of


class BuildingPair(models.Model):
    """楼院长 + 物业楼长: the building head (a resident) and the property company's building manager who watch a
    building together and are the first mediators of its disputes."""

    building = models.OneToOneField("places.Place", verbose_name=_("building"), on_delete=models.PROTECT,
                                    related_name="building_pair")
    head = models.ForeignKey("people.Person", verbose_name=_("building head (楼院长)"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="buildings_headed")
    manager = models.ForeignKey("people.Person", verbose_name=_("property building manager (物业楼长)"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="buildings_managed")
    property_company = models.ForeignKey("people.Organisation", verbose_name=_("property company"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="building_pairs")
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("building pair")
        verbose_name_plural = _("building pairs")
        constraints = [models.CheckConstraint(condition=models.Q(head__isnull=False) | models.Q(manager__isnull=False),
                                              name="building_pair_has_someone",
                                              violation_error_message=_("Name the building head or the manager."))]

    def __str__(self):
        return str(self.building)


class DisputeKind(models.TextChoices):
    LEAK = "leak", _("Leak (漏水)")
    PET = "pet", _("Pets (宠物)")
    NOISE = "noise", _("Noise (噪音)")
    PARKING = "parking", _("Parking (停车)")
    ELEVATOR = "elevator", _("Elevator installation (加装电梯)")
    PROPERTY = "property", _("Property management (物业)")
    BOUNDARY = "boundary", _("Shared space and boundaries (公共空间)")
    FAMILY = "family", _("Family (婚姻家庭)")
    OTHER = "other", _("Other (其他)")


class Level(models.TextChoices):
    """Where a dispute is handled, lowest first; the ledger's "settled within the community" is building or
    community, "within the subdistrict" adds subdistrict."""

    BUILDING = "building", _("Building (楼栋)")
    COMMUNITY = "community", _("Community (社区)")
    SUBDISTRICT = "subdistrict", _("Subdistrict (街道)")
    BEYOND = "beyond", _("Beyond the subdistrict")


LEVEL_ORDER = [Level.BUILDING, Level.COMMUNITY, Level.SUBDISTRICT, Level.BEYOND]


class DisputeState(models.TextChoices):
    RECEIVED = "received", _("Received (受理)")
    ASSESSED = "assessed", _("Assessed (研判)")
    MEDIATING = "mediating", _("Mediating (调解)")
    CONCLUDED = "concluded", _("Outcome recorded, to be fed back (反馈)")
    FED_BACK = "fed_back", _("Fed back, to be followed up (回访)")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("Settled by agreement")
    NO_AGREEMENT = "no_agreement", _("No agreement: referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("A party refused mediation")


class Dispute(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=DisputeKind.choices)
    title = models.CharField(pgettext_lazy("dispute", "title"), max_length=100,
                             help_text=_("In general terms: 楼上漏水, 犬只扰民 — no names or rooms."))
    description = models.TextField(_("what happened"), max_length=4000, blank=True)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT,
                              related_name="disputes")
    need = models.OneToOneField("needs.Need", verbose_name=_("from the need"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="dispute")
    state = models.CharField(_("stage"), max_length=10, choices=DisputeState.choices, default=DisputeState.RECEIVED)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.BUILDING)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    settled_level = models.CharField(_("settled at level"), max_length=12, choices=Level.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True,
                                   help_text=_("e.g. 12345热线, 人民法院, 住建部门"))
    performed = models.BooleanField(_("terms performed (回访)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    due_at = models.DateTimeField(_("settle by"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "-received_at"], name="dispute_state_received"),
                   models.Index(fields=["concluded_at"], name="dispute_concluded")]  # the ledger counts by it

    def __str__(self):
        return self.title

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant (申请人)")
    RESPONDENT = "respondent", _("Respondent (被申请人)")
    OTHER = "other", _("Other party")


class Party(models.Model):
    """A party to a dispute: a person on record, or someone described by name and phone (personal data: staff and
    the case's mediators read it masked, in full only through a logged view)."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    person = models.ForeignKey("people.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="dispute_parties")
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=100, blank=True, help_text=_("e.g. 3单元502"))
    refused = models.BooleanField(_("refused mediation"), default=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute_id", "role", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(person__isnull=False) | ~models.Q(name=""),
                                              name="party_is_someone",
                                              violation_error_message=_("A party is a person on record or a name."))]

    def __str__(self):
        return self.person.name if self.person_id else self.name


class MediatorKind(models.TextChoices):
    BUILDING_HEAD = "building_head", _("Building head (楼院长)")
    PROPERTY_MANAGER = "property_manager", _("Property building manager (物业楼长)")
    HELP_TEAM = "help_team", _("Help team (家园帮扶队)")
    COMMUNITY = "community", _("Community staff")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMITTEE = "committee", _("People's mediation committee (人民调解委员会)")


class Mediator(models.Model):
    """Who mediates a case: a person (the building pair, a help-team member), a team, or an account of the
    community or subdistrict; they — and staff whose area holds the place — are the only ones who read the case."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="mediators")
    kind = models.CharField(_("kind"), max_length=16, choices=MediatorKind.choices)
    person = models.ForeignKey("people.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="mediations")
    team = models.ForeignKey("people.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="mediations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="mediations")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["dispute_id", "added_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(person__isnull=False) | models.Q(team__isnull=False)
                                              | models.Q(user__isnull=False), name="mediator_is_someone",
                                              violation_error_message=_("A mediator is a person, a team or an "
                                                                        "account."))]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person or self.team or self.user}"


class Step(models.Model):
    """One record per action on a dispute (mediation.workflow ACTIONS): the stage's record in the case file."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16)
    state = models.CharField(_("stage after"), max_length=10, choices=DisputeState.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    note = models.TextField(_("record"), max_length=4000, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("stage record")
        verbose_name_plural = _("stage records")
        ordering = ["dispute_id", "at", "id"]

    def __str__(self):
        return f"{self.dispute} · {self.action}"


class Agreement(models.Model):
    """调解协议书: the parties (the case's), the facts and disputed matters, the terms, how and by when they are
    performed; printed with signature lines (mediation.agreements)."""

    dispute = models.OneToOneField(Dispute, verbose_name=_("dispute"), on_delete=models.PROTECT,
                                   related_name="agreement")
    number = models.CharField(_("number"), max_length=30, unique=True)
    facts = models.TextField(_("facts and disputed matters"), max_length=4000)
    terms = models.TextField(_("terms agreed"), max_length=4000)
    performance = models.TextField(_("how the terms are performed"), max_length=2000)
    perform_by = models.DateField(_("performed by"))
    signed_on = models.DateField(_("signed on"))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self):
        return self.number
