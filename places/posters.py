"""QR posters (SPEC §4): every place from the community down to the building has a QR code that opens its page at
a short address (`/p/<code>`, `places.poster_views.short`), and a printable poster (PDF, A4 or A5): its name,
what to scan for, the code, the address in text and the community's name, in an embedded Chinese font.

What the apps above keep in a place has posters too (sites: its stations, facilities, micro-positions): they
make their `Poster`s with the functions here and register a source (`places.hooks.poster_source_register`), so a
community's batch prints its places and then theirs in one PDF.

The QR code is segno's, never a Micro QR, at error level M (15 % of it may be dirty or torn and it still reads).
Pages show it as inline SVG (`qr_svg`: no style attribute, which the Content-Security-Policy would block); the PDF
embeds it as a PNG of a pixel a module, drawn unsmoothed (`qr_png`), whose modules a test reads back out of it.
"""

import base64
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.params import BadInput
from places.hooks import poster_sources
from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import place_paths, within

# The places that have a poster: a community and everything inside it (where residents are and needs are about).
POSTER_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE,
                PlaceKind.BUILDING, PlaceKind.ENTRANCE)
# A community's batch goes down to the building: one poster per entrance would be thousands in a large
# community, and the building's poster hangs at its door(s) anyway.
BATCH_KINDS = POSTER_KINDS[:-1]
COMMUNITY_CODE = PLACE_RULES[PlaceKind.COMMUNITY][1]
SUBDISTRICT_CODE = PLACE_RULES[PlaceKind.SUBDISTRICT][1]
SIZES = {"a4": "A4", "a5": "A5"}
QR_ERROR = "m"
CSS = Path(__file__).with_name("posters.css")


@dataclass
class Poster:
    name: str  # big, in the middle: 4号楼, 天庆嘉园便民驿站
    kind: str  # its kind, as a badge
    where: str  # the way to it from the community (天庆嘉园社区 › 天庆嘉园A区); "" for a community itself
    community: str  # the subdistrict and the community, at the foot (拱星墩街道 天庆嘉园社区)
    url: str  # what the QR code opens, printed under it too
    scan: tuple[str, ...]  # what to scan for (扫码反映问题, 扫码查看可借物品)
    lines: tuple[str, ...] = field(default=())  # more to read: opening hours, what may be borrowed

    @cached_property
    def qr_png(self) -> str:
        return qr_png(self.url)


def qr(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)  # a Micro QR (for short text) most phones cannot read


def qr_svg(url: str, *, label: str) -> SafeString:
    """The code as inline SVG for a page: scalable (a viewBox, no width), titled for screen readers."""
    svg = qr(url).svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, light="#fff",
                             title=label)
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def qr_png(url: str) -> str:
    """The code as a PNG data URI for the PDF: a pixel a module, the quiet zone of 4 modules included, drawn
    without smoothing (posters.css: image-rendering: pixelated), so its edges are sharp at any size."""
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="png", scale=1, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def base_url(request) -> str:
    """The address posters point to: POSTERS_BASE_URL, else this site's as the request reached it (behind nginx,
    its public name)."""
    return settings.POSTERS_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def short_url(place: Place, base: str) -> str:
    return base + reverse("place_short", args=[place.code])


def scan_words() -> tuple[str, ...]:
    return (_("Scan to report a problem"),)


def community_names(codes: Iterable[str]) -> dict[str, str]:
    """The foot line of each community code: its subdistrict's name and its own (拱星墩街道 天庆嘉园社区)."""
    codes = {c[:COMMUNITY_CODE] for c in codes if len(c) >= COMMUNITY_CODE}
    wanted = codes | {c[:SUBDISTRICT_CODE] for c in codes}
    names = dict(Place.objects.filter(code__in=wanted).values_list("code", "name")) if wanted else {}
    return {c: " ".join(n for n in (names.get(c[:SUBDISTRICT_CODE]), names.get(c)) if n) for c in codes}


def place_poster_list(places: list[Place], base: str) -> list[Poster]:
    """The posters of these places, in three queries whatever their number."""
    paths = place_paths(places)
    feet = community_names(p.code for p in places)
    return [Poster(name=place.name, kind=PlaceKind(place.kind).label, where=" › ".join(paths[place.pk][:-1]),
                   community=feet.get(place.code[:COMMUNITY_CODE], ""), url=short_url(place, base),
                   scan=scan_words())
            for place in places]


def place_poster(place: Place, base: str) -> Poster:
    return place_poster_list([place], base)[0]


def has_poster(place: Place) -> bool:
    return place.kind in POSTER_KINDS


# The most posters in one PDF of a batch: WeasyPrint lays out some 20–50 a second on one core, so a community
# of a thousand buildings prints in parts (?part=2), each well within the web server's 60 seconds.
BATCH_PAGES = 150


def batch(place: Place, base: str) -> Iterator[Poster]:
    """All the posters of a place (a community, usually): its places down to the building in the tree's order,
    then what the apps above keep in it (their sources), each source's in its own order."""
    places = list(Place.objects.filter(within(place), kind__in=BATCH_KINDS).order_by("code"))
    yield from place_poster_list(places, base)
    for source in poster_sources():
        yield from source(place, base)


def batch_parts(place: Place, base: str) -> list[tuple[int, int, int]]:
    """The parts a place's batch prints in: (part, first poster, last poster), numbered from 1."""
    total = Place.objects.filter(within(place), kind__in=BATCH_KINDS).count()
    total += sum(len(source(place, base)) for source in poster_sources())
    return [(n + 1, start + 1, min(start + BATCH_PAGES, total)) for n, start in
            enumerate(range(0, total, BATCH_PAGES))]


def batch_part(place: Place, base: str, part: int) -> list[Poster]:
    """One part of the batch (1: the first BATCH_PAGES posters); [] past the last."""
    start = (part - 1) * BATCH_PAGES
    return list(islice(batch(place, base), start, start + BATCH_PAGES))


def poster_size(request) -> str:
    """The page size asked for (?size=a4|a5; A4 if not given); another value is refused with words (400)."""
    size = request.GET.get("size", "a4").strip().lower() or "a4"
    if size not in SIZES:
        raise BadInput(_("The poster size is A4 or A5 (?size=a4 or ?size=a5), not “%(size)s”.")
                       % {"size": request.GET.get("size", "")[:20]})
    return size


def pdf(posters: Iterable[Poster], *, size: str, font: str, title: str) -> bytes:
    """One page per poster, in one WeasyPrint document (the font is embedded once, subset to what is printed)."""
    from weasyprint import CSS as Stylesheet  # imported here: pango is loaded only when a PDF is asked for
    from weasyprint import HTML

    html = render_to_string("places/posters_pdf.html", {"posters": posters, "size": size, "title": title})
    css = CSS.read_text(encoding="utf-8").replace("FONT", font.replace('"', "")).replace("SIZE", SIZES[size])
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer, stylesheets=[Stylesheet(string=css)])
    return buffer.getvalue()
