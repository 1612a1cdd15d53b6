from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ServiceModelForm
from core.params import day_validators
from core.photos import photo_prepare
from people import scopes
from people.forms import PersonPicker
from people.models import Organisation
from places.forms import PickerField, PlacePickerField
from sites.models import Item, ItemKind, MovementKind, Site
from sites.services import MAX_LOAN_DAYS, MAX_QUANTITY


class PhotoChecked:
    """A site's photo, on its page and in the admin, through core.photos: an image by its content, within the size
    and pixel limits, re-encoded without EXIF (which holds the GPS position a phone writes). The form's photo
    field is a plain FileField: Django's ImageField would open it first, under Pillow's own limit only, and call
    a huge one "not a valid image"."""

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo
        image, _thumbnail = photo_prepare(photo)
        stem = photo.name.rsplit(".", 1)[0][:80] or "photo"
        return SimpleUploadedFile(f"{stem}.jpg", image, content_type="image/jpeg")


class SiteForm(PhotoChecked, ServiceModelForm):
    class Meta:
        model = Site
        fields = ["kind", "name", "place", "operator", "opening_hours", "description", "photo", "opened_on"]
        field_classes = {"place": PlacePickerField, "photo": forms.FileField}  # checked by PhotoChecked
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3}),
                   "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("location", user)
        self.fields["operator"].queryset = Organisation.objects.order_by("name")


# --- A station's desk: items, stock, loans (sites.services checks the rules and writes) --------------------

class ItemForm(ServiceModelForm):
    class Meta:
        model = Item
        fields = ["kind", "name", "unit", "stock", "low_stock", "units", "loan_days", "note", "active"]
        widgets = {f: forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_QUANTITY})
                   for f in ("stock", "low_stock", "units")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("stock", "low_stock", "units"):
            self.fields[name].max_value = MAX_QUANTITY
            self.fields[name].validators.append(MaxValueValidator(MAX_QUANTITY))
        self.fields["loan_days"].validators.append(MaxValueValidator(MAX_LOAN_DAYS))
        if self.instance.pk:  # kind and stock change only by movements
            del self.fields["kind"], self.fields["stock"]
            if not self.instance.is_lendable:
                del self.fields["units"], self.fields["loan_days"]
            else:
                del self.fields["low_stock"]
        else:
            del self.fields["active"]
            self.fields["stock"].help_text = _("Consumables: what is on hand now (recorded as received).")


class LendForm(forms.Form):
    item = forms.ModelChoiceField(label=pgettext_lazy("station item", "What"), queryset=Item.objects.none(),
                                  empty_label=None)
    person = PickerField(label=_("Borrower on record"), required=False,
                         placeholder=_("Name, pinyin or phone (last 4 digits)"))
    borrower_name = forms.CharField(label=_("Or: the borrower's name"), required=False, max_length=50)
    borrower_phone = forms.CharField(label=_("and phone"), required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                                     help_text=_("A passer-by: seen by the station's operators only."))
    due_on = forms.DateField(label=_("Due back on"), required=False, validators=day_validators,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Empty: the item's loan period from today."))

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = site.items.filter(kind=ItemKind.LENDABLE, active=True).order_by("name")
        self.fields["item"].label_from_instance = lambda item: item.name
        # whom the operator lends or gives to: the people they may open, as loan_create and stock_give_out accept
        self.fields["person"].picker = PersonPicker(scopes.persons_visible_to(user),
                                                    reverse("sites:borrower_pick", args=[site.pk]))

    def add_service_errors(self, error):
        ServiceModelForm.add_service_errors(self, error)


class MovementForm(forms.Form):
    KINDS = [(MovementKind.GIVEN_OUT, _("Give out")), (MovementKind.RECEIVED, _("Receive")),
             (MovementKind.ADJUSTED, _("Correct to a count"))]

    item = forms.ModelChoiceField(label=pgettext_lazy("station item", "What"), queryset=Item.objects.none(),
                                  empty_label=None)
    kind = forms.ChoiceField(label=_("What happened"), choices=KINDS, widget=forms.RadioSelect,
                             initial=MovementKind.GIVEN_OUT)
    quantity = forms.IntegerField(label=_("How many"), min_value=0, max_value=MAX_QUANTITY, initial=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                  help_text=_("Correcting: the number counted on the shelf."))
    reason = forms.CharField(label=_("Reason or note"), required=False, max_length=200,
                             help_text=_("Required when correcting (e.g. 盘点, 过期, 损坏)."))
    recipient = forms.CharField(label=_("Given to (optional)"), required=False, max_length=50,
                                help_text=_("Seen by the station's operators only."))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = site.items.filter(kind=ItemKind.CONSUMABLE, active=True).order_by("name")
        self.fields["item"].label_from_instance = lambda item: f"{item.name}（{item.stock}{item.unit}）"

    def add_service_errors(self, error):
        ServiceModelForm.add_service_errors(self, error)
