"""Forms of the volunteering pages: they parse input; volunteering.services validates and writes."""

import datetime

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.params import day_validators
from people import scopes
from people.forms import PersonPicker
from people.models import Organisation, OrganisationKind, Person, Team
from places.forms import CommunityPickerField, PickerField, PlacePickerField, place_picker_register
from places.models import Place
from places.selectors import within
from volunteering.models import ActivityKind

DAY = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": day_validators}
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


def activity_places(user):
    """Where an activity may take place: any place of the tree, for those who fill in an activity's form."""
    return Place.objects.all() if getattr(user, "is_authenticated", False) else Place.objects.none()


place_picker_register("activity", activity_places)


# --- The public list's filters ---

class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name or pinyin, e.g. qingjie")}))
    community = CommunityPickerField()  # searched, not listed: a city has hundreds of communities
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ActivityKind.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].offer("community", user)

    def filters(self) -> dict:
        self.is_valid()  # a bad value drops that filter only
        data = getattr(self, "cleaned_data", {})
        return {"place": data.get("community"), "kind": data.get("kind") or "", "q": data.get("q") or ""}


# --- Registering as a volunteer ---

class RegisterForm(forms.Form):
    name_public = forms.BooleanField(label=_("My name may be shown in public (e.g. on the ledger's thanks)"),
                                     required=False)
    id_card_number = forms.RegexField(label=_("ID card number (optional)"), required=False, regex=r"^\d{17}[\dXx]$",
                                      max_length=18, help_text=_("Only printed on a certificate if you ask for it."),
                                      error_messages={"invalid": _("An ID card number has 18 characters: 17 digits "
                                                                   "and a digit or X.")})


# --- The organiser's forms ---

def organisers_for(user) -> list[tuple[str, str]]:
    """Whom an activity may be organised by, for this user: the teams they lead, the units they administer, and
    for staff the teams and community offices of their area ("team:<id>" / "organisation:<id>")."""
    person = scopes.person_of(user)
    teams = Team.objects.filter(members__person=person, members__is_leader=True) if person is not None \
        else Team.objects.none()
    units = Organisation.objects.filter(pk__in=scopes.unit_ids(user))
    if scopes.is_superuser(user):
        teams, units = Team.objects.all(), Organisation.objects.filter(
            Q(pk__in=units) | Q(kind__in=(OrganisationKind.COMMUNITY_OFFICE, OrganisationKind.SUBDISTRICT_OFFICE)))
    elif prefixes := scopes.place_prefixes(user):
        teams = teams | Team.objects.filter(within(prefixes, "community"))
        units = units | Organisation.objects.filter(within(prefixes, "place"), kind__in=(
            OrganisationKind.COMMUNITY_OFFICE, OrganisationKind.SUBDISTRICT_OFFICE))
    return ([(f"organisation:{o.pk}", o.name) for o in units.distinct().order_by("name")[:200]]
            + [(f"team:{t.pk}", t.name) for t in teams.distinct().order_by("name")[:200]])


class ActivityForm(forms.Form):
    """An activity: who organises it, what, where, one day from … to, how many places; weekly until a day."""

    organiser = forms.ChoiceField(label=_("Organised by"), choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    name = forms.CharField(label=_("Title"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. 周六环境清洁与垃圾分类")}))
    place = PlacePickerField(label=_("Where"))
    day = forms.DateField(label=_("Day"), **DAY)
    start = forms.TimeField(label=_("Start time"), **TIME)
    end = forms.TimeField(label=_("End time"), **TIME)
    capacity = forms.IntegerField(label=_("Number of places"), required=False, min_value=1, max_value=10000,
                                  help_text=_("Empty: no limit."))
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    repeat_until = forms.DateField(label=_("Repeat weekly until"), required=False,
                                   help_text=_("Each week's occurrence becomes its own activity (at most 200)."), **DAY)
    is_published = forms.BooleanField(label=_("Published (volunteers may sign up)"), required=False, initial=True)

    def __init__(self, *args, user=None, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("activity", user)
        choices = organisers_for(user)
        if activity is not None:
            current = f"team:{activity.team_id}" if activity.team_id else f"organisation:{activity.organisation_id}"
            if current not in dict(choices):
                choices.append((current, str(activity.team or activity.organisation)))
            del self.fields["repeat_until"]
        self.fields["organiser"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("An activity ends after it starts."))
        if data.get("repeat_until") and data.get("day") and data["repeat_until"] <= data["day"]:
            self.add_error("repeat_until", _("The last day of the series is after the first."))
        return data

    def organiser_fields(self) -> dict:
        kind, _sep, pk = self.cleaned_data["organiser"].partition(":")
        if kind == "team":
            return {"team": Team.objects.get(pk=int(pk)), "organisation": None}
        return {"organisation": Organisation.objects.get(pk=int(pk)), "team": None}

    def times(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        return (datetime.datetime.combine(data["day"], data["start"], tzinfo=tz),
                datetime.datetime.combine(data["day"], data["end"], tzinfo=tz))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class WalkInPicker(PersonPicker):
    """A walk-in (someone who came without signing up), for the organiser: the people they may open (staff: of
    their area) and the volunteers on record, also by volunteer number, which each choice shows."""

    def __init__(self, user, activity):
        visible = scopes.persons_visible_to(user)
        super().__init__(Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(volunteer__isnull=False))
                         .select_related("volunteer"), reverse("volunteering:walk_in_pick", args=[activity.pk]))

    def term_q(self, term):
        return super().term_q(term) | Q(volunteer__number__iexact=term)

    def detail(self, person):
        number = person.volunteer.number if hasattr(person, "volunteer") else ""  # no record: hasattr is False
        return " · ".join(x for x in (number, super().detail(person)) if x)


class WalkInForm(forms.Form):
    person = PickerField(label=_("Add someone who came without signing up"),
                         placeholder=_("Name, pinyin, volunteer number or phone (last 4 digits)"))

    def __init__(self, *args, user=None, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].picker = WalkInPicker(user, activity)


class CorrectForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=999, decimal_places=2, max_digits=5)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


class QueryForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this entry?"), max_length=300)


# --- Certificates ---

class CertificateForm(forms.Form):
    """A certificate for a period, issued by an organisation the volunteer served with."""

    first_day = forms.DateField(label=_("From"), **DAY)
    last_day = forms.DateField(label=_("To"), **DAY)
    issuer = forms.ModelChoiceField(label=_("Issued by"), queryset=Organisation.objects.none(), empty_label=None)
    person_in_charge = forms.CharField(label=_("Its person in charge"), max_length=50,
                                       help_text=_("As the organisation tells you, e.g. its director."))
    contact = forms.CharField(label=_("Contact telephone"), max_length=30,
                              help_text=_("The organisation's, printed for whoever checks the certificate."))
    with_id_card = forms.BooleanField(label=_("Print my ID card number on it"), required=False)

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers if issuers is not None else Organisation.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The last day is on or after the first."))
        return data


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40, widget=forms.TextInput(
        attrs={"placeholder": "ZYZM-2021-000123-7F3K", "autocapitalize": "characters", "spellcheck": "false"}))
