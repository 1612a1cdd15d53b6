"""The offers' figures for the happiness ledger (ledger.builders.offers_section): the queries over bookings.

A module of its own beside offers/selectors.py (which serves the offers' pages and API) so that the ledger's
definitions sit in one place; written for the ledger, read by nothing else. The definitions (copied into
ledger/README.md):

- A booking belongs to a **scope** by the home of the person booked for (Person.home inside the scope): a
  community's ledger counts its residents served, whoever provides. A person with no home on record (booked
  by staff for someone not registered, or an offer open to non-residents) counts in the communities the
  offer serves (once in a scope holding several of them).
- A booking belongs to a **period** by its session's start (Session.starts_at, local time): a ride on
  2021-12-31 counts in 2021, wherever and whenever it was booked.
- **bookings fulfilled** (已完成预约): bookings now in state fulfilled (seats are not counted: one booking,
  one service given).
- **residents served** (服务居民): distinct people with a fulfilled booking.
- **no-shows** (未到): bookings now in state no_show; **no-show rate** (爽约率) = no-shows ÷ (fulfilled +
  no-shows), null when both are 0 — cancelled, declined and lapsed bookings are not in it.
- By **offer kind** and by **provider** (the offering unit, or the member; members' names masked on public
  forms).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from offers.models import Booking, BookingState, Offer
from places.models import Place
from places.selectors import within

COUNTED = (BookingState.FULFILLED, BookingState.NO_SHOW)


def bookings_in(place: Place, period) -> QuerySet:
    """The bookings of the scope and period (see the module's docstring), every state. `period` is a
    ledger.periods.Period (read through its bounds(): this app sits below the ledger)."""
    start, stop = period.bounds()
    served = Offer.communities.through.objects.filter(within(place, "place"), offer=OuterRef("session__offer"))
    return Booking.objects.filter(within(place, "person__home") | (Q(person__home__isnull=True) & Exists(served)),
                                  session__starts_at__gte=start, session__starts_at__lt=stop)


def booking_counts(place: Place, period) -> dict[str, int]:
    """fulfilled, no_show and residents (distinct people served) in one query."""
    row = bookings_in(place, period).filter(state__in=COUNTED).aggregate(
        fulfilled=Count("pk", filter=Q(state=BookingState.FULFILLED)),
        no_show=Count("pk", filter=Q(state=BookingState.NO_SHOW)),
        residents=Count("person", filter=Q(state=BookingState.FULFILLED), distinct=True))
    return {key: value or 0 for key, value in row.items()}


def _grouped(place, period, fields) -> list[dict]:
    return list(bookings_in(place, period).filter(state__in=COUNTED).values(*fields).annotate(
        fulfilled=Count("pk", filter=Q(state=BookingState.FULFILLED)),
        no_show=Count("pk", filter=Q(state=BookingState.NO_SHOW)),
        residents=Count("person", filter=Q(state=BookingState.FULFILLED), distinct=True)))


def by_kind(place: Place, period) -> list[dict]:
    """kind, fulfilled, no_show, residents — one row per kind of offer with a fulfilled booking or a no-show."""
    return _grouped(place, period, ("session__offer__kind",))


def by_provider(place: Place, period) -> list[dict]:
    """organisation, organisation name, person, person name, fulfilled, no_show, residents — one row per
    provider."""
    return _grouped(place, period, ("session__offer__organisation", "session__offer__organisation__name",
                                    "session__offer__person", "session__offer__person__name"))


# The ledger's figures that list bookings, and the states each lists.
RECORD_FIGURES = {"bookings_fulfilled": (BookingState.FULFILLED,), "residents_served": (BookingState.FULFILLED,),
                  "no_shows": (BookingState.NO_SHOW,), "no_show_rate": COUNTED}


def booking_records(place: Place, period, figure: str, filters: dict[str, str]) -> QuerySet:
    """The bookings behind a figure (the ledger's records view, staff only), latest session first; filters:
    kind (of offer), unit or member (the provider, by id)."""
    qs = bookings_in(place, period).filter(state__in=RECORD_FIGURES[figure])
    if filters.get("kind"):
        qs = qs.filter(session__offer__kind=filters["kind"])
    if filters.get("unit"):
        qs = qs.filter(session__offer__organisation=filters["unit"])
    if filters.get("member"):
        qs = qs.filter(session__offer__person=filters["member"])
    return qs.select_related("session__offer__organisation", "person").order_by("-session__starts_at", "-pk")
