from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ServiceModelForm
from core.params import int_param
from people import scopes
from people.masking import mask_name, mask_phone
from people.models import MemberReport, Organisation, PartyOrganisation, Person
from people.templatetags.personal_data import home_label
from places.forms import SEARCH_TERMS, Choice, Picker, PlacePickerField, place_picker_register
from places.models import Coverage, Place, PlaceKind
from places.selectors import within

HOME_KINDS = (PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE, PlaceKind.BUILDING, PlaceKind.ENTRANCE)
LOCATION_KINDS = (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND,
                  PlaceKind.COURTYARD, PlaceKind.UNIT_SITE, PlaceKind.BUILDING)


class PersonPicker(Picker):
    """People on record for a form that takes one: exactly `people` (whom the form's service accepts from this
    user), found by name, pinyin or phone (the last four digits will do), each shown masked with where they live."""

    def __init__(self, people, url: str):
        self.people = people.select_related("home__parent__parent")
        self.url = url

    def term_q(self, term: str) -> Q:
        digits = term.replace("-", "")
        return Person.search_q(term) | (Q(phone__contains=digits) if digits.isdigit() and len(digits) >= 4
                                        else Q(pk__in=[]))

    def search(self, text):
        people = self.people
        for term in text.split()[:SEARCH_TERMS]:
            people = people.filter(self.term_q(term))
        return list(people.order_by("name", "id")[:self.limit + 1])

    def get(self, key):
        pk = int_param(key)
        return self.people.filter(pk=pk).first() if pk else None

    def detail(self, person) -> str:
        return " · ".join(x for x in (home_label(person.home), mask_phone(person.phone) if person.phone else "") if x)

    def choices(self, people):
        return [Choice(str(p.pk), mask_name(p.name), self.detail(p)) for p in people]


def places_for(user, kinds):
    """Places of these kinds inside the user's scope (everything for a superuser)."""
    qs = Place.objects.filter(kind__in=kinds).order_by("code")
    if scopes.is_superuser(user):
        return qs
    return qs.filter(within(scopes.place_prefixes(user)))


# Where a person lives and where an organisation or a site is: searched by place pickers (places.forms).
place_picker_register("home", lambda user: places_for(user, HOME_KINDS))
place_picker_register("location", lambda user: places_for(user, LOCATION_KINDS))


class PersonForm(ServiceModelForm):
    class Meta:
        model = Person
        fields = ["name", "gender", "phone", "home", "room", "is_resident", "skills"]
        field_classes = {"home": PlacePickerField}
        labels = {"name": pgettext_lazy("person", "name")}
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].offer("home", user)

    def clean_phone(self):
        # The model's validator runs in the service too; checking here keeps the message next to the field
        # even when other fields are wrong.
        phone = self.cleaned_data["phone"].strip().replace(" ", "")
        for validator in Person._meta.get_field("phone").validators:
            validator(phone)
        if phone and Person.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This phone number already belongs to another person on record."))
        return phone


class OrganisationForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "place", "address", "contact_phone", "service_categories"]
        field_classes = {"place": PlacePickerField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("location", user)


class MemberReportForm(forms.Form):
    community = forms.ModelChoiceField(Place.objects.none(), label=_("community"))
    reported_on = forms.DateField(label=_("reported on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class MemberPlaceForm(forms.Form):
    grid_branch = forms.ModelChoiceField(PartyOrganisation.objects.none(), label=_("grid branch"))
    placed_on = forms.DateField(label=_("placed on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, report: MemberReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid_branch"].queryset = PartyOrganisation.objects.filter(
            within(report.community, "place"), place__kind=PlaceKind.GRID).order_by("name")


class CoverageForm(ServiceModelForm):
    class Meta:
        model = Coverage
        fields = ["organisation", "person", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        # Members are chosen among the people the user may see, by masked name and masked phone.
        self.fields["person"].queryset = people if people is not None else Person.objects.none()
        self.fields["person"].label_from_instance = _masked_person_label

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("person")):
            raise forms.ValidationError(_("Choose either a unit or a member, not both."))
        return data


def _masked_person_label(person) -> str:
    return f"{mask_name(person.name)} {mask_phone(person.phone)}".strip()
