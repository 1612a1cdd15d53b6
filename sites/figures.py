"""The stations' figures for the happiness ledger (ledger.builders.stations_section): loans and stock given out.

A module of its own beside sites/selectors.py (which serves the stations' pages and API) so that the ledger's
definitions sit in one place; written for the ledger, read by nothing else. The definitions (copied into
ledger/README.md):

- A loan or a stock movement belongs to a **scope** by its station's place (Site.place inside the scope), to
  a **period** by when it happened (Loan.lent_at; StockMovement.at), local time.
- **items lent** (借出物品): loans made in the period (one unit each), returned, lost or still out.
- **items given out** (发放物品): the units of consumables given out in the period (the sum of the give-outs'
  quantities; receipts and adjustments are not counted).
- **station uses** (驿站服务人次): loans + give-outs (each give-out one use, whatever its quantity) in the
  period — a station's use by residents, per station in "stations by use".
Who borrowed or was given something is never counted by name: the figures are counts, the tables name only
stations and items.
"""

from django.db.models import Count, F, Q, QuerySet, Sum

from places.models import Place
from places.selectors import within
from sites.models import Loan, MovementKind, Site, StockMovement


def loans_in(place: Place, period) -> QuerySet:
    """The loans made at the scope's stations in the period. `period` is a ledger.periods.Period (read through
    its bounds(): this app sits below the ledger)."""
    start, stop = period.bounds()
    return Loan.objects.filter(within(place, "item__site__place"), lent_at__gte=start, lent_at__lt=stop)


def give_outs_in(place: Place, period) -> QuerySet:
    """The give-outs of consumables at the scope's stations in the period."""
    start, stop = period.bounds()
    return StockMovement.objects.filter(within(place, "item__site__place"), kind=MovementKind.GIVEN_OUT,
                                        at__gte=start, at__lt=stop)


def station_counts(place: Place, period) -> dict[str, int]:
    """lent, given_out (units), give_outs (movements) in two queries."""
    lent = loans_in(place, period).count()
    out = give_outs_in(place, period).aggregate(units=Sum("change", default=0), n=Count("pk"))
    return {"lent": lent, "given_out": -out["units"], "give_outs": out["n"]}


def by_station(place: Place, period) -> list[dict]:
    """site, name, lent, given_out (units), give_outs, uses — one row per station with a loan or a give-out."""
    rows: dict[int, dict] = {}
    for row in loans_in(place, period).values("item__site", "item__site__name").annotate(n=Count("pk")):
        rows[row["item__site"]] = {"site": row["item__site"], "name": row["item__site__name"], "lent": row["n"],
                                   "given_out": 0, "give_outs": 0}
    for row in give_outs_in(place, period).values("item__site", "item__site__name").annotate(
            units=Sum("change"), n=Count("pk")):
        r = rows.setdefault(row["item__site"], {"site": row["item__site"], "name": row["item__site__name"],
                                                "lent": 0, "given_out": 0, "give_outs": 0})
        r["given_out"], r["give_outs"] = -row["units"], row["n"]
    for r in rows.values():
        r["uses"] = r["lent"] + r["give_outs"]
    return sorted(rows.values(), key=lambda r: (-r["uses"], r["name"]))


def by_item(place: Place, period) -> list[dict]:
    """name, lent, given_out (units) — by the item's name (雨伞 at every station is one row)."""
    rows: dict[str, dict] = {}
    for row in loans_in(place, period).values("item__name").annotate(n=Count("pk")):
        rows[row["item__name"]] = {"name": row["item__name"], "lent": row["n"], "given_out": 0}
    for row in give_outs_in(place, period).values("item__name").annotate(units=Sum("change")):
        rows.setdefault(row["item__name"], {"name": row["item__name"], "lent": 0, "given_out": 0})[
            "given_out"] = -row["units"]
    return sorted(rows.values(), key=lambda r: (-(r["lent"] + r["given_out"]), r["name"]))


def loan_records(place: Place, period, filters: dict[str, str]) -> QuerySet:
    """The loans behind "items lent" (the ledger's records view, staff only), newest first; filter: site."""
    qs = loans_in(place, period)
    if filters.get("site"):
        qs = qs.filter(item__site=filters["site"])
    return qs.select_related("item__site").order_by("-lent_at", "-pk")


def give_out_records(place: Place, period, filters: dict[str, str]) -> QuerySet:
    """The give-outs behind "items given out", newest first; filter: site."""
    qs = give_outs_in(place, period)
    if filters.get("site"):
        qs = qs.filter(item__site=filters["site"])
    return qs.select_related("item__site").annotate(quantity=-F("change")).order_by("-at", "-pk")


def stations_used(place: Place, period) -> QuerySet:
    """The stations behind "station uses": those with a loan or a give-out in the period."""
    return Site.objects.filter(Q(pk__in=loans_in(place, period).values("item__site"))
                               | Q(pk__in=give_outs_in(place, period).values("item__site")))
