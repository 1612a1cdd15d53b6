"""The sections' builders: each takes a LedgerScope and returns SectionData (figures and tables), shaped
from the queries of ledger.selectors and people.selectors and named by ledger.labels. ledger.sections
lists them, in the order pages and downloads show them.

A new section is a builder here, `def my_section(s: LedgerScope) -> SectionData`, with its queries in
the selectors of the app whose records it counts and its labels in ledger.labels, and one entry in
ledger.sections.SECTIONS.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ledger import selectors
from ledger.exports import deed_columns, deed_rows
from ledger.labels import (
    COVERAGE_LABELS,
    MEDIATION_LABELS,
    MEETING_LABELS,
    NEED_LABELS,
    OFFER_LABELS,
    PEOPLE_LABELS,
    RATE_LABELS,
    SITE_LABELS,
    STATION_LABELS,
    VOLUNTEERING_LABELS,
)
from ledger.periods import Period
from ledger.rollups import COMMUNITY_CODE, GRID_CODE
from ledger.section_data import Figure, SectionData, Table
from mediation import figures as mediation_figures
from mediation.models import DisputeKind, Level, Outcome
from meetings import figures as meeting_figures
from meetings.models import BodyKind
from needs.models import Channel, ConcernLevel, Rating
from offers import figures as offer_figures
from offers.models import OfferKind
from people import selectors as people_selectors
from people.masking import mask_name
from places.models import COVERABLE_KINDS, Place, PlaceKind
from places.selectors import place_figures
from sites import figures as station_figures
from volunteering import figures as volunteering_figures
from volunteering.models import ActivityKind


@dataclass
class LedgerScope:
    """What a section is asked for: the scope, the period, whether the reader is the public, the page of
    deeds to list; plus the tally the needs sections share, computed once per ledger."""

    place: Place
    period: Period
    public: bool = True
    deeds_offset: int = 0
    deeds_limit: int = 50

    def __post_init__(self):
        if len(self.place.code) > GRID_CODE:  # no roll-ups below the grid (ledger.rollups.SCOPE_KINDS)
            raise ValueError(f"no ledger for a place below a grid: {self.place.code}")

    @cached_property
    def monthly(self) -> dict[datetime.date, dict[str, int]]:
        return selectors.monthly(self.place, self.period)

    @cached_property
    def tally(self) -> dict[str, int]:
        return selectors.tally_of(self.monthly)


def needs_section(s: LedgerScope) -> SectionData:
    t = s.tally
    figures = [Figure(key, str(NEED_LABELS[key]), t[key], records=key)
               for key in ("found", "claimed", "resolved", "on_time", "escalated", "overdue", "reopened")]
    figures.append(Figure("affected", str(NEED_LABELS["affected"]), t["affected"], records="found"))
    figures += [Figure(state, str(NEED_LABELS[state]), t[state], records=state) for state in ("rejected", "merged")]
    return SectionData(figures=figures)


def rates_section(s: LedgerScope) -> SectionData:
    t = s.tally
    r = selectors.rates(t)
    records = {"claim_rate": "claimed", "resolution_rate": "resolved", "on_time_rate": "on_time",
               "response_rate": "responded", "satisfaction_rate": "rated", "composite": None}
    figures = [Figure(key, str(RATE_LABELS[key]), value, "%", records[key]) for key, value in r.items()]
    grades = Table("ratings", _("Residents' grades"), [("label", _("Grade")), ("count", _("Needs"))],
                   [{"label": str(label), "count": t[f"rating_{grade}"], "filter": {"rating": grade}}
                    for grade, label in Rating.choices], chart="pie", records="rated")
    return SectionData(figures=figures, tables=[grades])


def _breakdown(groups: list[dict], field: str, labels_of, *, title, key, chart) -> Table:
    """The groups (sums of the breakdown columns, from one GROUP BY over roll-up rows) summed by one field,
    biggest first; `labels_of(keys)` names them (one more query at most)."""
    columns = selectors.BREAKDOWN_COLUMNS
    sums = defaultdict(lambda: dict.fromkeys(columns, 0))
    for group in groups:
        for c in columns:
            sums[group[field]][c] += group[c]
    rows = sorted(((k, row) for k, row in sums.items() if row["found"]), key=lambda kv: (-kv[1]["found"], kv[0]))
    labels = labels_of([k for k, _row in rows])
    header = [("label", _("Name")), *((c, str(NEED_LABELS[c])) for c in columns),
              ("resolution_rate", str(RATE_LABELS["resolution_rate"]))]
    out = [{"label": str(labels.get(k, k or _("Not classified"))), **row,
            "resolution_rate": selectors.ratio(row["resolved"], row["found"]), "filter": {key: k or ""}}
           for k, row in rows]
    return Table(key, title, header, out, chart=chart, records="found")


def breakdowns_section(s: LedgerScope) -> SectionData:
    place, period = s.place, s.period
    groups = selectors.breakdown_groups(place, period)
    tables = [
        _breakdown(groups, "category", selectors.category_names, title=_("By category"), key="category",
                   chart="bar"),
        _breakdown(groups, "channel", lambda keys: dict(Channel.choices), title=_("By channel"), key="channel",
                   chart="pie"),
        _breakdown(groups, "concern_level", lambda keys: dict(ConcernLevel.choices), title=_("By concern level"),
                   key="concern_level", chart="bar"),
    ]
    # And the communities and grids inside the scope, from one more GROUP BY.
    depths = [(length, key, title) for length, key, title in (
        (COMMUNITY_CODE, "community", _("By community")), (GRID_CODE, "grid", _("By grid")))
        if len(place.code) < length]
    if depths:
        inside = selectors.inside_groups(place, period, [length for length, *_rest in depths])
        names = selectors.place_names([g["code"] for g in inside])
        for length, key, title in depths:
            tables.append(_breakdown([g for g in inside if g["level"] == length], "code", lambda keys: names,
                                     title=title, key=key, chart="bar"))
    return SectionData(tables=tables)


def trend_section(s: LedgerScope) -> SectionData:
    keys = ("found", "claimed", "resolved")
    out = []
    for first in s.period.months():
        row = s.monthly.get(first, {})
        month = f"{first:%Y-%m}"
        out.append({"label": month, **{k: row.get(k, 0) for k in keys}, "filter": {"month": month}})
    columns = [("label", _("Month")), *((k, str(NEED_LABELS[k])) for k in keys)]
    return SectionData(tables=[Table("trend", _("By month found"), columns, out, chart="line", records="found")])


ACTIVE_LIMIT = 10


def active_section(s: LedgerScope) -> SectionData:
    """The units and members that lead the most needs found in the period (claimed or dispatched)."""
    place, period, public = s.place, s.period, s.public
    columns = [("label", _("Name")), ("claimed", _("Leading")), ("resolved", str(NEED_LABELS["resolved"]))]
    unit_rows = [{"label": row["name"], "claimed": row["claimed"], "resolved": row["resolved"],
                  "helped": row["helped"], "filter": {"unit": row["organisation"]}}
                 for row in selectors.most_active_units(place, period, ACTIVE_LIMIT)]
    member_rows = [{"label": mask_name(row["name"]) if public else row["name"], "claimed": row["claimed"],
                    "resolved": row["resolved"], "filter": {"member": row["person"]}}
                   for row in selectors.most_active_members(place, period, ACTIVE_LIMIT)]
    return SectionData(tables=[
        Table("active_units", _("Most active units"), [*columns, ("helped", _("Helping"))], unit_rows,
              chart="bar", records="claimed"),
        Table("active_members", _("Most active members"), columns, member_rows, records="claimed"),
    ])


def partners_section(s: LedgerScope) -> SectionData:
    place, as_of = s.place, s.period.end
    figures = [
        Figure("units", str(PEOPLE_LABELS["units"]), people_selectors.co_building_units(place, as_of=as_of).count(),
               records="units"),
        Figure("members", str(PEOPLE_LABELS["members"]),
               people_selectors.dual_reported_members(place, as_of=as_of).count(), records="members"),
    ]
    coverage = selectors.covered_place_counts(place, s.period)
    figures += [Figure(f"covered_{kind}", str(COVERAGE_LABELS[kind]), coverage.get(kind, 0), records=f"covered_{kind}")
                for kind in COVERABLE_KINDS]
    return SectionData(figures=figures)


def sites_section(s: LedgerScope) -> SectionData:
    counts = selectors.site_counts(s.place, s.period)
    return SectionData(figures=[Figure(key, str(SITE_LABELS[kind]), counts.get(kind, 0), records=key)
                                for key, kind in selectors.SITE_FIGURES.items()])


def _booking_columns():
    return [("label", _("Name")), ("fulfilled", str(OFFER_LABELS["bookings_fulfilled"])),
            ("residents", str(OFFER_LABELS["residents_served"])), ("no_show", str(OFFER_LABELS["no_shows"])),
            ("no_show_rate", str(OFFER_LABELS["no_show_rate"]))]


def _booking_row(label, row, filters) -> dict:
    return {"label": label, "fulfilled": row["fulfilled"], "residents": row["residents"], "no_show": row["no_show"],
            "no_show_rate": selectors.ratio(row["no_show"], row["fulfilled"] + row["no_show"]), "filter": filters}


def _by_fulfilled(rows):
    return sorted(rows, key=lambda r: (-r["fulfilled"], -r["no_show"], str(r["label"])))


def _offers_list(place: Place, **query) -> str:
    """The public offers list (实事清单) of the scope: the offers serving the community, or all of them."""
    if place.kind == PlaceKind.COMMUNITY:
        query = {"community": place.code, **query}
    return reverse("offers:list") + (f"?{urlencode(query)}" if query else "")


def offers_section(s: LedgerScope) -> SectionData:
    """Bookings of the offers list (offers.figures defines them): fulfilled, residents served, no-shows and the
    no-show rate; by kind of offer and by provider (a unit by its name; a member masked for the public). Staff
    follow each figure and row to its bookings (the records view); the public to the offers list."""
    place, period, public = s.place, s.period, s.public
    t = offer_figures.booking_counts(place, period)
    listed = _offers_list(place)
    figures = [
        Figure("bookings_fulfilled", str(OFFER_LABELS["bookings_fulfilled"]), t["fulfilled"],
               records="bookings_fulfilled", href=listed),
        Figure("residents_served", str(OFFER_LABELS["residents_served"]), t["residents"], records="residents_served",
               href=listed),
        Figure("no_shows", str(OFFER_LABELS["no_shows"]), t["no_show"], records="no_shows", href=listed),
        Figure("no_show_rate", str(OFFER_LABELS["no_show_rate"]), selectors.ratio(t["no_show"], t["fulfilled"] +
                                                                                   t["no_show"]), "%", "no_show_rate",
               href=listed),
    ]
    kinds = dict(OfferKind.choices)
    by_kind = []
    for row in offer_figures.by_kind(place, period):
        kind = row["session__offer__kind"]
        by_kind.append({**_booking_row(str(kinds.get(kind, kind)), row, {"kind": kind}),
                        "href": _offers_list(place, kind=kind)})
    by_provider = []
    for row in offer_figures.by_provider(place, period):
        if row["session__offer__organisation"]:
            label, filters = row["session__offer__organisation__name"], {"unit": row["session__offer__organisation"]}
            href = _offers_list(place, q=label)
        else:
            name = row["session__offer__person__name"]
            label, filters, href = mask_name(name) if public else name, {"member": row["session__offer__person"]}, ""
        by_provider.append({**_booking_row(label, row, filters), "href": href})
    return SectionData(figures=figures, tables=[
        Table("bookings_by_kind", _("Bookings by kind of offer"), _booking_columns(), _by_fulfilled(by_kind),
              chart="bar", records="bookings_fulfilled"),
        Table("bookings_by_provider", _("Bookings by provider"), _booking_columns(), _by_fulfilled(by_provider),
              chart="bar", records="bookings_fulfilled"),
    ])


def stations_section(s: LedgerScope) -> SectionData:
    """What the scope's stations lent and gave out (sites.figures defines it), by station and by item: counts
    and the names of stations and items only, never who borrowed. Staff follow each figure and station to its
    loans, give-outs or stations (the records view); the public to the list of stations and each station's
    page."""
    place, period = s.place, s.period
    t = station_figures.station_counts(place, period)
    listed = f"{reverse('sites:list')}?kind=station"
    figures = [
        Figure("items_lent", str(STATION_LABELS["items_lent"]), t["lent"], records="items_lent", href=listed),
        Figure("items_given_out", str(STATION_LABELS["items_given_out"]), t["given_out"], records="items_given_out",
               href=listed),
        Figure("station_uses", str(STATION_LABELS["station_uses"]), t["lent"] + t["give_outs"],
               records="station_uses", href=listed),
    ]
    lent, given = str(STATION_LABELS["items_lent"]), str(STATION_LABELS["items_given_out"])
    stations = [{"label": r["name"], "uses": r["uses"], "lent": r["lent"], "given_out": r["given_out"],
                 "filter": {"site": r["site"]}, "href": reverse("sites:detail", args=[r["site"]])}
                for r in station_figures.by_station(place, period)]
    items = [{"label": r["name"], "lent": r["lent"], "given_out": r["given_out"], "filter": {}}
             for r in station_figures.by_item(place, period)]
    return SectionData(figures=figures, tables=[
        Table("stations_by_use", _("Stations by use"), [("label", _("Station")),
                                                         ("uses", str(STATION_LABELS["station_uses"])),
                                                         ("lent", lent), ("given_out", given)],
              stations, chart="bar", records="station_uses"),
        Table("station_items", _("Items lent and given out"), [("label", _("Item")), ("lent", lent),
                                                                ("given_out", given)], items, chart="bar"),
    ])


def _activities_list(place: Place, **query) -> str:
    """The public list of volunteer activities (志愿活动) of the scope: a community's (a grid's community's), or
    all of them; "" while the app's pages do not name one."""
    try:
        path = reverse("volunteering:list")
    except NoReverseMatch:
        return ""
    if len(place.code) >= COMMUNITY_CODE:
        query = {"community": place.code[:COMMUNITY_CODE], **query}
    return path + (f"?{urlencode(query)}" if query else "")


