from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceModelForm
from places.hooks import administered_places
from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import place_areas, place_paths, within

# --- Pickers: one thing chosen by searching for it, not from a list of hundreds ---------------------------
#
# A picker is a search box whose matches (an htmx request to the picker's endpoint) come back as a short list
# of radio buttons, each with what tells it apart (a place's path, a need's number, date and place). The
# checked radio is the value. Without JavaScript the box is a plain search: a code or a name that matches one
# choice is taken; several come back as the radio list to choose from.

class PickerValue(NamedTuple):
    """What a picker's inputs sent: the chosen key (the checked radio) and the text typed in the box."""

    key: str
    text: str


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    detail: str = ""


class Picker:
    """What one picker offers one viewer: a search, a lookup by key, and how each choice is shown.

    The form's field and the picker's endpoint use the same object, so the search offers exactly what the
    form accepts."""

    limit = 8
    url = ""

    def search(self, text: str) -> list:
        """Up to limit + 1 matches, best first."""
        raise NotImplementedError

    def get(self, key):
        """The choice with this key (or None if it is not on offer)."""
        raise NotImplementedError

    def key(self, obj) -> str:
        return str(obj.pk)

    def choices(self, objects) -> list[Choice]:
        raise NotImplementedError

    def results(self, name: str, text: str, chosen=None, found=None) -> dict:
        """The context of places/_picker_results.html: the chosen one, else the matches of `text` (`found`, if
        they were searched already)."""
        if chosen is not None:
            found = [chosen]
        elif found is None:
            found = self.search(text) if text else []
        return {"name": name, "text": text, "choices": self.choices(found[:self.limit]),
                "more": len(found) > self.limit, "chosen": self.key(chosen) if chosen is not None else ""}


class PickerWidget(forms.Widget):
    """A search box (<name>_q) over a list of radio buttons (<name>): see places/_picker.html.

    `empty_label` (a filter's "All communities"): a radio of its own above the chosen one, to choose none again
    without JavaScript."""

    template_name = "places/_picker.html"
    picker: Picker | None = None  # set by the field

    def __init__(self, attrs=None, *, placeholder="", empty_label=""):
        super().__init__(attrs)
        self.placeholder, self.empty_label = placeholder, empty_label

    def value_from_datadict(self, data, files, name):
        keys = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        key = next((k for k in reversed(keys) if k), "")
        if self.empty_label and name in data and not key:
            return PickerValue("", "")  # its empty radio checked: none, whatever the box still says
        return PickerValue(key, (data.get(f"{name}_q") or "").strip()[:100])

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def id_for_label(self, id_):
        return f"{id_}_q" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        chosen, text = (None, value.text) if isinstance(value, PickerValue) else (value, "")
        found = None
        if isinstance(value, PickerValue) and value.key:
            chosen = self.picker.get(value.key)
        elif text:
            # A name that matches one choice is taken (PickerField.to_python): shown checked, as it was chosen.
            found = self.picker.search(text)
            chosen = found[0] if len(found) == 1 else None
        context["widget"].update(self.picker.results(name, text, chosen, found), placeholder=self.placeholder,
                                 url=f"{self.picker.url}?{urlencode({'name': name})}",
                                 empty_label=self.empty_label if chosen is not None else "")
        return context


class PickerField(forms.Field):
    """A value chosen with a picker. The form sets `picker` for its viewer (and need, …) in its __init__.

    A ModelForm may name it in `field_classes` for a foreign key: the queryset the model offers is ignored,
    the picker decides what may be chosen."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": _("That choice is not available: search again and choose from the list."),
        "no_match": _("Nothing matches “%(text)s”: check it, or type less of the name."),
        "several": _("Several match “%(text)s”: choose one of them below."),
    }

    def __init__(self, *, placeholder="", empty_label="", queryset=None, to_field_name=None, limit_choices_to=None,
                 blank=False, **kwargs):
        kwargs.setdefault("widget", PickerWidget(placeholder=placeholder, empty_label=empty_label))
        super().__init__(**kwargs)

    @property
    def picker(self) -> Picker:
        return self.widget.picker

    @picker.setter
    def picker(self, picker: Picker):
        self.widget.picker = picker

    def prepare_value(self, value):
        """The form's initial value (an object, its key or its id) as the object; what was sent as it came."""
        if value in self.empty_values or isinstance(value, PickerValue) or hasattr(value, "pk"):
            return value or None
        return self.picker.get(value)

    def to_python(self, value):
        if not isinstance(value, PickerValue):
            return self.prepare_value(value)
        if value.key:
            obj = self.picker.get(value.key)
            if obj is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return obj
        if not value.text:
            return None
        found = self.picker.search(value.text)[:2]
        if len(found) != 1:
            code = "several" if found else "no_match"
            raise ValidationError(self.error_messages[code], code=code, params={"text": value.text})
        return found[0]


