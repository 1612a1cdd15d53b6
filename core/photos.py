"""Photo checks for every upload (needs, sites): an image by its content (not its name), within the size
limit, re-encoded so that no EXIF (and no GPS position) is kept, with a thumbnail."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = settings.PHOTO_MAX_BYTES  # declared in minsheng/settings.py (default 8 MiB)
MAX_SIDE = 2000
THUMB_SIDE = 320
Image.MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    # A fresh image without `exif=` carries no metadata at all.
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_prepare(upload) -> tuple[bytes, bytes]:
    """(image, thumbnail) as EXIF-free JPEG bytes, or ValidationError saying what is wrong."""
    name = getattr(upload, "name", "") or _("the photo")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; a photo may be at most %(max)d MB.")
            % {"name": name, "size": upload.size / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024},
            code="photo_size")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()  # checks the file's structure; the image must be reopened to be used
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "GIF", "MPO"):
                raise UnidentifiedImageError
            image = ImageOps.exif_transpose(image).convert("RGB")
            return _jpeg(image, MAX_SIDE), _jpeg(image, THUMB_SIDE)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG, WebP or GIF).") % {"name": name},
                              code="photo_type") from exc
