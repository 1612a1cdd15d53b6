"""Forms only parse input; need_act validates and writes. One form per action that takes fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Category, Channel, ConcernLevel, Need, Rating, State
from needs.selectors import needs_in_scope
from people import scopes
from people.models import Organisation, Person
from places.forms import PlaceChoiceField
from places.models import Place
from places.selectors import within

PICKABLE_KINDS = ("grid", "compound", "courtyard", "unit_site", "building", "entrance")


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
    place = PlaceChoiceField(label=_("Where?"), queryset=Place.objects.filter(kind__in=PICKABLE_KINDS)
                             .order_by("code"), to_field_name="code")
    affected = forms.IntegerField(label=_("People affected"), min_value=1, initial=1)
    photos = PhotosField()
    show_name = forms.BooleanField(label=_("My surname may be shown on public pages"), required=False)
    is_public = forms.BooleanField(label=_("Others may see this need (leave unticked for a private matter)"),
                                   required=False, initial=True)


class StaffSubmitForm(SubmitForm):
    """What a grid worker or community staff records: also the channel and the resident."""

    channel = forms.ChoiceField(label=_("Found through"), choices=Channel.choices, initial=Channel.FIELD_VISIT)
    concern_level = forms.ChoiceField(label=_("Concern level"), choices=ConcernLevel.choices)
    reporter = forms.ModelChoiceField(label=_("Reported by (resident)"), queryset=Person.objects.none(),
                                      required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = scopes.persons_visible_to(user).filter(is_resident=True)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    concern_level = forms.ChoiceField(label=_("Concern level"), choices=ConcernLevel.choices)
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Need.objects.none())

    def __init__(self, *args, need=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        community = need.place.code[:12]
        self.fields["into"].queryset = needs_in_scope(user).filter(within(community, "place")).exclude(
            pk=need.pk).exclude(state__in=(State.MERGED, State.REJECTED))


class HolderForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Unit or department"), queryset=Organisation.objects.all(),
                                          required=False)
    person = forms.ModelChoiceField(label=_("or a party member"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = scopes.persons_visible_to(user).filter(memberships__isnull=False).distinct()


class ClaimForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Claim for"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("Myself"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=scopes.unit_ids(user))


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
    if form_class is MergeForm:
        kwargs.update(need=need, user=user)
    elif form_class in (HolderForm, ClaimForm):
        kwargs["user"] = user
    return form_class(data, files, **kwargs)


class BoardFilterForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Place.objects.filter(kind="community"),
                                       required=False, to_field_name="code", empty_label=_("All communities"))
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
        community = self.data.get("community")
        if community:
            self.fields["grid"].queryset = Place.objects.filter(within(community), kind="grid")
        else:
            self.fields["grid"].empty_label = _("Choose a community first")
            self.fields["grid"].disabled = True
