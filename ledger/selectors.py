"""The queries of the happiness ledger (SPEC §8): every figure, computed from the records with aggregate
queries, and the records behind each.

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

- **co-building units**, **in-service members dual-reported**, and for a community its **party branches**,
  **members of its party organisations**, **committee seats** and, for any scope, its
  **honours**: defined once in people.selectors (`co_building_units`, `dual_reported_members`,
  `community_branches`, `community_party_members`, `committee_of`, `honours_of`; its volunteer teams:
  `teams_of`), which the home page counts today and the ledger as of the period's end.
- **coverage** (包抓): distinct grids / compounds / courtyards / unit sites inside the scope that some unit or
  member covered during the period (since ≤ end, and no end date or one ≥ the period's start).
- **stations / facilities / micro-positions**: sites inside the scope opened by the period's end (or
  with no opening date).
- **needs raised by councils** and **of them resolved**: found needs whose channel is a council's or the joint
  meeting's (meetings.figures.COUNCIL_CHANNELS, where the meetings figures are defined), from the roll-ups by
  channel (`channel_counts`).

The sections that show these figures are built in ledger.builders; their labels are in ledger.labels.
"""

import datetime

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone

from core.models import Event
from ledger.conf import FAIRLY_SATISFIED_WEIGHT, composite_weights
from ledger.models import HOLDER_COUNTERS, TALLY_COUNTERS, Contribution, Deed, HolderTally, Tally
from ledger.periods import Period
from ledger.rollups import COMMUNITY_CODE, GRID_CODE, period_q
from meetings.figures import COUNCIL_CHANNELS
from needs import workflow
from needs.models import Category, Level, Need, Rating
from offers import figures as offer_figures
from people import selectors as people_selectors
from people.models import Organisation, Person
from places.models import COVERABLE_KINDS, Coverage, Place
from places.selectors import within
from sites import figures as station_figures
from sites.models import Site, SiteKind
from volunteering import figures as volunteering_figures

# Each need figure is a condition on the needs found in the period (see the module's docstring).
CLAIMED = Q(state__in=workflow.EVER_CLAIMED)
RESOLVED = Q(state__in=workflow.DONE)
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
# The needs raised by councils and the joint meeting (the meetings section), on the needs found in the period.
COUNCIL_FIGURES: dict[str, Q] = {
    "council_needs": Q(channel__in=COUNCIL_CHANNELS),
    "council_needs_resolved": Q(channel__in=COUNCIL_CHANNELS) & RESOLVED,
}


# --- The needs found in a scope and period --------------------------------------------------------

def found_needs(place: Place, period: Period) -> QuerySet:
    start, stop = period.bounds()
    # The scope as a subquery of place ids tested on `place_id + 0`, which no index serves: the database then
    # walks the needs of the period (by date) instead of every need of every place in the scope.
    places = Place.objects.filter(within(place)).values("pk")
    return Need.objects.alias(place_key=F("place_id") + 0).filter(
        place_key__in=places, accepted_at__gte=start, accepted_at__lt=stop).exclude(state__in=workflow.TURNED_AWAY)


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
    return Need.objects.filter(within(place, "place"), state=state, closed_at__gte=start, closed_at__lt=stop)


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


# --- Breakdowns and rankings, from the roll-ups ---------------------------------------------------

BREAKDOWN_COLUMNS = ("found", "claimed", "resolved", "on_time")


def breakdown_groups(place: Place, period: Period) -> list[dict]:
    """The breakdown columns by category × channel × concern level: one GROUP BY over the scope's detail rows,
    from which the breakdowns by category, by channel and by concern level are summed."""
    return list(scope_tallies(place, period, total=0).values("category", "channel", "concern_level")
                .annotate(**_sums(BREAKDOWN_COLUMNS)))


def channel_counts(place: Place, period: Period, channels) -> dict[str, int]:
    """found and resolved of the needs found in the period through these channels: one SUM over the scope's
    detail rows."""
    return scope_tallies(place, period, total=0).filter(channel__in=channels).aggregate(
        **_sums(("found", "resolved")))


def inside_groups(place: Place, period: Period, levels: list[int]) -> list[dict]:
    """The breakdown columns of every place inside the scope whose code has one of these lengths (its
    communities, its grids), from their total rows in one GROUP BY."""
    return list(Tally.objects.filter(period_q(period, within(place), level__in=levels, total=1))
                .values("level", "code").annotate(**_sums(BREAKDOWN_COLUMNS)))


def category_names(keys) -> dict[int, str]:
    return dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))


def place_names(codes) -> dict[str, str]:
    return dict(Place.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _holder_tallies(place: Place, period: Period) -> QuerySet:
    return HolderTally.objects.filter(period_q(period, code=place.code))


def most_active_units(place: Place, period: Period, limit: int) -> QuerySet:
    """The units that lead the most needs found in the period (claimed or dispatched): organisation, name,
    claimed, resolved and helped (as a collaborating unit)."""
    name = Subquery(Organisation.objects.filter(pk=OuterRef("organisation")).values("name"))
    return (_holder_tallies(place, period).exclude(organisation=0).values("organisation")
            .annotate(**_sums(HOLDER_COUNTERS)).filter(claimed__gt=0).annotate(name=name)
            .order_by("-resolved", "-claimed", "name")[:limit])


def most_active_members(place: Place, period: Period, limit: int) -> QuerySet:
    """The members who lead the most needs found in the period: person, name, claimed, resolved."""
    name = Subquery(Person.objects.filter(pk=OuterRef("person")).values("name"))
    return (_holder_tallies(place, period).exclude(person=0).values("person")
            .annotate(**_sums(("claimed", "resolved"))).filter(claimed__gt=0).annotate(name=name)
            .order_by("-resolved", "-claimed", "person")[:limit])


# --- Coverage and sites ---------------------------------------------------------------------------

def coverages_in(place: Place, period: Period) -> QuerySet:
    """The coverages (包抓) of places inside the scope that held at some time in the period."""
    return Coverage.objects.filter(within(place, "place"), Q(until__isnull=True) | Q(until__gte=period.start),
                                   since__lte=period.end)


def covered_places(place: Place, period: Period, kind: str) -> QuerySet:
    return Place.objects.filter(kind=kind, pk__in=coverages_in(place, period).values("place"))


def covered_place_counts(place: Place, period: Period) -> dict[str, int]:
    """Distinct places covered in the period, by kind of place."""
    return dict(coverages_in(place, period).values("place__kind").annotate(n=Count("place", distinct=True))
                .values_list("place__kind", "n"))


def sites_open(place: Place, period: Period) -> QuerySet:
    """Sites inside the scope opened by the period's end (or with no opening date)."""
    return Site.objects.filter(within(place, "place"), Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))