def _volunteering_columns():
    return [("label", _("Name")), ("held", str(VOLUNTEERING_LABELS["activities_held"])),
            ("volunteers", str(VOLUNTEERING_LABELS["volunteers_active"])),
            ("hours", str(VOLUNTEERING_LABELS["hours_served"]))]


def _volunteering_row(label, row, filters, href="") -> dict:
    return {"label": label, "held": row["held"], "volunteers": row["volunteers"], "hours": row["hours"],
            "filter": filters, "href": href}


def volunteering_section(s: LedgerScope) -> SectionData:
    """Volunteer activities held, volunteers active and hours served (volunteering.figures defines them), by
    organiser (a team, else the unit), by kind of activity and by community. Counts and the names of teams,
    units, kinds and communities only: no volunteer is named on any form, whatever Volunteer.name_public says.
    Staff follow each figure and row to its activities, volunteers or entries (the records view); the public
    to the list of activities."""
    place, period = s.place, s.period
    t = volunteering_figures.volunteering_counts(place, period)
    listed = _activities_list(place)
    figures = [
        Figure("activities_held", str(VOLUNTEERING_LABELS["activities_held"]), t["held"], records="activities_held",
               href=listed),
        Figure("volunteers_active", str(VOLUNTEERING_LABELS["volunteers_active"]), t["volunteers"],
               records="volunteers_active", href=listed),
        Figure("hours_served", str(VOLUNTEERING_LABELS["hours_served"]), t["hours"],
               pgettext("unit of a figure", "hours"), records="hours_served", href=listed),
    ]
    organisers = []
    for row in volunteering_figures.by_organiser(place, period):
        if row["team"]:
            organisers.append(_volunteering_row(row["team__name"], row, {"team": row["team"]}, listed))
        else:
            organisers.append(_volunteering_row(row["organisation__name"], row, {"unit": row["organisation"]},
                                                listed))
    kinds = dict(ActivityKind.choices)
    by_kind = [_volunteering_row(str(kinds.get(r["kind"], r["kind"])), r, {"kind": r["kind"]},
                                 _activities_list(place, kind=r["kind"]) if listed else "")
               for r in volunteering_figures.by_kind(place, period)]
    rows = volunteering_figures.by_community(place, period)
    names = selectors.place_names(r["community"] for r in rows)
    by_community = [_volunteering_row(names.get(r["community"], r["community"]), r, {"community": r["community"]},
                                      _activities_list(Place(code=r["community"])) if listed else "")
                    for r in rows]
    return SectionData(figures=figures, tables=[
        Table("volunteering_by_organiser", _("Volunteering by team or unit"), _volunteering_columns(), organisers,
              chart="bar", records="hours_served", chart_columns=("hours",)),
        Table("volunteering_by_kind", _("Volunteering by kind of activity"), _volunteering_columns(), by_kind,
              chart="bar", records="hours_served", chart_columns=("hours",)),
        Table("volunteering_by_community", _("Volunteering by community"), _volunteering_columns(), by_community,
              chart="bar", records="hours_served", chart_columns=("hours",)),
    ])


