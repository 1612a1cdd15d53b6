"""Forms of the meetings pages: they parse input; meetings.services validates and writes (who may, quorum, the
body's area, approved minutes kept)."""

import datetime

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import day_validators, int_param
from meetings.models import Body, BodyKind, MeetingState, PassBase, VoteChoice, VoteMode
from needs.models import Category, ConcernLevel, Need
from people import scopes
from people.forms import PersonPicker
from people.models import Organisation
from people.selectors import committee_of
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
from places.selectors import place_paths, within
from volunteering.forms import ActivityForm

DAY = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": day_validators}
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
YEARS = range(2000, 2101)


def body_places(user):
    """Where a body may sit, for its manager: the subdistricts, communities and places inside them of the user's
    area (the service checks the kind: a 社工委 a community, a joint meeting a subdistrict)."""
    places = Place.objects.filter(kind__in=(PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.GRID,
                                            PlaceKind.COMPOUND, PlaceKind.COURTYARD))
    if scopes.is_superuser(user):
        return places
    prefixes = scopes.place_prefixes(user)
    return places.filter(within(prefixes)) if prefixes else places.none()


place_picker_register("body", body_places)


# --- The lists' filters -------------------------------------------------------------------------------------

class MeetingFilterForm(forms.Form):
    """The staff list: a body, a year, a state, a word of the title; `place` and `kind` come from the ledger's
    links (bodies inside that area, of that kind)."""

    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none(), required=False,
                                  empty_label=_("All bodies"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=YEARS.start, max_value=YEARS.stop - 1,
                              widget=forms.NumberInput(attrs={"placeholder": "2021", "inputmode": "numeric"}))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *MeetingState.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("A word of the title")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *BodyKind.choices])
    place = forms.RegexField(regex=r"^\d{2,30}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Body.objects.none()


class PublicFilterForm(forms.Form):
    """The public list's filters (`community=<code>` in the ledger's links); a value not understood is an error
    under its field, and the view leaves that filter out."""

    community = CommunityPickerField()  # searched, not listed: a city has hundreds of communities
    year = forms.IntegerField(label=_("Year"), required=False, min_value=YEARS.start, max_value=YEARS.stop - 1,
                              widget=forms.NumberInput(attrs={"placeholder": "2021", "inputmode": "numeric"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *BodyKind.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].offer("community", user)


# --- A body and its members ---------------------------------------------------------------------------------

class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. 天庆嘉园社区社工委")}))
    place = PlacePickerField(label=_("Area"))
    founded_on = forms.DateField(label=_("Founded on"), required=False, **DAY)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    quorum_numerator = forms.IntegerField(label=_("Quorum: members present, numerator"), min_value=1, max_value=99,
                                          initial=1)
    quorum_denominator = forms.IntegerField(label=_("denominator"), min_value=1, max_value=99, initial=2)
    quorum_strict = forms.BooleanField(label=_("more than (not at least)"), required=False, initial=True)
    pass_numerator = forms.IntegerField(label=_("Passing: votes for, numerator"), min_value=1, max_value=99,
                                        initial=1)
    pass_denominator = forms.IntegerField(label=_("denominator"), min_value=1, max_value=99, initial=2)
    pass_strict = forms.BooleanField(label=_("more than (not at least)"), required=False, initial=True)
    pass_base = forms.ChoiceField(label=_("Passing base"), choices=PassBase.choices, initial=PassBase.PRESENT)

    RULES = ("quorum_numerator", "quorum_denominator", "quorum_strict", "pass_numerator", "pass_denominator",
             "pass_strict", "pass_base")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("body", user)

    def clean(self):
        data = super().clean()
        for rule in ("quorum", "pass"):
            top, bottom = data.get(f"{rule}_numerator"), data.get(f"{rule}_denominator")
            if top and bottom and top > bottom:
                self.add_error(f"{rule}_numerator", _("A rule is a fraction of at most one."))
        return data

    def rule_fields(self):
        return [self[name] for name in self.RULES]

    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.RULES]


class UnitPicker(Picker):
    """Units (co-building units, offices) by name, for a body's member."""

    def __init__(self, url: str):
        self.units = Organisation.objects.all()
        self.url = url

    def search(self, text):
        units = self.units
        for term in text.split()[:SEARCH_TERMS]:
            units = units.filter(Q(name__icontains=term))
        return list(units.order_by("name", "id")[:self.limit + 1])

    def get(self, key):
        pk = int_param(key)
        return self.units.filter(pk=pk).first() if pk else None

    def choices(self, units):
        return [Choice(str(u.pk), u.name, u.get_kind_display()) for u in units]


class MemberForm(forms.Form):
    """A member: a person (a resident on a council), a unit (the joint meeting), or for a 社工委 one of the
    community's committee seats."""

    seat = forms.ChoiceField(label=_("Committee seat"), required=False)
    person = PickerField(label=_("Person"), required=False, placeholder=_("Name, pinyin or phone (last 4 digits)"))
    organisation = PickerField(label=_("Member unit"), required=False, placeholder=_("A word of the unit's name"))
    represents = forms.CharField(label=_("Represents"), required=False, max_length=100,
                                 widget=forms.TextInput(attrs={"placeholder": _("e.g. 3号楼居民, 驻区单位")}))
    since = forms.DateField(label=_("Since"), **DAY)

    def __init__(self, *args, user=None, body=None, **kwargs):
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["person"].picker = PersonPicker(scopes.persons_visible_to(user),
                                                    reverse("meetings:member_pick", args=[body.pk, "person"]))
        self.fields["organisation"].picker = UnitPicker(reverse("meetings:member_pick",
                                                                args=[body.pk, "organisation"]))
        if body.kind == BodyKind.COMMITTEE:  # one community's seats: a short list
            seats = committee_of(body.place).exclude(body_member__isnull=False)
            self.fields["seat"].choices = [("", "—"), *((str(s.pk), " · ".join(x for x in (
                s.organisation.name if s.organisation else s.person.name, s.represents) if x)) for s in seats)]
            del self.fields["person"], self.fields["organisation"], self.fields["represents"]
            self.fields["seat"].required = True
            self.seats = {str(s.pk): s for s in seats}
        else:
            del self.fields["seat"]

    def clean(self):
        data = super().clean()
        if "seat" in self.fields:
            data["seat"] = self.seats.get(data.get("seat") or "")
            if data["seat"] is None and not self.errors:
                self.add_error("seat", _("Choose one of the community's committee seats."))
        elif not self.errors and not data.get("person") and not data.get("organisation"):
            self.add_error("person", _("Choose a person or a unit."))
        return data


class EndForm(forms.Form):
    until = forms.DateField(label=_("Until"), **DAY)


# --- A meeting ----------------------------------------------------------------------------------------------

class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. 社工委第一次全体会议")}))
    day = forms.DateField(label=_("Day"), **DAY)
    start = forms.TimeField(label=_("Start time"), **TIME)
    end = forms.TimeField(label=_("End time"), required=False, **TIME)
    location = forms.CharField(label=_("Location"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"placeholder": _("e.g. 社区二楼会议室")}))
    agenda = forms.CharField(label=_("Agenda (one item a line)"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    guests = forms.CharField(label=_("Guests attending (列席)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label=_("Minutes and resolutions public once published"), required=False,
                                   initial=True)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            del self.fields["agenda"]  # the agenda grows item by item on the meeting's page

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A meeting ends after it starts."))
        return data

    def times(self, tz) -> tuple[datetime.datetime, datetime.datetime | None]:
        data = self.cleaned_data
        starts = datetime.datetime.combine(data["day"], data["start"], tzinfo=tz)
        ends = datetime.datetime.combine(data["day"], data["end"], tzinfo=tz) if data.get("end") else None
        return starts, ends

    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("agenda", "").splitlines() if line.strip()]


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AttendanceForm(forms.Form):
    """One choice per invitee: present, absent, excused (请假)."""

    CHOICES = [("present", _("Present")), ("absent", _("Absent")), ("excused", _("Excused (请假)"))]

    def __init__(self, *args, attendances=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for a in attendances:
            name = f"m{a.member_id}"
            self.fields[name] = forms.ChoiceField(
                label=(labels or {}).get(a.member_id, str(a.member)), choices=self.CHOICES,
                widget=forms.RadioSelect, required=False,
                initial=a.presence if a.presence != "invited" else None)
            self.rows.append(name)

    def presence(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if value}

    def bound_rows(self):
        return [self[name] for name in self.rows]


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))


class ReviseForm(MinutesForm):
    reason = forms.CharField(label=_("Reason for the new version"), max_length=300)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, an image, Word or Excel; at most 10 MB."))
    name = forms.CharField(label=_("Name"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. 签到表")}))
    is_public = forms.BooleanField(label=_("Public (a sign-in sheet carries names: keep it private)"),
                                   required=False)


# --- Resolutions --------------------------------------------------------------------------------------------

class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Resolution"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. 通过社工委章程")}))
    text = forms.CharField(label=_("Text"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    agenda_item = forms.ChoiceField(label=_("Agenda item"), required=False)
    vote_mode = forms.ChoiceField(label=_("Voting"), choices=VoteMode.choices, initial=VoteMode.COUNTS)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in meeting.agenda_items.all()} if meeting is not None else {}
        self.fields["agenda_item"].choices = [("", "—"), *((k, i.title) for k, i in self.items.items())]

    def clean_agenda_item(self):
        return self.items.get(self.cleaned_data.get("agenda_item") or "")


class DecideForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=10000, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstaining"), min_value=0, max_value=10000, initial=0)


class VoteForm(forms.Form):
    """A vote: the member's own, or (a manager) one recorded for a member present."""

    choice = forms.ChoiceField(label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect)
    member = forms.ChoiceField(label=_("Member"), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["member"]
        else:
            self.members = {str(m.pk): m for m, _label in members}
            self.fields["member"].choices = [("", "—"), *((str(m.pk), label) for m, label in members)]
            self.fields["member"].required = True

    def clean_member(self):
        return self.members.get(self.cleaned_data.get("member") or "")


class NeedPicker(Picker):
    """Needs of the body's area the user may open, by number (#123) or a word of the title."""

    def __init__(self, needs, url: str):
        self.needs = needs.select_related("place")
        self.url = url

    def search(self, text):
        needs = self.needs
        for term in text.split()[:SEARCH_TERMS]:
            number = int_param(term.lstrip("#"))
            needs = needs.filter(Q(title__icontains=term) | (Q(pk=number) if number else Q(pk__in=[])))
        return list(needs.order_by("-id")[:self.limit + 1])

    def get(self, key):
        pk = int_param(key)
        return self.needs.filter(pk=pk).first() if pk else None

    def choices(self, needs):
        paths = place_paths([n.place for n in needs])
        return [Choice(str(n.pk), f"#{n.pk} {n.title}", " · ".join((
            f"{timezone.localtime(n.submitted_at):%Y-%m-%d}", " › ".join(paths[n.place_id][-2:]),
            str(n.get_state_display())))) for n in needs]


class LinkNeedForm(forms.Form):
    need = PickerField(label=_("An existing need"), placeholder=_("No. or a word of the title"))

    def __init__(self, *args, needs=None, url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].picker = NeedPicker(needs if needs is not None else Need.objects.none(), url)


class NeedFromResolutionForm(forms.Form):
    """The need a resolution raises, prefilled from it (title, place = the body's area, text)."""

    title = forms.CharField(label=_("Title"), max_length=100)
    place = PlacePickerField(label=_("Where"))
    description = forms.CharField(label=_("Details"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("Not sure"))
    concern_level = forms.ChoiceField(label=_("Concern level"), required=False,
                                      choices=[("", "—"), *ConcernLevel.choices])
    affected = forms.IntegerField(label=_("People affected"), min_value=1, max_value=100000, initial=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("need", user)


class ActivityFromResolutionForm(ActivityForm):
    """The activity a resolution creates: the volunteering form, one occurrence, published."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("repeat_until", None)
        del self.fields["is_published"]


class DoneForm(forms.Form):
    note = forms.CharField(label=_("How it was carried out"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
