"""The volunteering figures for the happiness ledger (ledger.builders.volunteering_section): activities held,
volunteers active and hours served.

A module of its own beside volunteering/selectors.py (which serves the app's pages and API) so that the ledger's
definitions sit in one place; written for the ledger, read by nothing else. The definitions (copied into
ledger/README.md):

- An activity belongs to a **scope** by its place (Activity.place inside the scope) — where the service was
  given, whoever organised it and wherever the volunteers live — and to a **period** by its end
  (Activity.ends_at, local time): an activity from 2021-12-31 20:00 to 2022-01-01 02:00 counts in 2022.
- **activities held** (开展活动): activities not cancelled that ended in the period, and have ended by now.
- **hours served** (服务时长): the sum of the certified service hours (ServiceHours in state certified, their
  current value after any correction) of the scope's activities of the period. Proposed entries are not yet
  hours; an entry the volunteer queried counts again once the organiser has answered it (certified again).
- **volunteers active** (参与志愿者): distinct volunteers with certified hours, counted the same way.
- By **organiser** (the team, else the organising unit or community office), by **kind** of activity and by
  **community** (the activity's place's community). Volunteers are never named: the figures are counts, the tables
  name teams, units, kinds and communities only — on staff pages as on public ones.
"""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import within
from volunteering.models import Activity, HoursState, ServiceHours, Volunteer

COMMUNITY_CODE = PLACE_RULES[PlaceKind.COMMUNITY][1]


def activities_in(place: Place, period) -> QuerySet:
    """The activities of the scope that end in the period, cancelled or not, held or still to come. `period` is a
    ledger.periods.Period (read through its bounds(): this app sits below the ledger)."""
    start, stop = period.bounds()
    return Activity.objects.filter(within(place, "place"), ends_at__gte=start, ends_at__lt=stop)


def activities_held(place: Place, period) -> QuerySet:
    """Not cancelled, and over by now."""
    return activities_in(place, period).filter(is_cancelled=False, ends_at__lte=timezone.now())


def hours_in(place: Place, period) -> QuerySet:
    """The certified entries of the scope's activities of the period."""
    start, stop = period.bounds()
    return ServiceHours.objects.filter(within(place, "activity__place"), activity__ends_at__gte=start,
                                       activity__ends_at__lt=stop, state=HoursState.CERTIFIED)


def _hours(value) -> float:
    return float(round(value or Decimal(0), 2))


def volunteering_counts(place: Place, period) -> dict:
    """held, volunteers (distinct), hours (a float, 2 decimals) in two queries."""
    held = activities_held(place, period).count()
    row = hours_in(place, period).aggregate(hours=Sum("hours"), volunteers=Count("volunteer", distinct=True))
    return {"held": held, "volunteers": row["volunteers"] or 0, "hours": _hours(row["hours"])}


def _grouped(place, period, fields, *, only=None) -> list[dict]:
    """held, volunteers, hours per group of `fields` (fields of the activity): one GROUP BY over the activities
    held, one over the certified hours; `only`: conditions on the activity (keyword arguments of a filter)."""
    only = only or {}
    rows: dict = {}
    for row in activities_held(place, period).filter(**only).values(*fields).annotate(n=Count("pk")):
        held = row.pop("n")
        rows[tuple(row[f] for f in fields)] = {**row, "held": held, "volunteers": 0, "hours": 0.0}
    through = {f"activity__{f}": f for f in fields}
    only_hours = {f"activity__{k}": v for k, v in only.items()}
    for row in hours_in(place, period).filter(**only_hours).values(*through).annotate(
            h=Sum("hours"), v=Count("volunteer", distinct=True)):
        group = {f: row[t] for t, f in through.items()}
        r = rows.setdefault(tuple(group.values()), {**group, "held": 0, "volunteers": 0, "hours": 0.0})
        r["volunteers"], r["hours"] = row["v"], _hours(row["h"])
    return list(rows.values())


def _biggest_first(rows, label):
    return sorted(rows, key=lambda r: (-r["hours"], -r["held"], str(label(r))))


