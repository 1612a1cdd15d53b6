from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from core.forms import ServiceModelForm
from core.photos import photo_prepare
from people.models import Organisation
from places.forms import PlacePickerField
from sites.models import Site


class SiteForm(ServiceModelForm):
    class Meta:
        model = Site
        fields = ["kind", "name", "place", "operator", "opening_hours", "description", "photo", "opened_on"]
        field_classes = {"place": PlacePickerField}
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3}),
                   "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer("location", user)
        self.fields["operator"].queryset = Organisation.objects.order_by("name")

    def clean_photo(self):
        """An image by its content, re-encoded without EXIF (which holds the GPS position a phone writes)."""
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo
        image, _thumbnail = photo_prepare(photo)
        stem = photo.name.rsplit(".", 1)[0][:80] or "photo"
        return SimpleUploadedFile(f"{stem}.jpg", image, content_type="image/jpeg")