def _disputes_list(s: LedgerScope, place: Place | None = None, **query) -> str:
    """The staff's list of disputes (/mediation/) of the scope, filtered; "" on public forms — the public reads
    the counts only, never a case — and while the app's pages do not name one."""
    if s.public:
        return ""
    try:
        path = reverse("mediation:list")
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode({'place': (place or s.place).code, **query})}"


def _dispute_row(label, row, href) -> dict:
    return {"label": label, "received": row["received"], "concluded": row["concluded"], "settled": row["settled"],
            "community_settle_rate": selectors.ratio(row["in_community"], row["concluded"] - row["withdrawn"]),
            "filter": {}, "href": href}


def mediation_section(s: LedgerScope) -> SectionData:
    """Disputes received, concluded and settled, the shares settled within the community and within the
    subdistrict, the median days to settle (mediation.figures defines them); by kind, by the level settled at, by
    outcome and by community. Counts only on every form; staff follow a figure or a row to their list of cases."""
    place, period = s.place, s.period
    t = mediation_figures.mediation_counts(place, period)
    listed = _disputes_list(s)
    counted = t["concluded"] - t["withdrawn"]
    labels = MEDIATION_LABELS
    figures = [
        Figure("disputes_received", str(labels["disputes_received"]), t["received"], href=listed),
        Figure("disputes_concluded", str(labels["disputes_concluded"]), t["concluded"], href=listed),
        Figure("disputes_settled", str(labels["disputes_settled"]), t["settled"], href=listed),
        Figure("community_settle_rate", str(labels["community_settle_rate"]),
               selectors.ratio(t["in_community"], counted), "%", href=listed),
        Figure("subdistrict_settle_rate", str(labels["subdistrict_settle_rate"]),
               selectors.ratio(t["in_subdistrict"], counted), "%", href=listed),
        Figure("median_days_to_settle", str(labels["median_days_to_settle"]), t["median_days"],
               pgettext("unit of a figure", "days"), href=listed),
    ]
    columns = [("label", _("Name")), *((k, str(labels[f"disputes_{k}"])) for k in ("received", "concluded",
                                                                                      "settled")),
               ("community_settle_rate", str(labels["community_settle_rate"]))]
    kinds = dict(DisputeKind.choices)
    by_kind = sorted((_dispute_row(str(kinds.get(r["kind"], r["kind"])), r, _disputes_list(s, kind=r["kind"]))
                      for r in mediation_figures.by_kind(place, period)),
                     key=lambda r: (-r["received"], -r["settled"], r["label"]))
    settled = mediation_figures.by_settled_level(place, period)
    levels = [{"label": str(label), "settled": settled.get(level, 0), "filter": {},
               "href": _disputes_list(s, level=level)} for level, label in Level.choices] if settled else []
    concluded = mediation_figures.by_outcome(place, period)
    outcomes = [{"label": str(label), "concluded": concluded[outcome], "filter": {}}
                for outcome, label in Outcome.choices if outcome in concluded]
    tables = [
        Table("disputes_by_kind", _("Disputes by kind"), columns, by_kind, chart="bar",
              chart_columns=("received", "settled")),
        Table("disputes_by_level", _("Disputes settled, by level"),
              [("label", _("Level")), ("settled", str(labels["disputes_settled"]))], levels, chart="bar"),
        Table("disputes_by_outcome", _("Disputes concluded, by outcome"),
              [("label", _("Outcome")), ("concluded", str(labels["disputes_concluded"]))], outcomes, chart="pie"),
    ]
    if len(place.code) < COMMUNITY_CODE:
        rows = mediation_figures.by_community(place, period)
        names = selectors.place_names(r["community"] for r in rows)
        tables.append(Table("disputes_by_community", _("Disputes by community"), columns, sorted(
            (_dispute_row(names.get(r["community"], r["community"]), r,
                          _disputes_list(s, Place(code=r["community"]))) for r in rows),
            key=lambda r: (-r["received"], -r["settled"], r["label"])), chart="bar",
            chart_columns=("received", "settled")))
    return SectionData(figures=figures, tables=tables)


