"""The tests' second opinion: every need figure of the ledger computed straight from the needs table with
aggregate queries (the ledger's first implementation, before roll-ups). Production reads the roll-ups
(ledger.rollups); the tests hold the two equal after every action."""

import datetime

from django.db.models import Count, F, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from ledger.builders import LedgerScope
from ledger.rollups import COMMUNITY_CODE, GRID_CODE
from ledger.selectors import (
    BREAKDOWN_COLUMNS,
    CLAIMED,
    NEED_FIGURES,
    RESOLVED,
    found_needs,
    reopened_needs,
    turned_away,
)
from needs.models import Need


def _counts(keys) -> dict:
    return {key: Count("pk", filter=NEED_FIGURES[key]) if key != "found" else Count("pk") for key in keys}


def tally(scope: LedgerScope) -> dict[str, int]:
    place, period = scope.place, scope.period
    found = found_needs(place, period)
    t = found.aggregate(**_counts(NEED_FIGURES), affected=Sum("affected", default=0))
    t["reopened"] = reopened_needs(place, period).count()
    t["rejected"] = turned_away(place, period, "rejected").count()
    t["merged"] = turned_away(place, period, "merged").count()
    t["deeds"] = found.filter(RESOLVED, is_public=True).count()
    return t


def trend(scope: LedgerScope) -> list[dict]:
    keys = ("found", "claimed", "resolved")
    rows = (found_needs(scope.place, scope.period)
            .annotate(m=TruncMonth("accepted_at", tzinfo=timezone.get_default_timezone()))
            .values("m").annotate(**_counts(keys)).order_by("m"))
    by_month = {row["m"].date() if isinstance(row["m"], datetime.datetime) else row["m"]: row for row in rows}
    return [{"month": f"{first:%Y-%m}", **{k: by_month.get(first, {}).get(k, 0) for k in keys}}
            for first in scope.period.months()]


def breakdowns(scope: LedgerScope) -> dict[str, list[tuple]]:
    """Each breakdown as (key, found, claimed, resolved, on_time) rows, by key (no category: 0)."""
    found = found_needs(scope.place, scope.period)
    exprs = {"category": F("category"), "channel": F("channel"), "concern_level": F("concern_level")}
    for length, key in ((COMMUNITY_CODE, "community"), (GRID_CODE, "grid")):
        if len(scope.place.code) < length:
            exprs[key] = Substr("place__code", 1, length)
    return {key: sorted((row["k"] or 0, *(row[c] for c in BREAKDOWN_COLUMNS))
                        for row in found.annotate(k=expr).values("k").annotate(**_counts(BREAKDOWN_COLUMNS)))
            for key, expr in exprs.items()}


def active(scope: LedgerScope, limit: int) -> dict[str, list[tuple]]:
    """The most active units (id, claimed, resolved, helped) and members (id, claimed, resolved), ranked."""
    held = found_needs(scope.place, scope.period).filter(CLAIMED)
    counts = {"claimed": Count("pk"), "resolved": Count("pk", filter=RESOLVED)}
    helped = dict(Need.collaborators.through.objects.filter(need__in=found_needs(scope.place, scope.period))
                  .values("organisation").annotate(n=Count("need", distinct=True)).values_list("organisation", "n"))
    units = (held.filter(lead_organisation__isnull=False).values("lead_organisation")
             .annotate(**counts).order_by("-resolved", "-claimed", "lead_organisation__name")[:limit])
    members = (held.filter(lead_person__isnull=False).values("lead_person")
               .annotate(**counts).order_by("-resolved", "-claimed", "lead_person")[:limit])
    return {"units": [(r["lead_organisation"], r["claimed"], r["resolved"], helped.get(r["lead_organisation"], 0))
                      for r in units],
            "members": [(r["lead_person"], r["claimed"], r["resolved"]) for r in members]}


def deeds(scope: LedgerScope, *, public: bool, limit: int) -> list[int]:
    """The ids of the newest deeds (resolved needs found in the period; public ones for the public)."""
    qs = found_needs(scope.place, scope.period).filter(RESOLVED)
    if public:
        qs = qs.filter(is_public=True)
    return list(qs.order_by("-resolved_at", "-pk").values_list("pk", flat=True)[:limit])