def by_organiser(place: Place, period) -> list[dict]:
    """team, team__name, organisation, organisation__name, held, volunteers, hours — one row per team, and one per
    unit (or community office) for the activities it organised without a team."""
    teams = _grouped(place, period, ("team", "team__name"), only={"team__isnull": False})
    units = _grouped(place, period, ("organisation", "organisation__name"), only={"team__isnull": True})
    rows = ([{**r, "organisation": None, "organisation__name": ""} for r in teams]
            + [{**r, "team": None, "team__name": ""} for r in units])
    return _biggest_first(rows, lambda r: r["team__name"] or r["organisation__name"])


def by_kind(place: Place, period) -> list[dict]:
    """kind, held, volunteers, hours — one row per kind of activity."""
    return _biggest_first(_grouped(place, period, ("kind",)), lambda r: r["kind"])


def by_community(place: Place, period) -> list[dict]:
    """community (the code of the activity's community, or of its place if above one), held, volunteers, hours."""
    held = activities_held(place, period).annotate(community=Substr("place__code", 1, COMMUNITY_CODE))
    hours = hours_in(place, period).annotate(community=Substr("activity__place__code", 1, COMMUNITY_CODE))
    rows: dict = {}
    for row in held.values("community").annotate(n=Count("pk")):
        rows[row["community"]] = {"community": row["community"], "held": row["n"], "volunteers": 0, "hours": 0.0}
    for row in hours.values("community").annotate(h=Sum("hours"), v=Count("volunteer", distinct=True)):
        r = rows.setdefault(row["community"], {"community": row["community"], "held": 0, "volunteers": 0,
                                               "hours": 0.0})
        r["volunteers"], r["hours"] = row["v"], _hours(row["h"])
    return sorted(rows.values(), key=lambda r: (-r["hours"], -r["held"], r["community"]))


# The ledger's figures that list volunteering records.
RECORD_FIGURES = ("activities_held", "volunteers_active", "hours_served")


def _filtered(qs: QuerySet, filters: dict[str, str], through: str = "") -> QuerySet:
    if filters.get("team"):
        qs = qs.filter(**{f"{through}team": filters["team"]})
    if filters.get("unit"):
        qs = qs.filter(**{f"{through}team__isnull": True, f"{through}organisation": filters["unit"]})
    if filters.get("kind"):
        qs = qs.filter(**{f"{through}kind": filters["kind"]})
    if filters.get("community"):
        qs = qs.filter(within(filters["community"], f"{through}place"))
    return qs


def records(place: Place, period, figure: str, filters: dict[str, str]) -> tuple[str, QuerySet]:
    """The records behind a figure (the ledger's records view, staff only), as (kind of record, queryset):
    "activity" (the activities held, latest first, each with its volunteers and hours certified), "volunteer"
    (the volunteers active, by number, with their hours in the scope and period) or "service_hours" (the
    certified entries, latest activity first). Filters: team, unit (activities organised by the unit without a
    team), kind, community (a code)."""
    if figure == "activities_held":
        qs = _filtered(activities_held(place, period), filters)
        certified = Q(hours__state=HoursState.CERTIFIED)
        return "activity", (qs.select_related("team", "organisation", "place")
                            .annotate(volunteers=Count("hours__volunteer", filter=certified, distinct=True),
                                      hours_certified=Sum("hours__hours", filter=certified))
                            .order_by("-ends_at", "-pk"))
    entries = _filtered(hours_in(place, period), filters, "activity__")
    if figure == "volunteers_active":
        return "volunteer", (Volunteer.objects.filter(pk__in=entries.values("volunteer"))
                             .select_related("person")
                             .annotate(hours_certified=Sum("hours__hours", filter=Q(hours__in=entries)),
                                       activities=Count("hours", filter=Q(hours__in=entries)))
                             .order_by("number"))
    if figure == "hours_served":
        return "service_hours", (entries.select_related("activity__team", "activity__organisation", "activity__place",
                                                        "volunteer__person")
                                 .order_by("-activity__ends_at", "-pk"))
    raise KeyError(figure)
