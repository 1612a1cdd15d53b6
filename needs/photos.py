"""A need's photos: at most a few at a time, each checked and cleaned by core.photos."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.photos import photo_prepare

MAX_PHOTOS = 6


def photos_prepare(uploads) -> list[tuple[bytes, bytes]]:
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}})
    try:
        return [photo_prepare(u) for u in uploads]
    except ValidationError as error:
        raise ValidationError({"photos": error.messages}) from error