# --- The place picker ---

SEARCH_TERMS = 3  # "tqjya 4hl 3dy": the last term names the place, the ones before an area it lies in
AREA_LIMIT = 20


def _place_term(term: str) -> Q:
    """A place by its name, pinyin or initials, or (four digits or more) by the start of its code."""
    q = Place.search_q(term)
    return q | within(term) if term.isdigit() and len(term) >= 4 else q


class PlacePicker(Picker):
    """Places by name, pinyin, initials or code, each shown with its path from the viewer's own area down, and
    under it its kind, or (`areas`: a picker of communities, whose names repeat across subdistricts) the district
    and subdistrict it lies in (城关区 › 拱星墩街道)."""

    def __init__(self, places, *, scopes=(), url="", areas=False):
        self.places, self.scopes, self.url, self.areas = places, list(scopes), url, areas

    def search(self, text):
        terms = text.split()[-SEARCH_TERMS:]
        places = self.places
        for term in terms[:-1]:
            places = places.filter(within(list(Place.objects.filter(_place_term(term))
                                                .values_list("code", flat=True)[:AREA_LIMIT])))
        return list(places.filter(_place_term(terms[-1])).annotate(depth=Length("code"))
                    .order_by("depth", "code")[:self.limit + 1])

    def get(self, key):
        lookup = {"pk": key} if isinstance(key, int) else {"code": key}
        return self.places.filter(**lookup).first()

    def key(self, place):
        return place.code

    def choices(self, places):
        paths = place_paths(places, scopes=self.scopes)
        areas = place_areas(places) if self.areas else {}
        return [Choice(p.code, " › ".join(paths[p.pk]), " › ".join(areas.get(p.pk, ())) or p.get_kind_display())
                for p in places]


# Each place picker by name: what it offers a user (a function of the user returning a queryset of places).
# The apps above register theirs when their forms module is imported (the URLconf imports every app's views,
# and so their forms, before the first request).
# `areas`: each match shown with the district and subdistrict it lies in, not its kind (the pickers of communities).
PLACE_PICKERS: dict[str, Callable] = {}
AREA_PICKERS: set[str] = set()


def place_picker_register(name: str, places: Callable, *, areas: bool = False) -> None:
    PLACE_PICKERS[name] = places
    if areas:
        AREA_PICKERS.add(name)


def place_picker(name: str, user) -> PlacePicker:
    return PlacePicker(PLACE_PICKERS[name](user), scopes=[p.code for p in administered_places(user)],
                       url=reverse("places:pick", args=[name]), areas=name in AREA_PICKERS)


class PlacePickerField(PickerField):
    """A place chosen with a registered place picker: `form.fields[name].offer(picker_name, user)`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("placeholder", _("Name, pinyin or initials, e.g. tqjy 4hl"))
        super().__init__(**kwargs)

    def offer(self, name: str, user) -> None:
        self.picker = place_picker(name, user)


# Every community, to everyone (the public pages' filters): a city has hundreds, too many for one list.
# Each shown with its district and subdistrict: names repeat across subdistricts.
place_picker_register("community", lambda user: Place.objects.filter(kind=PlaceKind.COMMUNITY), areas=True)


class CommunityPickerField(PlacePickerField):
    """A list's filter by community (`community=<code>` in its links), with a picker of communities: the form
    calls `.offer("community", user)`, or the name of a picker of fewer (those with published offers).

    A code or a name that is not on offer is an error of this field (the list says why, in its form)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Community"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("All communities"))
        kwargs.setdefault("placeholder", _("Name, pinyin or initials, e.g. tqjy"))
        super().__init__(**kwargs)


class OptionalJSONField(forms.JSONField):
    """An empty box stays empty (Django would show the JSON “null”)."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class PlaceForm(ServiceModelForm):
    class Meta:
        model = Place
        fields = ["kind", "name", "code", "area_km2", "buildings", "households", "residents", "geometry"]
        field_classes = {"geometry": OptionalJSONField}
        widgets = {"geometry": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parent: Place | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None and "kind" in self.fields:
            # Only the kinds that may sit under the parent; the code starts with the parent's code.
            self.fields["kind"].choices = [(k, PlaceKind(k).label) for k, (parents, _n) in PLACE_RULES.items()
                                           if parent.kind in parents]
        if parent is not None:
            self.fields["code"].help_text = _("Starts with %(code)s, the code of %(name)s.") % {
                "code": parent.code, "name": parent.name}
            if not self.is_bound:
                self.initial.setdefault("code", parent.code)
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="off")


class PlaceChangeForm(PlaceForm):
    """The kind of an existing place stays: its code length and children depend on it."""

    class Meta(PlaceForm.Meta):
        fields = [f for f in PlaceForm.Meta.fields if f != "kind"]
