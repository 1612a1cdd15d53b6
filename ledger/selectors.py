"""Every figure of the happiness ledger (SPEC §8), computed from the records with aggregate queries.

A ledger is asked for a **scope** — a place (subdistrict, community, grid, or any place of the tree);
everything whose place code starts with the scope's code is inside it — and a **period** of days
(`ledger.periods.Period`, inclusive, local time). Each figure is a count over the records as they are
now. The need figures are read from roll-ups (ledger.models, kept exact in the same transaction as every
action on a need by ledger.rollups), so that a ledger reads a few dozen rows whatever the number of
needs; the other figures are COUNTs over their small tables. ledger/tests/direct.py computes the need
figures straight from the needs, and the tests hold both equal after random sequences of actions.

The definitions, written once (the README's table is copied from here):

- **found** (发现): a need accepted by staff (`accepted_at`) inside the period, whose state is not
  *rejected* and not *merged*. The period selects needs by this date; every other need figure is about
  the needs found in the period, as they stand now (a need found in December and resolved in January
  counts as resolved in December's ledger once it is resolved). Needs submitted but not yet accepted are
  not found. A need escalated straight from intake is found when it has been accepted.
- **claimed** (认领): found, and now held by a unit, member or department — state claimed, in progress,
  resolved or closed (by claim or dispatch). A need returned to the board, or escalated and waiting for
  the subdistrict, is not claimed until it is taken again.
- **resolved** (办结): found, and now resolved or closed after being resolved. A reopened need (the
  resident was unsatisfied) stops counting as resolved until it is resolved again.
- **on time** (按时办结): resolved, and its last resolution came before its resolve deadline
  (`resolved_on_time`; deadlines in Chinese working time, needs.deadlines).
- **responded** (响应): claimed, and taken within its claim-or-dispatch deadline (`claimed_at ≤ claim_due`).
- **rated** (已评价): found, with a resident's grade (rated by the resident or on a follow-up call).
- **escalated** (吹哨): found, and raised above the community (to the subdistrict or a department).
- **overdue** (超期): found, and now flagged overdue by the deadline sweep.
- **reopened** (重办): found, and reopened at least once (a `need.reopen` event). It counts once, like
  any need; its current state decides whether it is claimed or resolved.
- **merged** needs are never found: their reporters and people affected join the need they were merged
  into, which counts once. **Rejected** needs are never found. Both are shown apart, by the date they
  were turned away (`closed_at`), so that nothing disappears silently.

Rates (null when the denominator is 0): claim rate = claimed / found; resolution rate (解决率) = resolved /
found; on-time rate = on time / resolved; response rate (响应率) = responded / found; satisfaction rate
(满意率) = (很满意 + 满意 + 0.9 × 基本满意) / rated; composite = the weighted sum of response, resolution
and satisfaction rates (weights: `ledger.conf.composite_weights`, setting LEDGER_WEIGHTS).

Partners and places, counted as they stand at the period's end:

- **co-building units** (共建单位): organisations with a party organisation that signed a co-building
  agreement in force with the scope or a place inside it, or whose party organisation reported (双报到)
  to a community inside the scope — on or before the period's end.
- **in-service members dual-reported** (在职党员双报到): distinct people with an in-service membership whose
  report (not withdrawn, reported by the period's end) went to a community inside the scope or placed
  them in a grid branch inside it.
- **coverage** (包抓): distinct grids / compounds / courtyards / unit sites inside the scope that some unit or
  member covered during the period (since ≤ end, and no end date or one ≥ the period's start).
- **stations / facilities / micro-positions**: sites inside the scope opened by the period's end (or
  with no opening date).
- For a community: its party branches (the party organisations under its community committee), the
  distinct people who are members of the committee or those branches, its area figures, its committee
  (社工委) seats taken by the period's end, its teams; for any scope, the honours awarded to places
  inside it by the period's end.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Event
from ledger.conf import FAIRLY_SATISFIED_WEIGHT, composite_weights
from ledger.models import HOLDER_COUNTERS, TALLY_COUNTERS, Contribution, Deed, HolderTally, Tally
from ledger.periods import Period
from ledger.rollups import CLAIMED_STATES, COMMUNITY_CODE, GRID_CODE, NOT_FOUND, RESOLVED_STATES, period_q
from needs.models import Category, Channel, ConcernLevel, Level, Need, Rating
from people.masking import mask_name
from people.models import (
    AgreementState,
    CommitteeMember,
    Honour,
    MemberReportState,
    Organisation,
    PartyMembership,
    PartyOrganisation,
    Person,
    Team,
)
from places.models import COVERABLE_KINDS, Coverage, Place, PlaceKind
from places.selectors import place_figures
from sites.models import Site, SiteKind

# Each need figure is a condition on the needs found in the period (see the module's docstring).
CLAIMED = Q(state__in=CLAIMED_STATES)
RESOLVED = Q(state__in=RESOLVED_STATES)
NEED_FIGURES: dict[str, Q] = {
    "found": Q(),
    "claimed": CLAIMED,
    "resolved": RESOLVED,
    "on_time": RESOLVED & Q(resolved_on_time=True),
    "responded": CLAIMED & (Q(claim_due__isnull=True) | Q(claimed_at__lte=F("claim_due"))),
    "rated": Q(rating__in=Rating.values),
    "escalated": Q(level__in=(Level.SUBDISTRICT, Level.DEPARTMENT)),
    "overdue": Q(overdue=True),
    **{f"rating_{grade}": Q(rating=grade) for grade in Rating.values},
}
NEED_LABELS = {
    "found": gettext_lazy("Needs found"), "claimed": gettext_lazy("Claimed"), "resolved": gettext_lazy("Resolved"),
    "on_time": gettext_lazy("Resolved on time"), "responded": gettext_lazy("Responded in time"),
    "rated": gettext_lazy("Rated"), "escalated": gettext_lazy("Escalated"), "overdue": gettext_lazy("Overdue now"),
    "reopened": gettext_lazy("Reopened"), "rejected": gettext_lazy("Rejected"), "merged": gettext_lazy("Merged"),
    "affected": gettext_lazy("People affected"),
}


# --- What a section hands to pages and exports ---------------------------------------------------

@dataclass
class Figure:
    key: str
    label: str
    value: int | float | None
    unit: str = ""  # "%" for rates (value is a fraction 0..1), or a unit such as km²
    records: str | None = None  # the `figure` of the records view that lists what is counted


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label); the first column is the row's label
    rows: list[dict]
    chart: str = ""  # "bar", "pie", "line" or "" (no chart)
    records: str | None = None  # each row's records: `figure` plus the row's "filter" dict
    total: int | None = None  # rows in all (deeds: the table holds only the latest ones)


@dataclass
class SectionData:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def figure(self, key):
        return next(f for f in self.figures if f.key == key)


# --- The needs found in a scope and period --------------------------------------------------------

def in_scope(place: Place, field_name: str = "place__code") -> Q:
    """Inside the place: codes that start with its code, written as a range of digit strings (codes are
    digits), which an index on the code can serve on SQLite as on PostgreSQL, unlike LIKE 'prefix%'."""
    after = place.code[:-1] + chr(ord(place.code[-1]) + 1)
    return Q(**{f"{field_name}__gte": place.code, f"{field_name}__lt": after})


def found_needs(place: Place, period: Period) -> QuerySet:
    start, stop = period.bounds()
    # The scope as a subquery of place ids tested on `place_id + 0`, which no index serves: the database then
    # walks the needs of the period (by date) instead of every need of every place in the scope.
    places = Place.objects.filter(in_scope(place, "code")).values("pk")
    return Need.objects.alias(place_key=F("place_id") + 0).filter(
        place_key__in=places, accepted_at__gte=start, accepted_at__lt=stop).exclude(state__in=NOT_FOUND)


def scope_tallies(place: Place, period: Period, *, total=1) -> QuerySet:
    """The roll-up rows of the scope that cover the period: the total rows, or (total=0) those by category,
    channel and concern level."""
    return Tally.objects.filter(period_q(period, code=place.code, level=len(place.code), total=total))


def _sums(keys) -> dict:
    return {key: Sum(key, default=0) for key in keys}


def monthly(place: Place, period: Period) -> dict[datetime.date, dict[str, int]]:
    """Every need figure of the scope by month of the period (its first day → figures), in one query over a
    few dozen roll-up rows."""
    rows = scope_tallies(place, period).values(m=TruncMonth("day")).annotate(**_sums(TALLY_COUNTERS))
    return {row.pop("m"): row for row in rows}


def tally_of(months: dict) -> dict[str, int]:
    return {key: sum(row[key] for row in months.values()) for key in TALLY_COUNTERS}


def tally(place: Place, period: Period) -> dict[str, int]:
    """Every need figure of the scope and period: found, claimed, …, reopened, rejected, merged, affected,
    deeds (public)."""
    return tally_of(monthly(place, period))


def reopened_needs(place: Place, period: Period) -> QuerySet:
    # EXISTS per found need, through the events' (subject_type, subject_id) index: never a scan of the log.
    reopen = Event.objects.filter(subject_type="needs.need", subject_id=Cast(OuterRef("pk"), CharField()),
                                  verb="need.reopen")
    return found_needs(place, period).filter(Exists(reopen))


def turned_away(place: Place, period: Period, state: str) -> QuerySet:
    """Rejected or merged needs, by the date they were turned away."""
    start, stop = period.bounds()
    return Need.objects.filter(in_scope(place), state=state, closed_at__gte=start, closed_at__lt=stop)


def ratio(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


def rates(t: dict[str, int]) -> dict[str, float | None]:
    satisfied = t["rating_very_satisfied"] + t["rating_satisfied"] + FAIRLY_SATISFIED_WEIGHT * t[
        "rating_fairly_satisfied"]
    r = {
        "claim_rate": ratio(t["claimed"], t["found"]),
        "resolution_rate": ratio(t["resolved"], t["found"]),
        "on_time_rate": ratio(t["on_time"], t["resolved"]),
        "response_rate": ratio(t["responded"], t["found"]),
        "satisfaction_rate": ratio(satisfied, t["rated"]),
    }
    parts = (r["response_rate"], r["resolution_rate"], r["satisfaction_rate"])
    r["composite"] = (round(sum(w * p for w, p in zip(composite_weights(), parts, strict=True)), 4)
                      if None not in parts else None)
    return r


RATE_LABELS = {
    "claim_rate": gettext_lazy("Claim rate"), "resolution_rate": gettext_lazy("Resolution rate"),
    "on_time_rate": gettext_lazy("On-time rate"), "response_rate": gettext_lazy("Response rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"), "composite": gettext_lazy("Composite score"),
}


# --- Sections: each takes a LedgerScope and returns SectionData (ledger.sections lists them) -------

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
        return monthly(self.place, self.period)

    @cached_property
    def tally(self) -> dict[str, int]:
        return tally_of(self.monthly)


def needs_section(s: "LedgerScope") -> SectionData:
    t = s.tally
    figures = [Figure(key, str(NEED_LABELS[key]), t[key], records=key)
               for key in ("found", "claimed", "resolved", "on_time", "escalated", "overdue", "reopened")]
    figures.append(Figure("affected", str(NEED_LABELS["affected"]), t["affected"], records="found"))
    figures += [Figure(state, str(NEED_LABELS[state]), t[state], records=state) for state in ("rejected", "merged")]
    return SectionData(figures=figures)


def rates_section(s: "LedgerScope") -> SectionData:
    t = s.tally
    r = rates(t)
    records = {"claim_rate": "claimed", "resolution_rate": "resolved", "on_time_rate": "on_time",
               "response_rate": "responded", "satisfaction_rate": "rated", "composite": None}
    figures = [Figure(key, str(RATE_LABELS[key]), value, "%", records[key]) for key, value in r.items()]
    grades = Table("ratings", _("Residents' grades"), [("label", _("Grade")), ("count", _("Needs"))],
                   [{"label": str(label), "count": t[f"rating_{grade}"], "filter": {"rating": grade}}
                    for grade, label in Rating.choices], chart="pie", records="rated")
    return SectionData(figures=figures, tables=[grades])


BREAKDOWN_COLUMNS = ("found", "claimed", "resolved", "on_time")


def _breakdown(groups: list[dict], field: str, labels_of, *, title, key, chart) -> Table:
    """The groups (sums of the breakdown columns, from one GROUP BY over roll-up rows) summed by one field,
    biggest first; `labels_of(keys)` names them (one more query at most)."""
    sums = defaultdict(lambda: dict.fromkeys(BREAKDOWN_COLUMNS, 0))
    for group in groups:
        for c in BREAKDOWN_COLUMNS:
            sums[group[field]][c] += group[c]
    rows = sorted(((k, row) for k, row in sums.items() if row["found"]), key=lambda kv: (-kv[1]["found"], kv[0]))
    labels = labels_of([k for k, _row in rows])
    columns = [("label", _("Name")), *((c, str(NEED_LABELS[c])) for c in BREAKDOWN_COLUMNS),
               ("resolution_rate", str(RATE_LABELS["resolution_rate"]))]
    out = [{"label": str(labels.get(k, k or _("Not classified"))), **row,
            "resolution_rate": ratio(row["resolved"], row["found"]), "filter": {key: k or ""}} for k, row in rows]
    return Table(key, title, columns, out, chart=chart, records="found")


def place_names(codes) -> dict[str, str]:
    return dict(Place.objects.filter(code__in=set(codes)).values_list("code", "name"))


def breakdowns_section(s: "LedgerScope") -> SectionData:
    place, period = s.place, s.period
    sums = _sums(BREAKDOWN_COLUMNS)
    # One GROUP BY for the three breakdowns: the rows by category × channel × concern level.
    groups = list(scope_tallies(place, period, total=0).values("category", "channel", "concern_level")
                  .annotate(**sums))
    tables = [
        _breakdown(groups, "category", lambda keys: dict(Category.objects.filter(pk__in=keys)
                                                         .values_list("pk", "name")),
                   title=_("By category"), key="category", chart="bar"),
        _breakdown(groups, "channel", lambda keys: dict(Channel.choices), title=_("By channel"), key="channel",
                   chart="pie"),
        _breakdown(groups, "concern_level", lambda keys: dict(ConcernLevel.choices), title=_("By concern level"),
                   key="concern_level", chart="bar"),
    ]
    # And one for the communities and grids inside the scope (the total rows at their depths).
    depths = [(length, key, title) for length, key, title in (
        (COMMUNITY_CODE, "community", _("By community")), (GRID_CODE, "grid", _("By grid")))
        if len(place.code) < length]
    if depths:
        inside = list(Tally.objects.filter(period_q(period, in_scope(place, "code"), level__in=[d for d, *_ in depths],
                                                    total=1)).values("level", "code").annotate(**sums))
        names = place_names([g["code"] for g in inside])
        for length, key, title in depths:
            tables.append(_breakdown([g for g in inside if g["level"] == length], "code", lambda keys: names,
                                     title=title, key=key, chart="bar"))
    return SectionData(tables=tables)


def trend_section(s: "LedgerScope") -> SectionData:
    keys = ("found", "claimed", "resolved")
    out = []
    for first in s.period.months():
        row = s.monthly.get(first, {})
        month = f"{first:%Y-%m}"
        out.append({"label": month, **{k: row.get(k, 0) for k in keys}, "filter": {"month": month}})
    columns = [("label", _("Month")), *((k, str(NEED_LABELS[k])) for k in keys)]
    return SectionData(tables=[Table("trend", _("By month found"), columns, out, chart="line", records="found")])


ACTIVE_LIMIT = 10


def active_section(s: "LedgerScope") -> SectionData:
    """The units and members that lead the most needs found in the period (claimed or dispatched)."""
    place, period, public = s.place, s.period, s.public
    rows = HolderTally.objects.filter(period_q(period, code=place.code))
    unit_name = Subquery(Organisation.objects.filter(pk=OuterRef("organisation")).values("name"))
    person_name = Subquery(Person.objects.filter(pk=OuterRef("person")).values("name"))
    units = (rows.exclude(organisation=0).values("organisation").annotate(**_sums(HOLDER_COUNTERS))
             .filter(claimed__gt=0).annotate(name=unit_name)
             .order_by("-resolved", "-claimed", "name")[:ACTIVE_LIMIT])
    members = (rows.exclude(person=0).values("person").annotate(**_sums(("claimed", "resolved")))
               .filter(claimed__gt=0).annotate(name=person_name).order_by("-resolved", "-claimed", "person")
               [:ACTIVE_LIMIT])
    columns = [("label", _("Name")), ("claimed", _("Leading")), ("resolved", str(NEED_LABELS["resolved"]))]
    unit_rows = [{"label": row["name"], "claimed": row["claimed"], "resolved": row["resolved"],
                  "helped": row["helped"], "filter": {"unit": row["organisation"]}} for row in units]
    member_rows = [{"label": mask_name(row["name"]) if public else row["name"], "claimed": row["claimed"],
                    "resolved": row["resolved"], "filter": {"member": row["person"]}} for row in members]
    return SectionData(tables=[
        Table("active_units", _("Most active units"), [*columns, ("helped", _("Helping"))], unit_rows,
              chart="bar", records="claimed"),
        Table("active_members", _("Most active members"), columns, member_rows, records="claimed"),
    ])


def co_building_units(place: Place, period: Period) -> QuerySet:
    agreed = in_scope(place, "agreements__place__code") & Q(agreements__state=AgreementState.ACTIVE,
               agreements__signed_on__lte=period.end)
    reported = in_scope(place, "party_organisations__reports__community__code") & Q(
                 party_organisations__reports__reported_on__lte=period.end)
    units = Organisation.objects.filter(agreed | reported).values("pk")
    return Organisation.objects.filter(pk__in=units, party_organisations__isnull=False).distinct()


def dual_reported_members(place: Place, period: Period) -> QuerySet:
    memberships = PartyMembership.objects.filter(
        in_scope(place, "reports__community__code") | in_scope(place, "reports__grid_branch__place__code"),
        in_service=True, reports__reported_on__lte=period.end,
    ).exclude(reports__state=MemberReportState.WITHDRAWN)
    return Person.objects.filter(pk__in=memberships.values("person"))


def covered_places(place: Place, period: Period, kind: str) -> QuerySet:
    coverages = Coverage.objects.filter(in_scope(place), Q(until__isnull=True) | Q(until__gte=period.start),
                                        since__lte=period.end)
    return Place.objects.filter(kind=kind, pk__in=coverages.values("place"))


def sites_of(place: Place, period: Period, kind: str) -> QuerySet:
    return Site.objects.filter(in_scope(place), Q(opened_on__isnull=True) | Q(opened_on__lte=period.end), kind=kind)


COVERAGE_LABELS = {PlaceKind.GRID: gettext_lazy("Grids covered"), PlaceKind.COMPOUND: gettext_lazy("Compounds covered"),
                   PlaceKind.COURTYARD: gettext_lazy("Courtyards covered"),
                   PlaceKind.UNIT_SITE: gettext_lazy("Unit sites covered")}
SITE_LABELS = {SiteKind.STATION: gettext_lazy("Stations"), SiteKind.FACILITY: gettext_lazy("Facilities"),
               SiteKind.MICRO_POSITION: gettext_lazy("Micro-positions")}


def partners_section(s: "LedgerScope") -> SectionData:
    place, period = s.place, s.period
    figures = [
        Figure("units", _("Co-building units"), co_building_units(place, period).count(), records="units"),
        Figure("members", _("In-service members dual-reported"), dual_reported_members(place, period).count(),
               records="members"),
    ]
    coverage = dict(Coverage.objects.filter(in_scope(place), Q(until__isnull=True) | Q(until__gte=period.start),
                                            since__lte=period.end)
                    .values("place__kind").annotate(n=Count("place", distinct=True)).values_list("place__kind", "n"))
    figures += [Figure(f"covered_{kind}", str(COVERAGE_LABELS[kind]), coverage.get(kind, 0), records=f"covered_{kind}")
                for kind in COVERABLE_KINDS]
    return SectionData(figures=figures)


def sites_section(s: "LedgerScope") -> SectionData:
    place, period = s.place, s.period
    counts = dict(Site.objects.filter(in_scope(place), Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
                  .values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    plural = {SiteKind.STATION: "stations", SiteKind.FACILITY: "facilities", SiteKind.MICRO_POSITION: "micro_positions"}
    return SectionData(figures=[Figure(plural[kind], str(SITE_LABELS[kind]), counts.get(kind, 0), records=plural[kind])
                                for kind in SiteKind.values])


def community_branches(place: Place) -> QuerySet:
    return PartyOrganisation.objects.filter(parent__place=place, parent__level="committee")


def community_party_members(place: Place, period: Period) -> QuerySet:
    organisations = PartyOrganisation.objects.filter(Q(place=place, level="committee")
                                                     | Q(parent__place=place, parent__level="committee"))
    memberships = PartyMembership.objects.filter(party_organisation__in=organisations).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=period.end))
    return Person.objects.filter(pk__in=memberships.values("person"))


def committee_seats(place: Place, period: Period) -> QuerySet:
    return CommitteeMember.objects.filter(community=place, since__lte=period.end)


def community_section(s: "LedgerScope") -> SectionData:
    place, period = s.place, s.period
    area = place_figures(place)
    figures = [
        Figure("branches", _("Party branches"), community_branches(place).count(), records="branches"),
        Figure("party_members", _("Party members"), community_party_members(place, period).count(),
               records="party_members"),
        Figure("area_km2", _("Area"), float(area["area_km2"]) if area["area_km2"] is not None else None, "km²"),
        Figure("buildings", _("Buildings"), area["buildings"]),
        Figure("households", _("Households"), area["households"]),
        Figure("residents", _("Residents"), area["residents"]),
        Figure("committee_members", _("Committee members"), committee_seats(place, period).count(),
               records="committee"),
    ]
    teams = Table("teams", _("Volunteer teams"), [("label", _("Team")), ("members", _("Members"))],
                  [{"label": t.name, "members": t.n, "filter": {}} for t in
                   Team.objects.filter(community=place).annotate(n=Count("members")).order_by("name")])
    return SectionData(figures=figures, tables=[teams])


def honours_of(place: Place, period: Period) -> QuerySet:
    return Honour.objects.filter(in_scope(place), awarded_on__lte=period.end).select_related("place")


def honours_section(s: "LedgerScope") -> SectionData:
    place, period = s.place, s.period
    honours = list(honours_of(place, period).order_by("awarded_on", "pk"))
    table = Table("honours", _("Honours"), [("label", _("Honour")), ("place", _("Received by")),
                                             ("awarded_on", _("Awarded on")), ("awarded_by", _("Awarded by"))],
                  [{"label": h.title, "place": h.place.name, "awarded_on": h.awarded_on.isoformat(),
                    "awarded_by": h.awarded_by, "filter": {}} for h in honours])
    return SectionData(figures=[Figure("honours", _("Honours"), len(honours), records="honours")], tables=[table])


# --- Deeds: what was done, where in general terms, by whom, when, the resident's grade -------------

def _deeds_of(needs: QuerySet) -> QuerySet:
    return (needs.annotate(community_code=Substr("place__code", 1, COMMUNITY_CODE),
                           grid_code=Substr("place__code", 1, GRID_CODE))
            .select_related("category", "lead_organisation", "lead_person")
            .only("title", "resolved_at", "rating", "category__name", "lead_organisation__name", "lead_person__name")
            .order_by("-resolved_at", "-pk"))


def deeds(place: Place, period: Period, *, public: bool, offset: int = 0, limit: int | None = None) -> QuerySet:
    """The resolved needs found in the period, newest first; the public sees public needs only.

    Picked from the deeds index of the roll-ups (ledger.models.Contribution: kind of deed, day found, place,
    resolved at), which sorts the period's deeds without reading a need; with `limit`, only that page of
    needs is read."""
    picked = Contribution.objects.filter(in_scope(place, "code"), deed__in=(Deed.PUBLIC,) if public else (
        Deed.PRIVATE, Deed.PUBLIC), day__gte=period.start, day__lte=period.end)
    if limit is not None:
        picked = picked.order_by("-resolved_at", "-need_id")[offset:offset + limit]
    return _deeds_of(Need.objects.filter(pk__in=picked.values("need_id")))


# A title may name the entrance or the room ("4号楼3单元", "502室"); the public reads it in general terms.
ENTRANCE_OR_ROOM = re.compile(r"\d+\s*号?楼\s*\d+\s*单元(\s*\d+\s*[室号])?"
                              r"|\d+\s*单元(\s*\d+\s*[室号])?|\d{3,4}\s*[室号]")


def public_title(title: str) -> str:
    """The title without the entrance or room number: 东湖小区4号楼3单元加装电梯 → 东湖小区某楼某单元加装电梯."""
    return ENTRANCE_OR_ROOM.sub(lambda m: "某楼某单元" if "楼" in m[0] else ("某单元" if "单元" in m[0] else "某室"),
                                title)



DEED_BATCH = 2000


def deed_columns() -> list[tuple[str, str]]:
    return [("label", _("What")), ("category", _("Category")), ("community", _("Community")), ("grid", _("Grid")),
            ("by", _("By")), ("resolved_on", _("Resolved on")), ("rating", _("Resident's grade"))]


DEED_FIELDS = ("pk", "title", "category__name", "community_code", "grid_code", "lead_organisation__name",
               "lead_person__name", "resolved_at", "rating")


def deed_rows(needs: QuerySet, *, public: bool):
    """Rows of deeds: the place only as community and grid, never the building or room; a member's name
    masked for the public. Read as tuples, not models (a city-year of deeds is a long table), and the names
    of places once per batch."""
    grades = {value: str(label) for value, label in Rating.choices}
    tz = timezone.get_current_timezone()
    rows = needs.values_list(*DEED_FIELDS).iterator(chunk_size=DEED_BATCH)
    while batch := list(islice(rows, DEED_BATCH)):
        names = place_names([code for row in batch for code in (row[3], row[4])])
        for pk, title, category, community, grid, unit, person, resolved_at, rating in batch:
            by = unit or ((mask_name(person) if public else person) if person else "")
            yield {"label": public_title(title) if public else title, "category": category or "",
                   "community": names.get(community, ""), "grid": names.get(grid, ""), "by": by,
                   "resolved_on": resolved_at.astimezone(tz).date().isoformat(), "rating": grades.get(rating, ""),
                   "id": pk}


def deeds_section(s: "LedgerScope") -> SectionData:
    place, period, public = s.place, s.period, s.public
    rows = list(deed_rows(deeds(place, period, public=public, offset=s.deeds_offset, limit=s.deeds_limit),
                          public=public))
    total = s.tally["deeds" if public else "resolved"]  # the public sees public deeds only
    return SectionData(tables=[Table("deeds", _("Deeds done"), deed_columns(), rows, total=total)])


# --- The records behind a figure ------------------------------------------------------------------

NEED_FILTERS = {
    "category": lambda v: Q(category__isnull=True) if v == "" else Q(category=v),
    "channel": lambda v: Q(channel=v),
    "concern_level": lambda v: Q(concern_level=v),
    "community": lambda v: Q(place__code__startswith=v),
    "grid": lambda v: Q(place__code__startswith=v),
    "unit": lambda v: Q(lead_organisation=v),
    "member": lambda v: Q(lead_person=v),
    "rating": lambda v: Q(rating=v),
}


def _month_q(value: str) -> Q:
    first = datetime.date.fromisoformat(f"{value}-01")
    tz = timezone.get_default_timezone()
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Q(accepted_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
             accepted_at__lt=datetime.datetime.combine(following, datetime.time.min, tzinfo=tz))


def records(place: Place, period: Period, figure: str, filters: dict[str, str]) -> tuple[str, QuerySet]:
    """What a figure counts, as (kind of record, queryset): "need", "organisation", "person", "place",
    "site", "party_organisation", "committee_member" or "honour". Raises KeyError for an unknown figure."""
    if figure in NEED_FIGURES or figure in ("reopened", "rejected", "merged"):
        if figure == "reopened":
            qs = reopened_needs(place, period)
        elif figure in ("rejected", "merged"):
            qs = turned_away(place, period, figure)
        else:
            qs = found_needs(place, period).filter(NEED_FIGURES[figure])
        for name, value in filters.items():
            if name == "month":
                qs = qs.filter(_month_q(value))
            elif name in NEED_FILTERS:
                qs = qs.filter(NEED_FILTERS[name](value))
        return "need", (qs.select_related("category", "place", "lead_organisation", "lead_person")
                        .order_by("-accepted_at", "-pk"))
    sites = {"stations": SiteKind.STATION, "facilities": SiteKind.FACILITY, "micro_positions": SiteKind.MICRO_POSITION}
    if figure in sites:
        return "site", sites_of(place, period, sites[figure]).select_related("place").order_by("name")
    if figure.startswith("covered_") and figure[8:] in COVERABLE_KINDS:
        return "place", covered_places(place, period, figure[8:]).order_by("code")
    others = {
        "units": ("organisation", lambda: co_building_units(place, period).order_by("name")),
        "members": ("person", lambda: dual_reported_members(place, period).order_by("pk")),
        "party_members": ("person", lambda: community_party_members(place, period).order_by("pk")),
        "branches": ("party_organisation", lambda: community_branches(place).order_by("name")),
        "committee": ("committee_member", lambda: committee_seats(place, period)
                      .select_related("person", "organisation")),
        "honours": ("honour", lambda: honours_of(place, period).order_by("awarded_on")),
    }
    kind, qs = others[figure]
    return kind, qs()


def figure_label(figure: str) -> str:
    """The title of the records view behind a figure."""
    labels = {
        **NEED_LABELS, "units": _("Co-building units"), "members": _("In-service members dual-reported"),
        "party_members": _("Party members"), "branches": _("Party branches"), "committee": _("Committee members"),
        "honours": _("Honours"), "stations": SITE_LABELS[SiteKind.STATION],
        "facilities": SITE_LABELS[SiteKind.FACILITY], "micro_positions": SITE_LABELS[SiteKind.MICRO_POSITION],
        **{f"covered_{kind}": label for kind, label in COVERAGE_LABELS.items()},
        **{f"rating_{grade}": label for grade, label in Rating.choices},
    }
    return str(labels.get(figure, figure))
