import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PinyinSearchable
from places.models import chain_of


class OrganisationKind(models.TextChoices):
    SUBDISTRICT_OFFICE = "subdistrict_office", _("Subdistrict office")
    COMMUNITY_OFFICE = "community_office", _("Community residents' committee")
    CO_BUILDING_UNIT = "co_building_unit", _("Co-building unit")
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    PROPERTY_COMPANY = "property_company", _("Property company")
    GOVERNMENT_DEPARTMENT = "government_department", _("Government department")


class Organisation(PinyinSearchable):
    """A unit: a workplace, company, association or department. Its party organisations hang below it."""

    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    place = models.ForeignKey("places.Place", verbose_name=_("located in"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="organisations")
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    service_categories = models.CharField(
        _("services offered"), max_length=300, blank=True,
        help_text=_("What the unit offers residents, separated by commas (e.g. 法律咨询, 义诊)."))

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class PartyLevel(models.TextChoices):
    COMMITTEE = "committee", _("Party committee (党委)")
    GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
    BRANCH = "branch", _("Branch (党支部)")
    WORKING_COMMITTEE = "working_committee", _("Working committee (党工委)")


class PartyOrganisation(PinyinSearchable):
    """党组织: a unit's own branch, or a community's committee and its branches, or a grid branch.

    A unit's party organisation has `organisation`; a community committee or grid branch has `place`
    (the community or the grid) and belongs to the community's hierarchy through `parent`.
    """

    level = models.CharField(_("level"), max_length=20, choices=PartyLevel.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="party_organisations")
    place = models.ForeignKey("places.Place", verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="party_organisations")
    parent = models.ForeignKey("self", verbose_name=_("higher organisation"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)

    @property
    def is_grid_branch(self) -> bool:
        return self.place_id is not None and self.place.kind == "grid"


class AgreementState(models.TextChoices):
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")


class CoBuildingAgreement(models.Model):
    """共驻共建协议: links a unit to the subdistrict or a community from a date."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("unit"), on_delete=models.PROTECT,
                                     related_name="agreements")
    place = models.ForeignKey("places.Place", verbose_name=_("with"), on_delete=models.PROTECT,
                              related_name="agreements")
    signed_on = models.DateField(_("signed on"))
    state = models.CharField(_("state"), max_length=10, choices=AgreementState.choices,
                             default=AgreementState.ACTIVE)

    class Meta:
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["signed_on"]
        constraints = [models.UniqueConstraint(fields=["organisation", "place"], name="one_agreement_per_pair")]

    def __str__(self):
        return f"{self.organisation} ↔ {self.place}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def validate_phone(value: str):
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _("“%(value)s” is not a phone number: use an 11-digit mobile number such as 13812345678, "
              "or a landline with area code such as 0931-8123456."), params={"value": value}, code="phone")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Person(PinyinSearchable):
    """Anyone the subdistrict knows: resident, party member, volunteer, staff — or several.

    Name, phone and room are personal data (PIPL): shown masked unless the viewer's role needs them,
    and every full view is written to PersonalDataAccess.
    """

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    home = models.ForeignKey("places.Place", verbose_name=_("lives in"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="people",
                             help_text=_("The compound, building or entrance where the person lives."))
    room = models.CharField(_("room"), max_length=20, blank=True)
    is_resident = models.BooleanField(_("resident"), default=False)
    skills = models.CharField(_("skills"), max_length=300, blank=True,
                              help_text=_("What the person can help with, separated by commas."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        # Published text is checked against the names of people on record by looking its words up here
        # (people.public.named_in), not by reading a community's people.
        indexes = [models.Index(fields=["name"], name="person_name")]
        constraints = [
            # The roster key: the same phone is the same person, so re-importing a roster changes nothing.
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="unique_phone",
                violation_error_message=_("This phone number already belongs to another person on record.")),
        ]

    def __str__(self):
        return self.name


class PartyMembership(models.Model):
    """A person's membership of the party branch of their work unit."""

    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="memberships")
    party_organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("branch"),
                                           on_delete=models.PROTECT, related_name="memberships")
    in_service = models.BooleanField(_("in service"), default=True,
                                     help_text=_("在职党员: works at the unit (not retired)."))
    joined_on = models.DateField(_("joined the branch on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        constraints = [models.UniqueConstraint(fields=["person", "party_organisation"],
                                               name="one_membership_per_branch")]

    def __str__(self):
        return f"{self.person} · {self.party_organisation}"


class OrganisationReport(models.Model):
    """双报到, the unit side: a unit's party organisation reports to a community."""

    party_organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("party organisation"),
                                           on_delete=models.PROTECT, related_name="reports")
    community = models.ForeignKey("places.Place", verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="organisation_reports")
    reported_on = models.DateField(_("reported on"))

    class Meta:
        verbose_name = _("organisation report")
        verbose_name_plural = _("organisation reports")
        constraints = [models.UniqueConstraint(fields=["party_organisation", "community"],
                                               name="one_report_per_org_and_community")]

    def __str__(self):
        return f"{self.party_organisation} → {self.community}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.community)


