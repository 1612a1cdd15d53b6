"""Reads that pages, the API and the ledger share: the public offers list, sessions with their free places, a
person's bookings, a provider's bookings of some days, the bookings of a staff member's area."""

import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Event
from offers import permissions, workflow
from offers.models import Booking, Offer, Session
from offers.permissions import bookings_in_scope_q, offers_managed_q
from people import scopes
from places.models import Place, containing_codes
from places.selectors import within


def offers_public(*, community=None, kind: str = "", q: str = "") -> QuerySet:
    """Published offers; `community` (a Place or its code): those serving it (or a subdistrict that holds it, or a
    place inside it); `kind` an OfferKind; `q` words of the title (pinyin too)."""
    offers = Offer.objects.filter(is_published=True)
    if community is not None:
        code = community.code if isinstance(community, Place) else str(community)
        served = Offer.communities.through.objects.filter(
            within(code, "place") | Q(place__code__in=containing_codes(code)))
        offers = offers.filter(pk__in=served.values("offer_id"))
    if kind:
        offers = offers.filter(kind=kind)
    if q:
        offers = offers.filter(Offer.search_q(q))
    return offers.select_related("organisation", "person", "place").order_by("kind", "name", "id")


def _seats_in(states) -> Subquery:
    return Coalesce(Subquery(Booking.objects.filter(session=OuterRef("pk"), state__in=states).order_by()
                             .values("session").annotate(n=Sum("seats")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def with_places(sessions: QuerySet) -> QuerySet:
    """Sessions annotated with `taken` (places held), `free` and `waiting` (places asked for on the waiting list)."""
    return sessions.annotate(taken=_seats_in(workflow.HOLDS_PLACE), waiting=_seats_in(workflow.QUEUED)).annotate(
        free=F("capacity") - F("taken"))


def sessions_with_places(offer: Offer, *, at: datetime.datetime | None = None) -> QuerySet:
    """The offer's upcoming sessions (not cancelled, not started), with `taken`, `free` and `waiting`."""
    at = at or timezone.now()
    return with_places(Session.objects.filter(offer=offer, is_cancelled=False, starts_at__gt=at)).order_by(
        "starts_at", "id")


def next_sessions(offers, *, at: datetime.datetime | None = None) -> dict[int, Session]:
    """For a page of offers, by offer id, the session a card shows as "next": for a bookable offer the first one
    may still book with a place free (its minimum notice counted), else the first to come — two queries for the
    whole page, whatever the number of offers and sessions."""
    at = at or timezone.now()
    offers = list(offers)
    if not offers:
        return {}
    # Each offer's own condition (its notice), in one subquery: only the branch of the outer offer can match.
    branches = Q(pk__in=[])
    for offer in offers:
        if offer.bookable:
            branches |= Q(offer_id=offer.pk, starts_at__gte=at + datetime.timedelta(hours=offer.min_notice_hours),
                          free__gt=0)
        else:
            branches |= Q(offer_id=offer.pk)
    first = with_places(Session.objects.filter(offer=OuterRef("pk"), is_cancelled=False, starts_at__gt=at)).filter(
        branches).order_by("starts_at", "id").values("id")[:1]
    ids = Offer.objects.filter(pk__in=[o.pk for o in offers]).annotate(next_id=Subquery(first)).values_list(
        "pk", "next_id")
    wanted = {next_id: pk for pk, next_id in ids if next_id is not None}
    return {wanted[s.pk]: s for s in with_places(Session.objects.filter(pk__in=list(wanted)))}


def upcoming_counts(offers, *, at: datetime.datetime | None = None) -> dict[int, int]:
    """For a page of offers, by offer id, how many sessions are to come (not cancelled): one query."""
    at = at or timezone.now()
    rows = (Session.objects.filter(offer__in=[o.pk for o in offers], is_cancelled=False, starts_at__gt=at)
            .order_by().values("offer").annotate(n=Count("id")).values_list("offer", "n"))
    return dict(rows)


def _with_labels(bookings: QuerySet) -> QuerySet:
    # The offer's communities: what relations_to reads for each booking's buttons (once for the page, not per row).
    return bookings.select_related("session__offer__organisation", "session__offer__person", "session__offer__place",
                                   "person", "person__home").prefetch_related("session__offer__communities")


def bookings_of(person) -> QuerySet:
    """A person's bookings ("my bookings"), the latest session first."""
    if person is None:
        return Booking.objects.none()
    return _with_labels(Booking.objects.filter(person=person)).order_by("-session__starts_at", "-id")


def provided_q(user) -> Q:
    """Bookings of the user's offers: their unit's, and their own as a member."""
    q = Q(session__offer__organisation__in=scopes.unit_ids(user))
    person = scopes.person_of(user)
    if person is not None:
        q |= Q(session__offer__person=person)
    return q


def bookings_for_provider(user, *, first_day: datetime.date, last_day: datetime.date) -> QuerySet:
    """The bookings of the user's offers (their unit's, their own) whose session is on those days (local time),
    with the person: what the provider's phone page lists to mark fulfilled or no-show. Cancelled, declined and
    lapsed bookings and the waiting list are left out."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, zone)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, zone)
    states = (*workflow.HOLDS_PLACE, workflow.S.FULFILLED, workflow.S.NO_SHOW)
    bookings = Booking.objects.filter(provided_q(user), state__in=states, session__starts_at__gte=start,
                                      session__starts_at__lt=end)
    return _with_labels(bookings).order_by("session__starts_at", "id")


def bookings_in_scope(user) -> QuerySet:
    """The bookings staff handle in their area (the person's home, or a community the offer serves)."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    return _with_labels(Booking.objects.filter(bookings_in_scope_q(user))).order_by("-session__starts_at", "-id")


def offers_managed_by(user) -> QuerySet:
    """The offers the user manages: their unit's, their own, those serving only communities of their area."""
    if not getattr(user, "is_authenticated", False):
        return Offer.objects.none()
    return Offer.objects.filter(offers_managed_q(user)).select_related("organisation", "person").order_by(
        "kind", "name", "id")


def timeline(booking: Booking) -> QuerySet:
    """The booking's events, oldest first."""
    return Event.objects.filter(subject_type="offers.booking", subject_id=str(booking.pk)).order_by("id")


def persons_bookable_by(user, offer: Offer) -> QuerySet:
    """The people the user may book this offer for (is_staff_for, as a filter, among those they may open): exactly
    whom booking_request accepts for `person` (its rules may still refuse, in words)."""
    people = scopes.persons_visible_to(user)
    served = offer.communities.all()
    if scopes.is_superuser(user) or any(scopes.covers_place(user, c, permissions.AREA_ROLES) for c in served):
        return people
    prefixes = scopes.place_prefixes(user, permissions.HOME_ROLES)
    return people.filter(within(prefixes, "home")) if prefixes else people.none()
