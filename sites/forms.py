from io import BytesIO

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from core.forms import ServiceModelForm
from people.forms import LOCATION_KINDS, PlaceChoiceField, places_for
from people.models import Organisation
from sites.models import Site

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class SiteForm(ServiceModelForm):
    class Meta:
        model = Site
        fields = ["kind", "name", "place", "operator", "opening_hours", "description", "photo", "opened_on"]
        field_classes = {"place": PlaceChoiceField}
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3}),
                   "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_for(user, LOCATION_KINDS)
        self.fields["operator"].queryset = Organisation.objects.order_by("name")

    def clean_photo(self):
        """Pillow has already checked it is an image; keep common formats, limit the size, drop EXIF.

        Re-encoding without EXIF removes the GPS position a phone writes into its photos.
        """
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo
        if photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB; please choose a smaller one."))
        image = Image.open(photo)
        if image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP photo."))
        clean = ImageOps.exif_transpose(image)
        out = BytesIO()
        clean.save(out, format=image.format)
        stem = photo.name.rsplit(".", 1)[0][:80] or "photo"
        return SimpleUploadedFile(f"{stem}.{PHOTO_FORMATS[image.format]}", out.getvalue(),
                                  content_type=Image.MIME[image.format])