class MemberReportState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    PLACED = "placed", _("Placed in a grid branch")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MemberReport(models.Model):
    """双报到, the member side: an in-service member reports where they live and is placed in a grid branch."""

    membership = models.ForeignKey(PartyMembership, verbose_name=_("membership"), on_delete=models.PROTECT,
                                   related_name="reports")
    community = models.ForeignKey("places.Place", verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="member_reports")
    reported_on = models.DateField(_("reported on"))
    state = models.CharField(_("state"), max_length=10, choices=MemberReportState.choices,
                             default=MemberReportState.REPORTED)
    grid_branch = models.ForeignKey(PartyOrganisation, verbose_name=_("grid branch"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="placed_reports")
    placed_on = models.DateField(_("placed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member report")
        verbose_name_plural = _("member reports")
        constraints = [models.UniqueConstraint(fields=["membership"], condition=~models.Q(state="withdrawn"),
                                               name="one_open_report_per_membership")]

    def __str__(self):
        return f"{self.membership.person} → {self.community}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.community)


class Team(PinyinSearchable):
    """A volunteer team such as 红色长城护卫队 or 红马甲解答队."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    community = models.ForeignKey("places.Place", verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="teams")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organised by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="teams")
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.community)


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="team_memberships")
    is_leader = models.BooleanField(_("leader"), default=False)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "person"], name="one_membership_per_team")]

    def __str__(self):
        return f"{self.team} · {self.person}"


class CommitteeMember(models.Model):
    """社工委委员: a seat on a community's community-building work committee."""

    community = models.ForeignKey("places.Place", verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="committee_members")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="committee_seats")
    organisation = models.ForeignKey(Organisation, verbose_name=_("member unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="committee_seats")
    represents = models.CharField(_("represents"), max_length=100, blank=True,
                                  help_text=_("e.g. 社区党委, 居委会, 人大代表, 退役军人, 驻区单位"))
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["since", "id"]

    def __str__(self):
        return f"{self.community} · {self.organisation or self.person}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.community)


class Honour(models.Model):
    """荣誉: an award a community or a unit received."""

    title = models.CharField(_("title"), max_length=100)
    place = models.ForeignKey("places.Place", verbose_name=_("community"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="honours")
    organisation = models.ForeignKey(Organisation, verbose_name=_("unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="honours")
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.CharField(_("awarded by"), max_length=100)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["awarded_on"]

    def __str__(self):
        return self.title

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Subdistrict admin")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    UNIT_ADMIN = "unit_admin", _("Unit admin")
    PARTY_MEMBER = "party_member", _("Party member / volunteer")
    RESIDENT = "resident", _("Resident")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


# The scope each role is granted over: a place of this kind, an organisation, or only the person themself.
ROLE_SCOPE_KIND = {
    Role.SUBDISTRICT_ADMIN: "subdistrict",
    Role.COMMUNITY_STAFF: "community",
    Role.GRID_WORKER: "grid",
    Role.COMMITTEE_MEMBER: "community",
    Role.UNIT_ADMIN: "organisation",
    Role.PARTY_MEMBER: "self",
    Role.RESIDENT: "self",
}


class RoleAssignment(models.Model):
    """An account's role over a scope: a place (subdistrict, community, grid) or an organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
                             related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    place = models.ForeignKey("places.Place", verbose_name=_("place scope"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="role_assignments")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation scope"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="role_assignments")

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "place", "organisation"],
                                               name="unique_role_assignment")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.place or self.organisation or ''}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)

    def clean(self):
        scope = ROLE_SCOPE_KIND[self.role]
        if scope == "organisation":
            if not self.organisation_id or self.place_id:
                raise ValidationError(_("A unit admin's scope is one organisation."))
        elif scope == "self":
            if self.place_id or self.organisation_id:
                raise ValidationError(_("This role's scope is the person themself; leave place and "
                                        "organisation empty."))
        elif not self.place_id or self.place.kind != scope or self.organisation_id:
            raise ValidationError({"place": _("This role's scope must be a place of kind “%(kind)s”.")
                                   % {"kind": scope}})


class PersonalDataAccess(models.Model):
    """Each time someone saw a person's unmasked personal data: who, whose, which fields, when."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("viewer"), on_delete=models.PROTECT,
                               related_name="personal_data_accesses")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="accesses")
    fields = models.CharField(_("fields"), max_length=100)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.viewer} → {self.person_id} @ {self.at:%Y-%m-%d %H:%M}"


def token_hash(token: str) -> str:
    """Only a token's SHA-256 is stored, so a copy of the database cannot be used to call the API."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored. Revoking one deletes its row (the event log
    keeps that it was issued and revoked), so a revoked token is the same as one never issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # What the owner calls it ("12345 hotline bridge"), to tell their tokens apart on the tokens page.
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    # Updated at most every LAST_USED_EVERY (people/api.py), not on every request: a write per call would queue
    # every API read behind SQLite's write lock.
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} · {self.expires_at:%Y-%m-%d}"


class CallerVersion(models.Model):
    """One row whose number moves whenever what a caller is changes — an account's roles, its activity or
    flags, its tokens, the person its account is linked to (people.services.caller_changed) — so that each
    process may keep the callers it has seen (people/api.py) for as long as the number stays the same."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.value)
