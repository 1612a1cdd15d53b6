"""The sections of the ledger, in the order pages and exports show them.

Adding a section (bookings, volunteer hours, disputes, ...) is adding one selector that returns
`SectionData` (figures and tables) and one entry here; its template block is optional — without one,
`ledger/sections/generic.html` shows its figures and tables, and every export (Excel, PDF, CSV, JSON)
takes its figures and tables as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ledger import selectors as s
from ledger.periods import Period
from places.models import Place, PlaceKind


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    compute: Callable[[s.LedgerScope], s.SectionData]
    template: str = "ledger/sections/generic.html"
    applies: Callable[[Place], bool] = lambda place: True


SECTIONS: tuple[Section, ...] = (
    Section("needs", _("Needs list"), s.needs_section, "ledger/sections/needs.html"),
    Section("rates", _("The three rates"), s.rates_section),
    Section("trend", _("Trend"), s.trend_section),
    Section("breakdowns", _("Breakdowns"), s.breakdowns_section),
    Section("active", _("Most active"), s.active_section),
    Section("partners", _("Co-building and coverage"), s.partners_section),
    Section("sites", _("Stations, facilities and micro-positions"), s.sites_section),
    Section("community", _("The community"), s.community_section,
            applies=lambda place: place.kind == PlaceKind.COMMUNITY),
    Section("honours", _("Honours"), s.honours_section),
    Section("deeds", _("Deeds done"), s.deeds_section, "ledger/sections/deeds.html"),
)


@dataclass
class BuiltSection:
    section: Section
    data: s.SectionData

    @property
    def key(self):
        return self.section.key

    @property
    def title(self):
        return str(self.section.title)


def ledger_build(place: Place, period: Period, *, public: bool, **deeds_page) -> list[BuiltSection]:
    """Every section that applies to the place; `deeds_page`: deeds_offset, deeds_limit (default the first 50)."""
    scope = s.LedgerScope(place, period, public, **deeds_page)
    return [BuiltSection(section, section.compute(scope)) for section in SECTIONS if section.applies(place)]


def figures_by_key(built: list[BuiltSection]) -> dict:
    """Every figure of the ledger by its key (keys are unique across sections)."""
    return {f.key: f.value for b in built for f in b.data.figures}
