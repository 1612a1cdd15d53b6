from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceModelForm
from places.models import PLACE_RULES, Place, PlaceKind


class PlaceChoiceField(forms.ModelChoiceField):
    """A place chosen by its name with the names above it down from the community, e.g. 天庆嘉园A区 › 1号楼."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, **kwargs)
        self._names: dict[str, str] | None = None

    def label_from_instance(self, place):
        if self._names is None:
            # One query for the names of every place above the choices, instead of one per choice.
            prefixes = {place.code[:n] for place in self.queryset for n in (15, 18, 21) if n < len(place.code)}
            self._names = dict(Place.objects.filter(code__in=prefixes).values_list("code", "name"))
        above = [self._names[place.code[:n]] for n in (18, 21) if n < len(place.code) and
                 place.code[:n] in self._names]
        return " › ".join([*above, place.name])


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
