"""The sections of the ledger, in the order pages and exports show them, and the ledger built from them.

Adding a section (bookings, volunteer hours, disputes, ...) is adding one builder that returns
`SectionData` (figures and tables) to ledger.builders and one entry here; its template block is optional —
without one, `ledger/sections/generic.html` shows its figures and tables, and every export (Excel, PDF, CSV,
JSON) takes its figures and tables as they are.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.events import chains_version
from ledger import builders
from ledger.periods import Period
from ledger.section_data import BuiltSection, SectionData
from places.models import Place, PlaceKind, chains_under


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    compute: Callable[[builders.LedgerScope], SectionData]
    template: str = "ledger/sections/generic.html"
    applies: Callable[[Place], bool] = lambda place: True


SECTIONS: tuple[Section, ...] = (
    Section("needs", _("Needs list"), builders.needs_section, "ledger/sections/needs.html"),
    Section("rates", _("The three rates"), builders.rates_section, "ledger/sections/rates.html"),
    Section("trend", _("Trend"), builders.trend_section),
    Section("breakdowns", _("Breakdowns"), builders.breakdowns_section),
    Section("active", _("Most active"), builders.active_section),
    Section("partners", _("Co-building and coverage"), builders.partners_section),
    Section("sites", _("Stations, facilities and micro-positions"), builders.sites_section),
    Section("offers", _("Offers and bookings"), builders.offers_section),
    Section("stations", _("What the stations lent and gave out"), builders.stations_section),
    Section("volunteering", _("Volunteer service"), builders.volunteering_section),
    Section("mediation", _("Neighbour disputes mediated"), builders.mediation_section),
    Section("meetings", _("Councils and meetings"), builders.meetings_section),
    Section("community", _("The community"), builders.community_section,
            applies=lambda place: place.kind == PlaceKind.COMMUNITY),
    Section("honours", _("Honours"), builders.honours_section),
    Section("deeds", _("Deeds done"), builders.deeds_section, "ledger/sections/deeds.html"),
)


# Any write anywhere moves the chain's head, so a busy city's ledgers are rebuilt often and their old
# entries are never read again: they expire soon, and the cache stays small.
CACHE_SECONDS = 600
# Raise it whenever the cached classes (ledger.section_data) change shape or module: an entry pickled by the
# code before a deploy would not load after it.
CACHE_VERSION = 5


def ledger_key(place: Place, period: Period, *, public: bool, **deeds_page) -> str:
    """The key a ledger is cached under: the heads of the event chains of the place's subdistricts and the city's.
    Every write that can move a figure appends an event there, so a new head means a new key and a cached ledger
    is never stale, while a write in another subdistrict leaves this one's cache warm. Today's date is in the key
    for figures that count days; the language for the labels."""
    deeds = ",".join(f"{k}={v}" for k, v in sorted(deeds_page.items()))
    return (f"ledger:{chains_version(under=chains_under(place))}:{timezone.localdate()}:{get_language()}:"
            f"{place.code}:{period.start}:{period.end}:{int(public)}:{deeds}")


def ledger_build(place: Place, period: Period, *, public: bool, key: str = "", **deeds_page) -> list[BuiltSection]:
    """Every section that applies to the place; `deeds_page`: deeds_offset, deeds_limit (default the first 50).

    Cached under `ledger_key` (`key`: the caller's, read before, when it caches what it renders beside the ledger).
    The heads are read before the sections, so a ledger is never stored under heads newer than its data."""
    applicable = [section for section in SECTIONS if section.applies(place)]

    def build():
        scope = builders.LedgerScope(place, period, public, **deeds_page)
        return [section.compute(scope) for section in applicable]

    data = built_once(key or ledger_key(place, period, public=public, **deeds_page), build)
    return [BuiltSection(section.key, str(section.title), section.template, d)
            for section, d in zip(applicable, data, strict=True)]


# The keys being built in this process, each with the lock its builder holds.
_building: dict[str, threading.Lock] = {}
_building_guard = threading.Lock()


def built_once(key: str, build: Callable):
    """The cached value of `key`, else `build()` cached. The threads of a process that miss the same key at once
    wait for the first one's build instead of each building it: four builds at once, sharing one interpreter, took
    four times as long each (the p95 of a ledger page after a write)."""
    data = cache.get(key, version=CACHE_VERSION)
    if data is not None:
        return data
    with _building_guard:
        lock = _building.setdefault(key, threading.Lock())
    try:
        with lock:
            data = cache.get(key, version=CACHE_VERSION)
            if data is None:
                data = build()
                cache.set(key, data, CACHE_SECONDS, version=CACHE_VERSION)
    finally:
        with _building_guard:
            _building.pop(key, None)
    return data


def figures_by_key(built: list[BuiltSection]) -> dict:
    """Every figure of the ledger by its key (keys are unique across sections)."""
    return {f.key: f.value for section in built for f in section.data.figures}
