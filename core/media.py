"""Uploaded files (MEDIA_ROOT), answered by a view after it checked who may see them.

On the embedded default the view streams the file itself. Behind nginx (settings.MEDIA_ACCEL_REDIRECT set to
an `internal` location that serves MEDIA_ROOT, deploy/nginx.conf) it answers with an empty body and
`X-Accel-Redirect`, and nginx sends the file: the check stays in Django, the bytes do not pass through it.
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse


def file_response(name: str, *, private: bool) -> HttpResponse:
    """The stored file `name` (relative to MEDIA_ROOT); `private`: kept out of shared caches."""
    if not default_storage.exists(name):  # a name reaching outside MEDIA_ROOT raises SuspiciousFileOperation: 400
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_REDIRECT.rstrip('/')}/{quote(name)}"
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=604800"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def public_file(request, path: str) -> HttpResponse:
    """Files anyone may see (the photos of stations, facilities and micro-positions): minsheng/urls.py routes
    only their folders here."""
    if posixpath.normpath(path) != path:  # sites/../x would leave the folder the route names
        raise Http404
    return file_response(path, private=False)
