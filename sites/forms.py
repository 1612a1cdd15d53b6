from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from core.forms import ServiceModelForm
from core.photos import photo_prepare
from people.models import Organisation
from places.forms import PlacePickerField
from sites.models import Site


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
