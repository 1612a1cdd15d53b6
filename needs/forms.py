"""Forms only parse input; need_act validates and writes. One form per action that takes fields."""

import re

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.params import FIRST_DAY, LAST_DAY, day_validators, int_param
from needs import choices
from needs.actions import NEED_PLACE_KINDS, affected_refusal
from needs.models import Category, Channel, ConcernLevel, Rating
from needs.selectors import placed_within
from people import scopes
from people.masking import mask_name, mask_phone
from people.models import Organisation, PartyMembership, PartyOrganisation, Person, Role
from places.forms import (
    AREA_LIMIT,
    SEARCH_TERMS,
    Choice,
    CommunityPickerField,
    Picker,
    PickerField,
    PlacePickerField,
    place_picker_register,
)
from places.models import Place
from places.selectors import place_paths, within


def need_places(user):
    """The places a need may be given by this user: a community or inside one; staff record needs of their own
    area (outside it they would not see them again), everyone else anywhere."""
    places = Place.objects.filter(kind__in=NEED_PLACE_KINDS)
    prefixes = [] if scopes.is_superuser(user) else scopes.place_prefixes(user)
    return places.filter(within(prefixes)) if prefixes else places


place_picker_register("need", need_places)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; need_act checks each by its content."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class SubmitForm(forms.Form):
    title = forms.CharField(label=_("What is the problem?"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. 4号楼3单元想加装电梯")}))
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("Not sure"))
    place = PlacePickerField(label=_("Where?"), help_text=_("Type the compound, building or entrance: its name, "
                                                            "pinyin or initials (e.g. tqjya 4hl3dy), then choose."))
    affected = forms.IntegerField(label=_("People affected"), min_value=1, max_value=settings.NEEDS_AFFECTED_MAX,
                                  initial=1, error_messages=dict.fromkeys(("min_value", "max_value", "invalid"),
                                                                          lazy(affected_refusal, str)()))
    photos = PhotosField()
    show_name = forms.BooleanField(label=_("My surname may be shown on public pages"), required=False)
    is_public = forms.BooleanField(label=_("Others may see this need (leave unticked for a private matter)"),
                                   required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("need", user)


class PublicSubmitForm(SubmitForm):
    """What someone without an account reports: also, if they like, how to reach them."""

    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Your phone (optional)"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("To be called back, and to be sent the tracking reference."))


class StaffSubmitForm(SubmitForm):
    """What a grid worker or community staff records: also the channel and the resident."""

    channel = forms.ChoiceField(label=_("Found through"), choices=Channel.choices, initial=Channel.FIELD_VISIT)
    concern_level = forms.ChoiceField(label=_("Concern level"), choices=ConcernLevel.choices)
    reporter = forms.ModelChoiceField(label=_("Reported by (resident)"), queryset=Person.objects.none(),
                                      required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["reporter"].queryset = scopes.persons_visible_to(user).filter(is_resident=True)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    concern_level = forms.ChoiceField(label=_("Concern level"), choices=ConcernLevel.choices)
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)

    def __init__(self, *args, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        if need is not None:  # what the resident (or the recorder) chose
            self.initial.update(category=need.category_id, concern_level=need.concern_level,
                                is_public=need.is_public)


# --- Pickers of a need's actions: what needs.choices allows, found by searching ---

NEED_NUMBER = re.compile(r"^#?(\d{1,9})$")
NEED_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")  # 2021-08-16, 8-16, 8月16日


def _need_term(term: str) -> Q:
    """Needs by number (#123), date submitted (2021-08-16, 8-16), or a word of the title or of the place's name
    (or pinyin) or of an area it lies in."""
    if number := NEED_NUMBER.match(term):
        return Q(pk=int(number[1])) | Q(title__icontains=term)
    date = NEED_DATE.match(term)
    if date and FIRST_DAY.year <= int(date[1] or FIRST_DAY.year) <= LAST_DAY.year:  # a year the calendar holds
        year, month, day = date.groups()
        return Q(submitted_at__month=int(month), submitted_at__day=int(day),
                 **({"submitted_at__year": int(year)} if year else {}))
    areas = list(Place.objects.filter(Place.search_q(term)).values_list("code", flat=True)[:AREA_LIMIT])
    return Q(title__icontains=term) | placed_within(areas)


class MergePicker(Picker):
    """The needs a need may be merged into, each with its number, date, place and state: two needs titled
    “10号楼1单元楼道灯不亮” are told apart."""

    def __init__(self, user, need):
        self.needs = choices.merge_targets(user, need).select_related("place")
        self.scopes = scopes.place_prefixes(user)
        self.url = reverse("needs:pick", args=[need.pk, "merge", "into"])

    def search(self, text):
        needs = self.needs
        for term in text.split()[:SEARCH_TERMS]:
            needs = needs.filter(_need_term(term))
        return list(needs.order_by("-id")[:self.limit + 1])

    def get(self, key):
        pk = int_param(key)
        return self.needs.filter(pk=pk).first() if pk else None

    def choices(self, needs):
        paths = place_paths([n.place for n in needs], scopes=self.scopes)
        return [Choice(str(n.pk), f"#{n.pk} {n.title}", " · ".join([
            f"{timezone.localtime(n.submitted_at):%Y-%m-%d}", " › ".join(paths[n.place_id]),
            str(n.get_state_display())])) for n in needs]


class MergeForm(forms.Form):
    into = PickerField(label=_("Merge into"), placeholder=_("No., title, date (2021-08-16) or place"))

    def __init__(self, *args, need=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].picker = MergePicker(user, need)


class HolderPicker(Picker):
    """The units and party members a need may be dispatched to, found by name, pinyin or (a member) by their
    unit or branch; a member is shown masked, with their unit and masked phone."""

    def __init__(self, user, need):
        self.units = choices.dispatch_organisations(user, need)
        self.members = choices.dispatch_members(user, need)
        self.url = reverse("needs:pick", args=[need.pk, "dispatch", "holder"])

    def search(self, text):
        terms = text.split()[:SEARCH_TERMS]
        units, members = self.units, self.members
        for term in terms:
            units = units.filter(Organisation.search_q(term))
            in_unit = Q(party_organisation__in=PartyOrganisation.objects.filter(PartyOrganisation.search_q(term))) | Q(
                party_organisation__organisation__in=Organisation.objects.filter(Organisation.search_q(term)))
            members = members.filter(Person.search_q(term) | Exists(
                PartyMembership.objects.filter(in_unit, person=OuterRef("pk"))))
        found = list(units.order_by("name")[:self.limit + 1])
        return found + list(members.order_by("name", "id")[:self.limit + 1 - len(found)])

    def get(self, key):
        kind, _colon, pk = str(key).partition(":")
        records, pk = {"organisation": self.units, "person": self.members}.get(kind), int_param(pk)
        return records.filter(pk=pk).first() if records is not None and pk else None

    def key(self, holder):
        return f"{'organisation' if isinstance(holder, Organisation) else 'person'}:{holder.pk}"

    def choices(self, holders):
        members = [h for h in holders if isinstance(h, Person)]
        prefetch_related_objects(members, Prefetch("memberships", queryset=PartyMembership.objects.select_related(
            "party_organisation__organisation")))
        return [Choice(self.key(h), h.name, str(h.get_kind_display())) if isinstance(h, Organisation) else
                Choice(self.key(h), mask_name(h.name), self._member_detail(h)) for h in holders]

    @staticmethod
    def _member_detail(person) -> str:
        """党员 · 兰州电影制片厂 · 139****5678: what tells two members of the same surname apart."""
        units = sorted({str(m.party_organisation.organisation or m.party_organisation)
                        for m in person.memberships.all()})
        return " · ".join([str(_("Party member")), *units, *([mask_phone(person.phone)] if person.phone else [])])


class HolderForm(forms.Form):
    holder = PickerField(label=_("Dispatch to"), placeholder=_("A unit or a party member: name, pinyin or unit"))

    def __init__(self, *args, need=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].picker = HolderPicker(user, need)

    def clean(self):
        """The chosen holder as the dispatch action's field: organisation or person."""
        data = super().clean()
        holder = data.pop("holder", None)
        if holder is not None:
            data["organisation" if isinstance(holder, Organisation) else "person"] = holder
        return data


class ClaimForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Claim for"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("Myself"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = scopes.unit_ids(user)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=units)
        if units:  # a unit admin claims for the unit unless they choose themself
            self.initial.setdefault("organisation", units[0])
        if scopes.person_of(user) is None or Role.PARTY_MEMBER not in scopes.roles(user):
            field.required, field.empty_label = True, None  # only a party member claims for themself


class CollaboratorForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Collaborating unit"), queryset=Organisation.objects.all())


class ProgressForm(NoteForm):
    photos = PhotosField()


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Completion note"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("Evidence"), required=False,
                               help_text=_("Describe it if there is no photo, e.g. the resident signed."))
    photos = PhotosField()


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    rating = forms.ChoiceField(label=_("The resident's grade"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note of the call"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS = {
    "accept": AcceptForm, "reject": NoteForm, "merge": MergeForm, "dispatch": HolderForm, "claim": ClaimForm,
    "return": NoteForm, "progress": ProgressForm, "add_collaborator": CollaboratorForm, "escalate": NoteForm,
    "resolve": ResolveForm, "verify": OptionalNoteForm, "rate": RateForm, "follow_up": FollowUpForm,
    "reopen": NoteForm,
}


def action_form(action: str, *, need, user, data=None, files=None):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return None
    kwargs = {"prefix": action}
    if form_class in (MergeForm, HolderForm):
        kwargs.update(need=need, user=user)
    elif form_class is AcceptForm:
        kwargs["need"] = need
    elif form_class is ClaimForm:
        kwargs["user"] = user
    return form_class(data, files, **kwargs)


class BoardFilterForm(forms.Form):
    """The claim board's filters. A value that is not on offer (a community code that names none) is an error
    shown under its field, and the board is shown unfiltered."""

    community = CommunityPickerField()  # searched, not listed: a city has hundreds of communities
    # The grids of the chosen community only: a city has thousands of grids, too many for one list.
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Place.objects.none(), required=False,
                                  to_field_name="code", empty_label=_("All grids"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("All categories"))
    concern_level = forms.ChoiceField(label=_("Concern level"), required=False,
                                      choices=[("", _("All levels")), *ConcernLevel.choices])
    near = forms.BooleanField(label=_("Near my coverage"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_authenticated:
            del self.fields["near"]
        self.fields["community"].offer("community", user)
        if not (self.data.get("community") or self.data.get("community_q")):
            self.fields["grid"].empty_label = _("Choose a community first")
            self.fields["grid"].disabled = True

    def clean_community(self):
        """The grids on offer are the chosen community's (cleaned before them: the fields clean in order)."""
        community = self.cleaned_data["community"]
        if community is not None:
            self.fields["grid"].queryset = Place.objects.filter(within(community.code), kind="grid")
        return community


class WorklistFilterForm(forms.Form):
    """The worklist's search and filters (needs.selectors.worklist); a value that does not parse is left out."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("No., title or text")}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("All categories"))
    concern_level = forms.ChoiceField(label=_("Concern level"), required=False,
                                      choices=[("", _("All levels")), *ConcernLevel.choices])
    channel = forms.ChoiceField(label=_("Found through"), required=False,
                                choices=[("", _("All channels")), *Channel.choices])
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Place.objects.none(), required=False,
                                  to_field_name="code", empty_label=_("All grids"))
    since = forms.DateField(label=_("Submitted from"), required=False, validators=day_validators,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Submitted until"), required=False, validators=day_validators,
                            widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    escalated = forms.BooleanField(label=_("Escalated (吹哨) only"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=[
        ("", _("Default order")), ("oldest", _("Oldest first")), ("newest", _("Newest first")), ("due", _("Due first")),
        ("concern", _("Most urgent first"))])
    size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, empty_value=20,
                                  choices=[(20, 20), (50, 50), (100, 100)])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        grids = Place.objects.filter(kind="grid").order_by("code")
        if not scopes.is_superuser(user):
            grids = grids.filter(within(scopes.place_prefixes(user)))
        self.fields["grid"].queryset = grids

    def filters(self) -> dict:
        """The valid filters, as needs.selectors.worklist takes them."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k != "size" and v not in (None, "", False)}


BULK_MAX = 100


class BulkActionForm(forms.Form):
    """One action for many needs from the worklist; need_act takes and checks each need on its own."""

    action = forms.ChoiceField(label=_("Action"), choices=[
        ("reject", _("Reject (e.g. spam)")), ("accept", _("Accept")), ("publish", _("Publish to the claim board"))])
    note = forms.CharField(label=_("Reason the residents read"), required=False, max_length=5000,
                           initial=_("Not a need of the community (spam or advertising)."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("Category…"))
    concern_level = forms.ChoiceField(label=_("Concern level"), required=False,
                                      choices=[("", _("Concern level…")), *ConcernLevel.choices])
    need = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Any number may be sent; the ones outside the user's area are reported, not taken.
        self.fields["need"].choices = [(v, v) for v in (data.getlist("need") if data is not None else [])
                                       if int_param(v)]

    def clean(self):
        data = super().clean()
        needs = data.get("need") or []
        if not needs:
            raise forms.ValidationError(_("Tick at least one need."))
        if len(needs) > BULK_MAX:
            raise forms.ValidationError(_("At most %(n)d needs at once.") % {"n": BULK_MAX})
        action = data.get("action")
        if action == "reject" and not data.get("note", "").strip():
            self.add_error("note", _("Write the reason: the residents read it."))
        if action == "accept":
            for name, message in (("category", _("Choose a category.")),
                                  ("concern_level", _("Choose a concern level."))):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def action_fields(self) -> dict:
        """The keyword arguments of the chosen action (needs.workflow's fields of reject / accept / publish)."""
        data = self.cleaned_data
        return {"reject": {"note": data.get("note", "").strip()},
                "accept": {"category": data.get("category"), "concern_level": data.get("concern_level")},
                "publish": {}}[data["action"]]
