"""A place's QR code and posters (places.posters): the short address the code opens, the poster of one place
(public: what hangs on a wall is no secret) and a community's batch (its staff's tool)."""

import time

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import fonts
from core.params import BadInput, int_param
from places import posters
from places.hooks import report_url
from places.models import Place, PlaceKind


def missing(request, message: str):
    """A 404 that says what is missing (a poster's place or site), with the way back."""
    return render(request, "places/poster_missing.html", {"message": message}, status=404)


def no_font(request):
    """Without a Chinese font every character would print as an empty box: say so instead (as the ledger does)."""
    return render(request, "places/poster_no_font.html", status=503)


def _place(code: str) -> Place | None:
    return Place.objects.filter(code=code).first() if code.isascii() and code.isdigit() else None


def _place_missing(request, code: str):
    return missing(request, _("There is no place with the code “%(code)s”: it may have been removed, or the code "
                              "was mistyped.") % {"code": code[:30]})


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def short(request, code):
    """/p/<code>, what a place's QR code opens: its page for those signed in (who may read it), and for a
    visitor "report a problem here" with the place filled in (the place page is for signed-in users)."""
    place = _place(code)
    if place is None:
        return _place_missing(request, code)
    if not request.user.is_authenticated and (url := report_url(place)):
        return redirect(url)
    return redirect("places:detail", code=place.code)


def poster_panel(request, place: Place) -> dict | None:
    """The place page's QR card: the code, its address, "report a problem here", and the print buttons for staff."""
    if not posters.has_poster(place):
        return None
    base = posters.base_url(request)
    url = posters.short_url(place, base)
    may_print = request.user.has_perm("places.change_place", place)
    batch = may_print and place.kind == PlaceKind.COMMUNITY
    return {"url": url, "svg": posters.qr_svg(url, label=_("QR code of %(name)s") % {"name": place.name}),
            "report_url": report_url(place), "may_print": may_print,
            "poster_url": reverse("places:poster", args=[place.code]),
            "batch_url": reverse("places:posters", args=[place.code]) if batch else None,
            "batch_parts": posters.batch_parts(place, base) if batch else []}


@require_GET
def poster(request, code):
    """One place's poster, A4 or A5 (?size=a4|a5): public."""
    place = _place(code)
    if place is None:
        return _place_missing(request, code)
    size = posters.poster_size(request)
    if not posters.has_poster(place):
        return missing(request, _("%(name)s has no poster: posters are printed for a community and the places in "
                                  "it.") % {"name": place.name})
    font = fonts.cjk_font()
    if font is None:
        return no_font(request)
    content = posters.pdf([posters.place_poster(place, posters.base_url(request))], size=size, font=font,
                          title=place.name)
    return pdf_response(content, f"poster-{place.code}-{size}.pdf")


@login_required
@require_GET
def batch(request, code):
    """Every poster of a community (or of a place in it): its places down to the building, then its sites, in parts
    of up to posters.BATCH_PAGES (?part=2 …). Its staff's tool: who may change the place may print its batch."""
    place = _place(code)
    if place is None:
        return _place_missing(request, code)
    if not request.user.has_perm("places.change_place", place):
        raise PermissionDenied
    size = posters.poster_size(request)
    if not posters.has_poster(place):
        raise BadInput(_("Posters are printed by community: choose a community, or a place in one."))
    part = int_param(request.GET.get("part", "1"), maximum=10**6)
    base = posters.base_url(request)
    items = posters.batch_part(place, base, part) if part else []
    if not items:
        parts = posters.batch_parts(place, base)
        raise BadInput(_("There is no part “%(part)s”: the posters of %(name)s print in %(parts)s part(s) of up "
                         "to %(size)s.") % {"part": request.GET.get("part", "")[:20], "name": place.name,
                                            "parts": len(parts), "size": posters.BATCH_PAGES})
    font = fonts.cjk_font()
    if font is None:
        return no_font(request)
    started = time.monotonic()
    content = posters.pdf(items, size=size, font=font, title=place.name)
    suffix = f"-{part}" if part > 1 or len(items) == posters.BATCH_PAGES else ""
    response = pdf_response(content, f"posters-{place.code}-{size}{suffix}.pdf")
    response["X-Posters"] = str(len(items))
    response["Server-Timing"] = f"pdf;dur={(time.monotonic() - started) * 1000:.0f}"
    return response
