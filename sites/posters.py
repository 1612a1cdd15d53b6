"""The QR posters of stations, facilities and micro-positions (places.posters makes the PDF): each site's code
opens its page at a short address (`/s/<id>`, `sites.poster_views.short`); a station's poster also says what
may be borrowed or taken there. A community's batch prints its sites after its places (registered in
sites.apps as a poster source)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from places import posters
from places.posters import Poster
from places.selectors import place_paths, within
from sites.models import ItemKind, Site, SiteKind


def short_url(site: Site, base: str) -> str:
    return base + reverse("site_short", args=[site.pk])


def scan_words(site: Site) -> tuple[str, ...]:
    if site.kind == SiteKind.STATION:
        return (*posters.scan_words(), _("Scan to see what you can borrow"))
    return posters.scan_words()


def offered_items(site: Site) -> dict[str, list[str]]:
    """A station's items as its poster and page list them: lent (雨伞, 血压计) and given out (创可贴), by name."""
    found = {"lent": [], "given": []}
    for item in site.items.all():  # prefetched by the caller for a batch
        if item.active:
            found["lent" if item.kind == ItemKind.LENDABLE else "given"].append(item.name)
    return found


ITEMS_LISTED = 8  # names on a line of the poster, so that it stays one page


def _names(names: list[str]) -> str:
    if len(names) <= ITEMS_LISTED:
        return "、".join(names)
    return _("%(names)s and %(count)s more") % {"names": "、".join(names[:ITEMS_LISTED]), "count": len(names)}


def item_lines(site: Site) -> list[str]:
    if site.kind != SiteKind.STATION:
        return []
    items, lines = offered_items(site), []
    if items["lent"]:
        lines.append(_("To borrow: %(items)s") % {"items": _names(items["lent"])})
    if items["given"]:
        lines.append(_("Free to take: %(items)s") % {"items": _names(items["given"])})
    return lines


def site_poster_list(sites: list[Site], base: str) -> list[Poster]:
    """The posters of these sites (their places and items selected or prefetched), in two queries more."""
    paths = place_paths([s.place for s in sites])
    feet = posters.community_names(s.place.code for s in sites)
    made = []
    for site in sites:
        lines = [_("Open: %(hours)s") % {"hours": site.opening_hours}] if site.opening_hours else []
        made.append(Poster(name=site.name, kind=site.get_kind_display(), where=" › ".join(paths[site.place_id]),
                           community=feet.get(site.place.code[:posters.COMMUNITY_CODE], ""),
                           url=short_url(site, base), scan=scan_words(site), lines=(*lines, *item_lines(site))))
    return made


def site_poster(site: Site, base: str) -> Poster:
    return site_poster_list([site], base)[0]


def sites_in(place, base: str) -> list[Poster]:
    """The posters of every site in the place (places.hooks.poster_source_register): by kind, then name."""
    sites = list(Site.objects.filter(within(place, "place")).select_related("place").prefetch_related("items")
                 .order_by("kind", "name"))
    return site_poster_list(sites, base)