def _meetings_list(s: LedgerScope, **query) -> str:
    """Where a reader follows the meetings figures: the public page of published minutes and resolutions
    (/meetings/public/?community=…&year=…), or the staff's list of meetings of the scope; "" while the app's pages
    do not name them. The year when the period lies within one."""
    try:
        path = reverse("meetings:public" if s.public else "meetings:list")
    except NoReverseMatch:
        return ""
    place = query.pop("place", s.place)
    if s.public:
        community = {"community": place.code[:COMMUNITY_CODE]} if len(place.code) >= COMMUNITY_CODE else {}
        query = {**community, **query}
    else:
        query = {"place": place.code, "state": "held", **query}
    if s.period.start.year == s.period.end.year:
        query["year"] = s.period.start.year
    return path + (f"?{urlencode(query)}" if query else "")


def _meetings_columns():
    m = MEETING_LABELS
    return [("label", _("Name")), ("held", str(m["meetings_held"])), ("attendance_rate", str(m["attendance_rate"])),
            ("adopted", str(m["resolutions_adopted"])), ("done", str(m["resolutions_done"]))]


def _meetings_row(label, row, href) -> dict:
    return {"label": label, "held": row["held"], "attendance_rate": selectors.ratio(row["present"], row["invited"]),
            "adopted": row["adopted"], "done": row["done"], "filter": {}, "href": href}


