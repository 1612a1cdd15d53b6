"""Forms of the mediation pages: they parse input; mediation.services validates and writes (its refusals are put
next to the fields by `add_service_errors`)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.params import day_validators
from mediation import permissions
from mediation.models import BuildingPair, DisputeKind, DisputeState, Level, MediatorKind, PartyRole
from people import scopes
from people.forms import PersonPicker
from people.models import Organisation, Person, Team
from places.forms import PickerField, PlacePickerField, place_picker_register
from places.models import Place, PlaceKind
from places.selectors import within

DAY = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": day_validators}
NOTE = {"widget": forms.Textarea(attrs={"rows": 3}), "max_length": 4000}
DISPUTE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE,
                 PlaceKind.BUILDING, PlaceKind.ENTRANCE)


def paired_buildings(user):
    """The buildings whose pair the user's person is (head or manager)."""
    person = scopes.person_of(user)
    if person is None:
        return BuildingPair.objects.none()
    return BuildingPair.objects.filter(Q(head=person) | Q(manager=person)).select_related("building")


def receivable_places(user):
    """Where the user may record a dispute (mediation.permissions.may_receive, as a queryset): staff their area,
    a building's pair its building and entrances."""
    places = Place.objects.filter(kind__in=DISPUTE_KINDS).order_by("code")
    if scopes.is_superuser(user):
        return places
    if not getattr(user, "is_authenticated", False):
        return places.none()
    codes = [*scopes.place_prefixes(user, permissions.STAFF_ROLES),
             *(p.building.code for p in paired_buildings(user))]
    return places.filter(within(codes)) if codes else places.none()


place_picker_register("mediation", receivable_places)


def _text(label, *, required=False, max_length=100, **attrs):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs) if attrs else None)


class ServiceErrors:
    """A refusal of the services next to its field (or on top of the form)."""

    def add_service_errors(self, error: ValidationError, fields: dict | None = None) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, errors in error.message_dict.items():
            field = (fields or {}).get(field, field)
            self.add_error(field if field in self.fields and field != NON_FIELD_ERRORS else None, errors)


# --- The intake ---

def person_picker(user, url: str) -> PersonPicker:
    """People on record the user may open, and for a building's pair the people living in the building; found by
    name, pinyin or phone (shown masked)."""
    people = Person.objects.filter(pk__in=scopes.persons_visible_to(user).values("pk"))
    buildings = [p.building.code for p in paired_buildings(user)]
    if buildings:
        people = Person.objects.filter(Q(pk__in=people.values("pk")) | within(buildings, "home"))
    return PersonPicker(people, url)


class PartyForm(forms.Form):
    """One party: a person on record (picked), or a name, phone and address; a row left empty is no party."""

    role = forms.ChoiceField(label=_("role"), choices=PartyRole.choices, required=False)
    person = PickerField(label=_("A person on record"), required=False,
                         placeholder=_("Name, pinyin or phone (last 4 digits)"))
    name = _text(_("or a name"), max_length=50, autocomplete="off")
    phone = _text(_("phone"), max_length=20, type="tel", inputmode="tel", autocomplete="off")
    address = _text(_("address"), placeholder=_("e.g. 3单元502"), autocomplete="off")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].picker = person_picker(user, reverse("mediation:receive_pick"))

    def clean(self):
        data = super().clean()
        if self.used() and not data.get("role"):
            self.add_error("role", _("Choose the party's role."))
        return data

    def used(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("person", "name", "phone", "address"))

    def party(self) -> dict:
        return {k: self.cleaned_data.get(k) or ("" if k != "person" else None)
                for k in ("role", "person", "name", "phone", "address")}


PARTY_ROWS = (PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.OTHER)


def party_forms(data, user) -> list[PartyForm]:
    """Three rows: the applicant, the other party, and a third party if there is one."""
    return [PartyForm(data, user=user, prefix=f"p{i}", initial={"role": role})
            for i, role in enumerate(PARTY_ROWS, start=1)]


class ReceiveForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *DisputeKind.choices])
    title = _text(_("title of the dispute"), required=True, placeholder=_("In general terms: 楼上漏水, 犬只扰民"))
    place = PlacePickerField(label=_("place"))
    description = forms.CharField(label=_("what happened"), required=False, **NOTE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("mediation", user)
        self.fields["title"].help_text = _("No names, phones or rooms: the parties are recorded below.")


class FromNeedForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *DisputeKind.choices])
    title = _text(_("title of the dispute"), placeholder=_("Left empty: the need's title, if it names no one"))


# --- The stages: one form per action, its fields those the service takes ---

class ActionForm(ServiceErrors, forms.Form):
    note = forms.CharField(label=_("record of this stage"), required=False, **NOTE)

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispute = dispute

    def fields_for_service(self) -> dict:
        return dict(self.cleaned_data)


