"""The mediation figures for the happiness ledger (ledger.builders.mediation_section): disputes received, concluded
and settled, by kind, by the level they were settled at, by outcome and by community; the share settled within the
community and within the subdistrict; the median days from intake to agreement.

A module of its own beside mediation/selectors.py (which serves the case pages and API: names, in the reader's
scope) so that the ledger's definitions sit in one place; read by nothing else. Counts only: no title, party or
mediator leaves this module. The definitions (copied into ledger/README.md):

- A dispute belongs to a **scope** by its place (Dispute.place inside the scope), to a **period** by the moment it
  was received (received_at) for *received*, and by the moment its outcome was recorded (concluded_at) for the
  rest, as it stands now: a dispute mediated again (reopen) has no outcome until it is concluded again.
- **received** (受理纠纷): disputes received in the period.
- **concluded** (办结): outcome recorded in the period — an agreement, no agreement (referred), withdrawn, or a party
  refused mediation.
- **settled** (调解成功): concluded by an agreement.
- **share settled within the community** (小事不出社区): settled at building or community level ÷ (concluded −
  withdrawn); a withdrawn dispute is nobody's failure and is left out. **Within the subdistrict** (大事不出街道):
  the same with the subdistrict level added. A dispute counts at the level it was settled at (settled_level).
- **median days to settle** (调解用时): the median of the days from intake to the agreement (concluded_at −
  received_at) over the disputes settled in the period, one decimal; none settled: no figure.
"""

import statistics

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from mediation.models import Dispute, Level, Outcome
from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import within

COMMUNITY_CODE = PLACE_RULES[PlaceKind.COMMUNITY][1]
WITHIN_COMMUNITY = (Level.BUILDING, Level.COMMUNITY)
WITHIN_SUBDISTRICT = (*WITHIN_COMMUNITY, Level.SUBDISTRICT)


def _bounds(period) -> tuple[Q, Q]:
    """(received in the period, concluded in the period); `period` is a ledger.periods.Period, read through its
    bounds() (this app sits below the ledger)."""
    start, stop = period.bounds()
    return Q(received_at__gte=start, received_at__lt=stop), Q(concluded_at__gte=start, concluded_at__lt=stop)


def _counts(received: Q, concluded: Q) -> dict:
    settled = concluded & Q(outcome=Outcome.AGREEMENT)
    return {
        "received": Count("pk", filter=received),
        "concluded": Count("pk", filter=concluded),
        "settled": Count("pk", filter=settled),
        "withdrawn": Count("pk", filter=concluded & Q(outcome=Outcome.WITHDRAWN)),
        "in_community": Count("pk", filter=settled & Q(settled_level__in=WITHIN_COMMUNITY)),
        "in_subdistrict": Count("pk", filter=settled & Q(settled_level__in=WITHIN_SUBDISTRICT)),
    }


def _touched(place: Place, period) -> tuple[QuerySet, Q, Q]:
    """The scope's disputes received or concluded in the period (one index range each), and the two conditions."""
    received, concluded = _bounds(period)
    return Dispute.objects.filter(within(place, "place")).filter(received | concluded), received, concluded


def concluded_in(place: Place, period) -> QuerySet:
    return Dispute.objects.filter(within(place, "place"), _bounds(period)[1])


def mediation_counts(place: Place, period) -> dict:
    """received, concluded, settled, withdrawn, in_community, in_subdistrict and median_days (None when nothing was
    settled), in two queries."""
    qs, received, concluded = _touched(place, period)
    row = qs.aggregate(**_counts(received, concluded))
    moments = concluded_in(place, period).filter(outcome=Outcome.AGREEMENT).values_list("received_at", "concluded_at")
    days = [(done - start).total_seconds() / 86400 for start, done in moments]
    return {**row, "median_days": round(statistics.median(days), 1) if days else None}


def _grouped(place: Place, period, field: str, expression=None) -> list[dict]:
    """The counts of mediation_counts (without the median) per value of `field` (a field of the dispute, or the
    name given to `expression`)."""
    qs, received, concluded = _touched(place, period)
    if expression is not None:
        qs = qs.annotate(**{field: expression})
    return list(qs.values(field).annotate(**_counts(received, concluded)).order_by(field))


def by_kind(place: Place, period) -> list[dict]:
    """kind, received, concluded, settled, withdrawn, in_community, in_subdistrict — one row per kind."""
    return _grouped(place, period, "kind")


def by_community(place: Place, period) -> list[dict]:
    """community (the code of the dispute's place's community), and the counts of by_kind."""
    return _grouped(place, period, "community", Substr("place__code", 1, COMMUNITY_CODE))


def by_settled_level(place: Place, period) -> dict[str, int]:
    """The disputes settled in the period, by the level they were settled at."""
    rows = (concluded_in(place, period).filter(outcome=Outcome.AGREEMENT).values("settled_level")
            .annotate(n=Count("pk")).order_by())
    return {r["settled_level"]: r["n"] for r in rows}


def by_outcome(place: Place, period) -> dict[str, int]:
    """The disputes concluded in the period, by outcome."""
    rows = concluded_in(place, period).values("outcome").annotate(n=Count("pk")).order_by()
    return {r["outcome"]: r["n"] for r in rows}