def site_counts(place: Place, period: Period) -> dict[str, int]:
    return dict(sites_open(place, period).values("kind").annotate(n=Count("pk")).values_list("kind", "n"))


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
    picked = Contribution.objects.filter(within(place), deed__in=(Deed.PUBLIC,) if public else (
        Deed.PRIVATE, Deed.PUBLIC), day__gte=period.start, day__lte=period.end)
    if limit is not None:
        picked = picked.order_by("-resolved_at", "-need_id")[offset:offset + limit]
    return _deeds_of(Need.objects.filter(pk__in=picked.values("need_id")))


# --- The records behind a figure ------------------------------------------------------------------

NEED_FILTERS = {
    "category": lambda v: Q(category__isnull=True) if v == "" else Q(category=v),
    "channel": lambda v: Q(channel=v),
    "concern_level": lambda v: Q(concern_level=v),
    "community": lambda v: within(v, "place"),
    "grid": lambda v: within(v, "place"),
    "unit": lambda v: Q(lead_organisation=v),
    "member": lambda v: Q(lead_person=v),
    "rating": lambda v: Q(rating=v),
}
# The filters of the other records (bookings: kind of offer; loans and stock given out: the station;
# volunteering: the team, and kind of activity).
OTHER_FILTERS = ("kind", "site", "team")
SITE_FIGURES = {"stations": SiteKind.STATION, "facilities": SiteKind.FACILITY,
                "micro_positions": SiteKind.MICRO_POSITION}


def _month_q(value: str) -> Q:
    first = datetime.date.fromisoformat(f"{value}-01")
    tz = timezone.get_default_timezone()
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Q(accepted_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
             accepted_at__lt=datetime.datetime.combine(following, datetime.time.min, tzinfo=tz))


def records(place: Place, period: Period, figure: str, filters: dict[str, str]) -> tuple[str, QuerySet]:
    """What a figure counts, as (kind of record, queryset): "need", "organisation", "person", "place",
    "site", "party_organisation", "committee_member", "honour", "booking", "loan", "stock_movement",
    "activity", "volunteer" or "service_hours".
    Raises KeyError for an unknown figure."""
    if figure in volunteering_figures.RECORD_FIGURES:
        return volunteering_figures.records(place, period, figure, filters)
    if figure in offer_figures.RECORD_FIGURES:
        return "booking", offer_figures.booking_records(place, period, figure, filters)
    if figure == "items_lent":
        return "loan", station_figures.loan_records(place, period, filters)
    if figure == "items_given_out":
        return "stock_movement", station_figures.give_out_records(place, period, filters)
    if figure == "station_uses":
        qs = station_figures.stations_used(place, period)
        if filters.get("site"):
            qs = qs.filter(pk=filters["site"])
        return "site", qs.select_related("place").order_by("name")
    if figure in NEED_FIGURES or figure in COUNCIL_FIGURES or figure in ("reopened", "rejected", "merged"):
        if figure == "reopened":
            qs = reopened_needs(place, period)
        elif figure in ("rejected", "merged"):
            qs = turned_away(place, period, figure)
        else:
            qs = found_needs(place, period).filter({**NEED_FIGURES, **COUNCIL_FIGURES}[figure])
        for name, value in filters.items():
            if name == "month":
                qs = qs.filter(_month_q(value))
            elif name in NEED_FILTERS:
                qs = qs.filter(NEED_FILTERS[name](value))
        return "need", (qs.select_related("category", "place", "lead_organisation", "lead_person")
                        .order_by("-accepted_at", "-pk"))
    if figure in SITE_FIGURES:
        return "site", sites_open(place, period).filter(kind=SITE_FIGURES[figure]).select_related("place").order_by(
            "name")
    if figure.startswith("covered_") and figure[8:] in COVERABLE_KINDS:
        return "place", covered_places(place, period, figure[8:]).order_by("code")
    as_of = period.end
    others = {
        "units": ("organisation", lambda: people_selectors.co_building_units(place, as_of=as_of).order_by("name")),
        "members": ("person", lambda: people_selectors.dual_reported_members(place, as_of=as_of).order_by("pk")),
        "party_members": ("person", lambda: people_selectors.community_party_members(place, as_of=as_of)
                          .order_by("pk")),
        "branches": ("party_organisation", lambda: people_selectors.community_branches(place).order_by("name")),
        "committee": ("committee_member", lambda: people_selectors.committee_of(place, as_of=as_of)),
        "honours": ("honour", lambda: people_selectors.honours_of(place=place, as_of=as_of).order_by("awarded_on")),
    }
    kind, qs = others[figure]
    return kind, qs()