def meetings_section(s: LedgerScope) -> SectionData:
    """Meetings held, the attendance rate, resolutions adopted and carried out (meetings.figures defines them), the
    needs raised by councils and the joint meeting and how many are resolved (from the roll-ups by channel); by kind
    of body and by community. Counts only: no member is named. Every figure leads to the meetings behind it — the
    public page of published minutes and resolutions, or the staff's list —, the needs' figures on staff pages to
    the needs (the records view)."""
    place, period, labels = s.place, s.period, MEETING_LABELS
    m = meeting_figures.meeting_figures(place, period)
    t = m["total"]
    needs = selectors.channel_counts(place, period, meeting_figures.COUNCIL_CHANNELS)
    listed = _meetings_list(s)
    figures = [
        Figure("meetings_held", str(labels["meetings_held"]), t["held"], href=listed),
        Figure("attendance_rate", str(labels["attendance_rate"]), selectors.ratio(t["present"], t["invited"]), "%",
               href=listed),
        Figure("resolutions_adopted", str(labels["resolutions_adopted"]), t["adopted"], href=listed),
        Figure("resolutions_done", str(labels["resolutions_done"]), t["done"], href=listed),
        Figure("council_needs", str(labels["council_needs"]), needs["found"], records="council_needs", href=listed),
        Figure("council_needs_resolved", str(labels["council_needs_resolved"]), needs["resolved"],
               records="council_needs_resolved", href=listed),
    ]
    kinds = dict(BodyKind.choices)
    by_kind = [_meetings_row(str(kinds.get(r["kind"], r["kind"])), r, _meetings_list(s, kind=r["kind"]) if listed
                             else "") for r in m["by_kind"]]
    tables = [Table("meetings_by_kind", _("Meetings by kind of body"), _meetings_columns(), by_kind, chart="bar",
                    chart_columns=("held", "adopted"))]
    if len(place.code) < COMMUNITY_CODE:
        rows = m["by_community"]
        names = selectors.place_names(r["community"] for r in rows)
        tables.append(Table("meetings_by_community", _("Meetings by community"), _meetings_columns(), [
            _meetings_row(names.get(r["community"], r["community"]), r,
                          _meetings_list(s, place=Place(code=r["community"])) if listed else "") for r in rows],
            chart="bar", chart_columns=("held", "adopted")))
    return SectionData(figures=figures, tables=tables)


