"""Forms of the offers pages: they parse input; offers.services validates the booking rules and writes."""

import datetime

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ServiceModelForm
from core.params import day_validators, int_param
from offers import selectors
from offers.models import EligibilityGroup, Offer, OfferKind
from people import scopes
from people.forms import PersonPicker
from people.models import Organisation
from places.forms import (
    SEARCH_TERMS,
    Choice,
    CommunityPickerField,
    Picker,
    PickerField,
    PlacePickerField,
    place_picker_register,
)
from places.models import Place, PlaceKind
from places.selectors import within

SEATS_MAX = 10  # places one booking may take on the page (the service allows more, for staff by the API)


def offer_places(user):
    """Where an offer's sessions may take place: any place of the tree (a clinic at a community's hall), for those
    who fill in an offer's form (signed in); nothing for a visitor."""
    return Place.objects.all() if getattr(user, "is_authenticated", False) else Place.objects.none()


place_picker_register("offer", offer_places)
# The list's filter: the communities that published offers serve (another is no use to filter by), to everyone.
place_picker_register("offer_community", lambda user: Place.objects.filter(
    kind=PlaceKind.COMMUNITY, offers__is_published=True).distinct(), areas=True)


def communities_for(user, offer=None):
    """The communities an offer may serve, to tick: staff's own; a unit's or a member's those of its subdistrict
    (where it is located, or where the member lives), else every community; and those it serves already."""
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    prefixes = [] if scopes.is_superuser(user) else scopes.place_prefixes(user)
    if not prefixes:
        located = [o.place for o in Organisation.objects.filter(pk__in=scopes.unit_ids(user)).select_related("place")]
        person = scopes.person_of(user)
        located += [person.home] if person is not None and person.home_id else []
        prefixes = [p.code[:9] for p in located if p is not None and len(p.code) >= 9]  # their subdistricts
    chosen = Q(pk__in=offer.communities.values("pk")) if offer is not None and offer.pk else Q(pk__in=[])
    return (communities.filter(within(prefixes) | chosen) if prefixes else communities).order_by("code")


# --- The public list's filters ---

class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name or pinyin, e.g. jiesong")}))
    community = CommunityPickerField()  # searched, not listed: a city has hundreds of communities
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OfferKind.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].offer("offer_community", user)

    def filters(self) -> dict:
        self.is_valid()  # a bad value drops that filter only: cleaned_data keeps the valid ones
        data = getattr(self, "cleaned_data", {})
        return {"community": data.get("community"), "kind": data.get("kind") or "", "q": data.get("q") or ""}


# --- Booking ---

