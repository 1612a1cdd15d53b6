"""A site's QR code and poster (sites.posters): the short address its code opens, its public poster, and the QR
card on its page. Apart from sites.views, which the stations' pages grow in."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import fonts
from places import posters
from places.hooks import report_url
from places.poster_views import missing, no_font, pdf_response
from sites import posters as site_posters
from sites.models import Site, SiteKind


def _site(pk: int) -> Site | None:
    return Site.objects.select_related("place").filter(pk=pk).first() if 0 < pk < 2**63 else None


def _site_missing(request, pk):
    return missing(request, _("There is no station, facility or micro-position number %(pk)s: it may have been "
                              "removed, or the address was mistyped.") % {"pk": str(pk)[:30]})


@require_GET
def short(request, pk):
    """/s/<id>, what a site's QR code opens: its page (public)."""
    site = _site(pk)
    if site is None:
        return _site_missing(request, pk)
    return redirect("sites:detail", pk=site.pk)


def poster_panel(request, site: Site) -> dict:
    """The site page's QR card: the code, its address, "report a problem here" (its place filled in), what a
    station lends and gives out, and the print button for its staff."""
    url = site_posters.short_url(site, posters.base_url(request))
    return {"url": url, "svg": posters.qr_svg(url, label=_("QR code of %(name)s") % {"name": site.name}),
            "report_url": report_url(site.place), "is_station": site.kind == SiteKind.STATION,
            "items": site_posters.item_lines(site), "may_print": request.user.has_perm("sites.change_site", site),
            "poster_url": reverse("sites:poster", args=[site.pk])}


@require_GET
def poster(request, pk):
    """One site's poster, A4 or A5 (?size=a4|a5): public, as its page is."""
    site = _site(pk)
    if site is None:
        return _site_missing(request, pk)
    size = posters.poster_size(request)
    font = fonts.cjk_font()
    if font is None:
        return no_font(request)
    content = posters.pdf([site_posters.site_poster(site, posters.base_url(request))], size=size, font=font,
                          title=site.name)
    return pdf_response(content, f"poster-site-{site.pk}-{size}.pdf")