def community_section(s: LedgerScope) -> SectionData:
    place, as_of = s.place, s.period.end
    area = place_figures(place)
    figures = [
        Figure("branches", str(PEOPLE_LABELS["branches"]), people_selectors.community_branches(place).count(),
               records="branches"),
        Figure("party_members", str(PEOPLE_LABELS["party_members"]),
               people_selectors.community_party_members(place, as_of=as_of).count(), records="party_members"),
        Figure("area_km2", _("Area"), float(area["area_km2"]) if area["area_km2"] is not None else None, "km²"),
        Figure("buildings", _("Buildings"), area["buildings"]),
        Figure("households", _("Households"), area["households"]),
        Figure("residents", _("Residents"), area["residents"]),
        Figure("committee_members", str(PEOPLE_LABELS["committee"]),
               people_selectors.committee_of(place, as_of=as_of).count(), records="committee"),
    ]
    teams = Table("teams", _("Volunteer teams"), [("label", _("Team")), ("members", _("Members"))],
                  [{"label": t.name, "members": t.member_count, "filter": {}}
                   for t in people_selectors.teams_of(place).order_by("name")])
    return SectionData(figures=figures, tables=[teams])


def honours_section(s: LedgerScope) -> SectionData:
    honours = list(people_selectors.honours_of(place=s.place, as_of=s.period.end).order_by("awarded_on", "pk"))
    table = Table("honours", _("Honours"), [("label", _("Honour")), ("place", _("Received by")),
                                             ("awarded_on", _("Awarded on")), ("awarded_by", _("Awarded by"))],
                  [{"label": h.title, "place": h.place.name, "awarded_on": h.awarded_on.isoformat(),
                    "awarded_by": h.awarded_by, "filter": {}} for h in honours])
    return SectionData(figures=[Figure("honours", str(PEOPLE_LABELS["honours"]), len(honours), records="honours")],
                       tables=[table])


def deeds_section(s: LedgerScope) -> SectionData:
    place, period, public = s.place, s.period, s.public
    rows = list(deed_rows(selectors.deeds(place, period, public=public, offset=s.deeds_offset, limit=s.deeds_limit),
                          public=public))
    columns = deed_columns()
    if public:  # each deed opens its need's public page, and the proof of its steps (docs/resident-proof.md)
        columns.append(("proof", _("Proof")))
        for row in rows:
            row.update(href=reverse("needs:detail", args=[row["id"]]), proof=_("Check it"),
                       links={"proof": reverse("needs:proof", args=[row["id"]])})
    total = s.tally["deeds" if public else "resolved"]  # the public sees public deeds only
    return SectionData(tables=[Table("deeds", _("Deeds done"), columns, rows, total=total)])