class BookingForm(forms.Form):
    person = PickerField(label=_("For whom"), required=False,
                         placeholder=_("Name, pinyin or phone (last 4 digits)"),
                         help_text=_("A resident who phoned: search, then choose. Empty: for yourself."))
    seats = forms.IntegerField(label=_("Number of places"), min_value=1, max_value=SEATS_MAX, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Remarks"), required=False, max_length=300, widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("e.g. pick-up address: 1号楼2单元门口")}),
                           help_text=_("Seen by the provider and community staff only."))

    def __init__(self, *args, user=None, session=None, for_others=False, for_self=True, **kwargs):
        super().__init__(*args, **kwargs)
        if for_others:
            # whom staff book for (a resident who phones): exactly whom booking_request accepts from them
            self.fields["person"].picker = PersonPicker(
                selectors.persons_bookable_by(user, session.offer).filter(is_resident=True),
                reverse("offers:book_pick", args=[session.pk]))
            if not for_self:
                self.fields["person"].required = True
                self.fields["person"].help_text = _("A resident who phoned: search, then choose.")
        else:
            del self.fields["person"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. no longer needed (optional)")}))


class RequiredReasonForm(ReasonForm):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. the car is in for repair")}))


# --- Managing offers ---

class ProviderPicker(Picker):
    """The unit an offer is provided by, for staff: any organisation, by name or pinyin."""

    def __init__(self, user):
        self.units = Organisation.objects.all()
        self.url = reverse("offers:provider_pick")

    def search(self, text):
        units = self.units
        for term in text.split()[:SEARCH_TERMS]:
            units = units.filter(Organisation.search_q(term))
        return list(units.order_by("name", "id")[:self.limit + 1])

    def get(self, key):
        pk = key.pk if hasattr(key, "pk") else int_param(key)
        return self.units.filter(pk=pk).first() if pk else None

    def choices(self, units):
        return [Choice(str(u.pk), u.name, str(u.get_kind_display())) for u in units]


class CommunitiesField(forms.ModelMultipleChoiceField):
    """Communities by id; an id no record can carry is refused here, never handed to the database."""

    def _check_values(self, value):
        for pk in value:
            if int_param(pk) is None:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": str(pk)[:20]})
        return super()._check_values(value)


RULE_FIELDS = ["min_notice_hours", "horizon_days", "cancel_notice_hours", "per_person_limit", "per_person_days",
               "confirmation", "no_show_limit", "eligibility", "residents_only"]


class OfferForm(ServiceModelForm):
    """An offer and its booking rules. Who provides it: a unit admin's unit (chosen if they keep several), any unit
    for staff (a picker), the member themself for a party member."""

    eligibility = forms.MultipleChoiceField(label=_("Eligible groups"), required=False,
                                            choices=EligibilityGroup.choices, widget=forms.CheckboxSelectMultiple,
                                            help_text=_("None ticked: anyone may book."))
    communities = CommunitiesField(label=_("Communities served"), queryset=Place.objects.none(),
                                   widget=forms.CheckboxSelectMultiple)
    place = PlacePickerField(label=_("Where"), required=False,
                             help_text=_("Where the sessions take place; empty for a service that comes to you."))

    class Meta:
        model = Offer
        fields = ["kind", "name", "organisation", "description", "communities", "place", "eligibility",
                  "residents_only", *[f for f in RULE_FIELDS if f not in ("eligibility", "residents_only")],
                  "bookable", "is_published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("offer", user)
        self.fields["communities"].queryset = communities_for(user, self.instance)
        if self.instance.pk:
            self.initial.setdefault("communities", list(self.instance.communities.values_list("pk", flat=True)))
            del self.fields["organisation"]  # who provides an offer stays
            return
        units = Organisation.objects.filter(pk__in=scopes.unit_ids(user)).order_by("name")
        field = self.fields["organisation"]
        if scopes.is_superuser(user) or scopes.place_prefixes(user):
            self.fields["organisation"] = PickerField(label=_("Provided by (unit)"), required=not units.exists(),
                                                      placeholder=_("Unit name or pinyin"))
            self.fields["organisation"].picker = ProviderPicker(user)
            if units.exists():
                self.fields["organisation"].help_text = _("Empty: your own unit.")
        elif units.exists():
            field.queryset, field.required, field.empty_label = units, True, None
            field.label = _("Provided by (unit)")
        else:
            del self.fields["organisation"]  # a party member offers in their own name

    def clean_eligibility(self):
        return list(self.cleaned_data.get("eligibility") or [])


class SessionForm(forms.Form):
    """One session: a day, from … to, how many places."""

    day = forms.DateField(label=_("Day"), validators=day_validators,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    capacity = forms.IntegerField(label=_("Number of places"), min_value=1, max_value=10000, initial=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A session ends after it starts."))
        return data

    def times(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        return (datetime.datetime.combine(data["day"], data["start"], tzinfo=tz),
                datetime.datetime.combine(data["day"], data["end"], tzinfo=tz))


WEEKDAYS = [(n, pgettext_lazy("weekday", day))
            for n, day in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))]


class RepeatForm(forms.Form):
    """Weekly recurring slots: on these weekdays, from … to, between two days; each occurrence its own session."""

    weekdays = forms.TypedMultipleChoiceField(label=_("On"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    first_day = forms.DateField(label=_("First day"), validators=day_validators,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=_("Last day"), validators=day_validators,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    capacity = forms.IntegerField(label=_("Places per slot"), min_value=1, max_value=10000, initial=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A session ends after it starts."))
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The last day is on or after the first."))
        return data