class AssessForm(ActionForm):
    level = forms.ChoiceField(label=_("handled at level"), required=False, choices=[("", "—"), *Level.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("level", self.dispute.level)

    def fields_for_service(self):
        return {"note": self.cleaned_data["note"], "level": self.cleaned_data["level"] or None}


class AgreeForm(ActionForm):
    facts = forms.CharField(label=_("facts and disputed matters"), **NOTE)
    terms = forms.CharField(label=_("terms agreed"), **NOTE)
    performance = forms.CharField(label=_("how the terms are performed"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    perform_by = forms.DateField(label=_("performed by"), **DAY)
    signed_on = forms.DateField(label=_("signed on"), **DAY)

    field_order = ["facts", "terms", "performance", "perform_by", "signed_on", "note"]


class NoAgreementForm(ActionForm):
    referred_to = _text(_("referred to"), required=True, placeholder=_("e.g. 12345热线, 人民法院, 住建部门"))
    field_order = ["referred_to", "note"]


class RefuseForm(ActionForm):
    party = forms.ModelChoiceField(label=_("the party who refuses"), queryset=None)
    field_order = ["party", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from mediation.selectors import party_label

        self.fields["party"].queryset = self.dispute.parties.select_related("person")
        self.fields["party"].label_from_instance = lambda p: f"{p.get_role_display()} · {party_label(p, full=True)}"


class FollowUpForm(ActionForm):
    performed = forms.TypedChoiceField(label=_("were the terms performed?"), widget=forms.RadioSelect,
                                       choices=[("yes", _("Yes, performed")), ("no", _("No, not performed"))],
                                       coerce=lambda v: v == "yes")
    field_order = ["performed", "note"]


ACTION_FORMS = {"assess": AssessForm, "agree": AgreeForm, "no_agreement": NoAgreementForm, "refuse": RefuseForm,
                "follow_up": FollowUpForm}


def action_form(action: str, dispute, data=None) -> ActionForm:
    return ACTION_FORMS.get(action, ActionForm)(data, dispute=dispute, prefix=action, auto_id=f"id_{action}_%s")


# --- Parties and mediators added to a case ---

class PartyAddForm(ServiceErrors, PartyForm):
    def __init__(self, *args, user, dispute, **kwargs):
        forms.Form.__init__(self, *args, prefix="party", **kwargs)
        self.fields["person"].picker = person_picker(user, reverse("mediation:pick", args=[dispute.pk, "party"]))
        self.initial.setdefault("role", PartyRole.RESPONDENT)

    def clean(self):
        data = super().clean()
        if not self.errors and not self.used():
            raise forms.ValidationError(_("Pick a person on record or write the party's name."))
        return data


class MediatorAddForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("as"), choices=MediatorKind.choices, initial=MediatorKind.HELP_TEAM)
    team = forms.ModelChoiceField(label=_("a team"), queryset=None, required=False)
    person = PickerField(label=_("or a person on record"), required=False,
                         placeholder=_("Name, pinyin or phone (last 4 digits)"))

    def __init__(self, *args, user, dispute, **kwargs):
        super().__init__(*args, prefix="mediator", **kwargs)
        community = dispute.place.code[:12]
        self.fields["team"].queryset = Team.objects.filter(
            Q(community__code=community) | Q(community__isnull=True)).order_by("name")
        self.fields["person"].picker = person_picker(user, reverse("mediation:pick", args=[dispute.pk, "mediator"]))

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("team")) == bool(data.get("person")):
            raise forms.ValidationError(_("Choose a team or a person, one of them."))
        return data


# --- A building's pair, on the building's place page ---

class PairForm(ServiceErrors, forms.Form):
    head = PickerField(label=_("building head (楼院长)"), required=False,
                       placeholder=_("Name, pinyin or phone (last 4 digits)"))
    manager = PickerField(label=_("property building manager (物业楼长)"), required=False,
                          placeholder=_("Name, pinyin or phone (last 4 digits)"))
    property_company = forms.ModelChoiceField(label=_("property company"), queryset=None, required=False)
    since = forms.DateField(label=_("since"), **DAY)

    def __init__(self, *args, user, building, **kwargs):
        super().__init__(*args, prefix="pair", **kwargs)
        for name in ("head", "manager"):
            self.fields[name].picker = person_picker(user, reverse("mediation:pair_pick", args=[building.code, name]))
        self.fields["property_company"].queryset = Organisation.objects.filter(
            within(building.code[:12], "place"), kind="property_company").order_by("name")


STATE_FILTER = [("", _("Every stage")), ("open", _("Still to settle")), *DisputeState.choices]


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Words of the title"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search"}))
    state = forms.ChoiceField(label=_("stage"), required=False, choices=STATE_FILTER)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("Every kind")), *DisputeKind.choices])
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", _("Every level")), *Level.choices])
    overdue = forms.BooleanField(label=_("Past the settle-by date"), required=False)
    place = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    def filters(self) -> dict:
        """The selector's keyword arguments (mediation.selectors.disputes_for); an invalid filter is no filter."""
        data = self.cleaned_data if self.is_valid() else {}
        place = Place.objects.filter(code=data["place"]).first() if data.get("place", "").isdigit() else None
        return {"text": data.get("q", ""), "state": data.get("state", ""), "kind": data.get("kind", ""),
                "level": data.get("level", ""), "overdue": True if data.get("overdue") else None, "place": place}
