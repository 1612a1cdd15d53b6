"""Open data: GET /api/v1/ledger?place=<code>&from=YYYY-MM-DD&to=YYYY-MM-DD — public, no token.

The same sections as the public page (no personal data). `figures` holds every headline figure by key,
each documented below; `sections` holds the same figures and the tables (breakdowns, trend, ...) in the
order of the page; `deeds` is a page of the deeds done (`deeds_total` in all; page with deeds_offset).
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from core.api import Detail, Offset
from ledger import periods
from ledger.rollups import SCOPE_KINDS
from ledger.sections import figures_by_key, ledger_build
from places.api import CODE
from places.models import Place, PlaceKind

router = Router(tags=["ledger"])

COUNT = "a count"
RATE = "a fraction from 0 to 1, null when its denominator is 0"


class LedgerQuery(Schema):
    place: str = Field(..., pattern=CODE, description="the code of a subdistrict, community or grid (or district, "
                                                       "city); 404 for any other place")
    from_: datetime.date = Field(..., alias="from", description="first day of the period, YYYY-MM-DD")
    to: datetime.date = Field(..., description="last day of the period (inclusive), YYYY-MM-DD")
    deeds_limit: int = Field(100, ge=0, le=1000, description="how many deeds to return")
    deeds_offset: Offset = Field(0, description="skip this many deeds (newest first)")


class PlaceRef(Schema):
    code: str
    name: str
    kind: PlaceKind


class PeriodOut(Schema):
    from_: datetime.date = Field(..., alias="from")
    to: datetime.date
    kind: str = Field(..., description="year, quarter, month or custom")
    label: str


def _f(text, kind=COUNT):
    return Field(None, description=f"{text} ({kind})")


class Figures(Schema):
    found: int = _f("needs accepted in the period, not rejected, not merged")
    claimed: int = _f("needs found that are now held by a unit, member or department")
    resolved: int = _f("needs found that are now resolved or closed after resolution")
    on_time: int = _f("needs resolved before their resolve deadline")
    escalated: int = _f("needs found that were raised to the subdistrict or a department")
    overdue: int = _f("needs found that are overdue now")
    reopened: int = _f("needs found that were reopened at least once")
    affected: int = _f("people affected by the needs found (merged duplicates add theirs)")
    rejected: int = _f("needs rejected in the period (by the day of rejection)")
    merged: int = _f("needs merged into another in the period")
    claim_rate: float | None = _f("claimed / found", RATE)
    resolution_rate: float | None = _f("resolved / found (解决率)", RATE)
    on_time_rate: float | None = _f("on time / resolved", RATE)
    response_rate: float | None = _f("claimed within the claim deadline / found (响应率)", RATE)
    satisfaction_rate: float | None = _f("(very satisfied + satisfied + 0.9 × fairly satisfied) / rated (满意率)", RATE)
    composite: float | None = _f("weighted sum of response, resolution and satisfaction rates", RATE)
    units: int = _f("co-building units with a party organisation, by agreement or dual reporting")
    members: int = _f("in-service party members dual-reported into the scope")
    covered_grid: int = _f("grids covered (包抓) during the period")
    covered_compound: int = _f("compounds covered during the period")
    covered_courtyard: int = _f("courtyards covered during the period")
    covered_unit_site: int = _f("unit sites covered during the period")
    stations: int = _f("convenience stations")
    facilities: int = _f("convenience facilities")
    micro_positions: int = _f("party-building micro-positions")
    bookings_fulfilled: int = _f("bookings of offers fulfilled, by their session's start in the period, of people "
                                 "living in the scope (offers.figures)")
    residents_served: int = _f("distinct people with a fulfilled booking")
    no_shows: int = _f("bookings marked as not attended (no-show)")
    no_show_rate: float | None = _f("no-shows / (fulfilled + no-shows)", RATE)
    items_lent: int = _f("loans made by the scope's stations in the period (sites.figures)")
    items_given_out: int = _f("units of consumables the scope's stations gave out in the period")
    station_uses: int = _f("loans + give-outs at the scope's stations in the period")
    activities_held: int = _f("volunteer activities at places in the scope, not cancelled, that ended in the period "
                              "(volunteering.figures)")
    volunteers_active: int = _f("distinct volunteers with certified hours on those activities")
    hours_served: float = _f("certified volunteer service hours on those activities", "hours, 2 decimals")
    disputes_received: int = _f("disputes received in the period at places in the scope (mediation.figures)")
    disputes_concluded: int = _f("disputes whose outcome was recorded in the period (agreement, referred, withdrawn "
                                 "or refused)")
    disputes_settled: int = _f("disputes concluded in the period by a mediation agreement")
    community_settle_rate: float | None = _f("settled at building or community level / (concluded - withdrawn) "
                                             "(小事不出社区)", RATE)
    subdistrict_settle_rate: float | None = _f("settled at building, community or subdistrict level / (concluded - "
                                               "withdrawn) (大事不出街道)", RATE)
    median_days_to_settle: float | None = _f("median days from intake to agreement of the disputes settled in the "
                                             "period; null when none", "days, 1 decimal")
    meetings_held: int = _f("meetings of bodies in the scope (社工委, resident councils, the joint meeting) marked "
                            "held in the period (meetings.figures)")
    attendance_rate: float | None = _f("members recorded present / members invited, over those meetings (excused "
                                       "not present)", RATE)
    resolutions_adopted: int = _f("resolutions adopted in the period by bodies in the scope")
    resolutions_done: int = _f("of them, carried out now: all they created is resolved or held, or marked done")
    council_needs: int = _f("needs found in the period raised by a resident council, 社工委 or the joint meeting "
                            "(their channel)")
    council_needs_resolved: int = _f("of them, resolved now")
    honours: int = _f("honours awarded to places in the scope by the period's end")
    branches: int | None = _f("a community's party branches; null for other scopes")
    party_members: int | None = _f("members of a community's party committee and branches; null elsewhere")
    area_km2: float | None = _f("a community's area in km²; null elsewhere", "a number")
    buildings: int | None = _f("a community's buildings; null elsewhere")
    households: int | None = _f("a community's households; null elsewhere")
    residents: int | None = _f("a community's residents; null elsewhere")
    committee_members: int | None = _f("a community's committee (社工委) seats; null elsewhere")


class FigureOut(Schema):
    key: str
    label: str
    value: int | float | None
    unit: str = Field(..., description='"%" for a rate (value is a fraction), or a unit such as km²')


class ColumnOut(Schema):
    key: str
    label: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, str | int | float | None]] = Field(..., description="one object per row, by column key")


class SectionOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]
    tables: list[TableOut]


class DeedOut(Schema):
    title: str = Field(..., description="what was done, as the need's public page shows it: no entrance, room, "
                                        "phone or name (people.public.public_text)")
    category: str
    community: str = Field(..., description="where, in general terms: the community")
    grid: str = Field(..., description="and the grid (never a building or a room)")
    by: str = Field(..., description="the unit, or the member with the name masked (张*)")
    resolved_on: datetime.date
    rating: str = Field(..., description="the resident's grade, empty when not rated")


class LedgerOut(Schema):
    place: PlaceRef
    period: PeriodOut
    figures: Figures
    sections: list[SectionOut]
    deeds: list[DeedOut]
    deeds_total: int


def ledger_data(place: Place, period: periods.Period, *, deeds_limit=100, deeds_offset=0) -> dict:
    built = ledger_build(place, period, public=True, deeds_offset=deeds_offset, deeds_limit=deeds_limit)
    deeds = next(t for b in built for t in b.data.tables if t.key == "deeds")
    return {
        "place": {"code": place.code, "name": place.name, "kind": place.kind},
        "period": {"from": period.start, "to": period.end, "kind": period.kind, "label": period.label},
        "figures": figures_by_key(built),
        "sections": [{"key": b.key, "title": b.title,
                      "figures": [{"key": f.key, "label": f.label, "value": f.value, "unit": f.unit}
                                  for f in b.data.figures],
                      "tables": [{"key": t.key, "title": str(t.title),
                                  "columns": [{"key": k, "label": str(label)} for k, label in t.columns],
                                  "rows": [{k: v for k, v in row.items() if k not in ("filter", "href")}
                                           for row in t.rows]}
                                 for t in b.data.tables if t.key != "deeds"]}
                     for b in built],
        "deeds": [{**row, "title": row["label"]} for row in deeds.rows],
        "deeds_total": deeds.total,
    }


@router.get("", response={200: LedgerOut, 404: Detail, 422: Detail}, auth=None, url_name="ledger",
            summary="The public ledger of a place and period (open data)", by_alias=True)
def ledger(request, q: Query[LedgerQuery]):
    place = Place.objects.filter(code=q.place, kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Http404("找不到该地点 / No place with this code")
    try:
        period = periods.period_from_range(q.from_.isoformat(), q.to.isoformat())
    except ValidationError as error:
        return Status(422, {"detail": " ".join(error.messages)})
    return Status(200, ledger_data(place, period, deeds_limit=q.deeds_limit, deeds_offset=q.deeds_offset))
