"""Photo checks for every upload (needs, sites): an image by its content (not its name), within the size
and pixel limits, re-encoded so that no EXIF (and no GPS position) is kept, with a thumbnail."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = settings.PHOTO_MAX_BYTES  # declared in minsheng/settings.py (default 8 MiB)
# Checked on the size in the file's header, before anything is decoded. Pillow's own guard (MAX_IMAGE_PIXELS,
# left at its default of ~89 million) only warns below twice its limit, and the image is then decoded whole:
# 4 bytes a pixel, copied once more for each size written.
MAX_PIXELS = settings.PHOTO_MAX_PIXELS  # default 40 million
MAX_SIDE = 2000
THUMB_SIDE = 320
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")  # Image.open tries no other reader (a phone's multi-picture JPEG opens as MPO)


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
    too_large = ValidationError(
        _("The photo is too large: %(name)s has more than %(max)s pixels. Please make it smaller (or send a "
          "screenshot of it) and try again.") % {"name": name, "max": f"{MAX_PIXELS:,}"},
        code="photo_pixels")
    try:
        upload.seek(0)
        with Image.open(upload, formats=FORMATS) as probe:  # reads the header only
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise too_large
            probe.verify()  # checks the file's structure; the image must be reopened to be used
        upload.seek(0)
        with Image.open(upload, formats=FORMATS) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            return _jpeg(image, MAX_SIDE), _jpeg(image, THUMB_SIDE)
    except Image.DecompressionBombError as exc:  # Pillow's own limit, met in the header before ours
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG, WebP or GIF).") % {"name": name},
                              code="photo_type") from exc
