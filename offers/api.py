"""The offers list and bookings in the API (/api/v1/offers, /api/v1/bookings): the same selectors, rules and
booking_act as the pages.

Errors: 403 an action the caller may not take on a booking they may read, 404 not visible, 409 the booking moved
on (already cancelled …), 422 field errors and the booking rules' refusals (the words say what is possible
instead: "需至少提前24小时预约，最早可预约：12月3日 09:00").
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from core.api import Body, Detail, FieldErrors, Id, Offset, refused
from core.pagination import keyset_page
from offers import rules, selectors, workflow
from offers.models import Booking, BookingState, Confirmation, EligibilityGroup, Offer, OfferKind, Session
from offers.permissions import actions_for, bookings_in_scope_q, bookings_visible, offers_visible_q
from offers.services import SEATS_MAX, BookingConflict, booking_act, booking_request
from offers.views import public_description
from people import scopes
from people.api import caller
from people.masking import mask_name
from places.api import CODE

offers_router = Router(tags=["offers"])
bookings_router = Router(tags=["bookings"])
SESSIONS_SHOWN = 100  # upcoming sessions in an offer's detail


# --- Offers ---

class CommunityOut(Schema):
    code: str
    name: str


class OfferOut(Schema):
    """An offer and its booking rules, as anyone reads them: no personal data (a member providing it is masked)."""

    id: int
    kind: OfferKind
    name: str
    description: str
    provider: str = Field(description="the unit, or the member (masked)")
    communities: list[CommunityOut]
    place: str | None = Field(description="where the sessions take place (a place's name); null: it comes to you")
    bookable: bool
    eligibility: list[EligibilityGroup] = Field(description="empty: anyone may book")
    residents_only: bool
    min_notice_hours: int
    horizon_days: int
    cancel_notice_hours: int
    per_person_limit: int | None
    per_person_days: int
    confirmation: Confirmation
    no_show_limit: int | None
    is_published: bool

    @staticmethod
    def resolve_description(offer, context):
        # As the offer's page shows it: without phones, rooms and a member's name, unless the caller manages it.
        return public_description(offer, context["request"].user)

    @staticmethod
    def resolve_provider(offer):
        if offer.organisation_id:
            return offer.organisation.name
        return mask_name(offer.person.name) if offer.person_id else ""

    @staticmethod
    def resolve_communities(offer):
        return [{"code": c.code, "name": c.name} for c in offer.communities.all()]

    @staticmethod
    def resolve_place(offer):
        return offer.place.name if offer.place_id else None

    @staticmethod
    def resolve_eligibility(offer):
        return [g for g in offer.eligibility or [] if g in EligibilityGroup.values]


class SessionOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    free: int = Field(description="places free now; 0: a booking joins the waiting list")
    waiting: int = Field(description="places asked for on the waiting list")
    note: str


class OfferDetailOut(OfferOut):
    earliest_start: datetime.datetime = Field(description="the earliest start the minimum notice allows now")
    sessions: list[SessionOut] = Field(description=f"the next {SESSIONS_SHOWN} sessions, not cancelled")

    @staticmethod
    def resolve_earliest_start(offer):
        return rules.earliest_start(offer, timezone.now())

    @staticmethod
    def resolve_sessions(offer):
        return list(selectors.sessions_with_places(offer)[:SESSIONS_SHOWN])


class OfferPage(Schema):
    items: list[OfferOut]
    next: int | None = Field(None, description="pass as `before` to get the next page")


class OfferFilters(Schema):
    community: str | None = Field(None, pattern=CODE, description="a community's code: the offers serving it")
    kind: OfferKind | None = None
    q: str = Field("", max_length=50, description="words of the title, or its pinyin (jiesong, js)")
    before: Id | None = Field(None, description="keyset cursor: only offers with a smaller id")
    limit: int = Field(50, ge=1, le=200)



def _offers(request):
    return Offer.objects.filter(offers_visible_q(caller(request))).select_related(
        "organisation", "person", "place").prefetch_related("communities")


def _offer(request, pk: int) -> Offer:
    offer = _offers(request).filter(pk=pk).first()
    if offer is None:
        raise Http404(f"找不到编号为 {pk} 的实事项目 / No offer {pk} is visible to you")
    return offer


# Public, as the offers' pages are: a visitor reads what the public list and an offer's page show.
@offers_router.get("", response={200: OfferPage, 401: Detail}, auth=None,
                   summary="The offers list (实事清单): published offers, newest first (public)")
def offer_list(request, filters: Query[OfferFilters]):
    caller(request)
    offers = selectors.offers_public(community=filters.community, kind=filters.kind or "", q=filters.q)
    offers = offers.prefetch_related("communities").order_by("-id")
    page = keyset_page(offers, filters.before, filters.limit)
    return {"items": page.object_list, "next": page.next_before}


@offers_router.get("/{int:offer_id}", response={200: OfferDetailOut, 401: Detail, 404: Detail}, auth=None,
                   summary="One offer with its upcoming sessions and free places (public; an unpublished one: "
                           "those who manage it)")
def offer_detail(request, offer_id: Id):
    return _offer(request, offer_id)


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


class SessionFilters(Schema):
    starts_from: datetime.date | None = Field(None, description="only sessions starting on or after this day")
    starts_until: datetime.date | None = Field(None, description="only sessions starting on or before this day")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


@offers_router.get("/{int:offer_id}/sessions", response={200: SessionPage, 401: Detail, 404: Detail}, auth=None,
                   summary="An offer's upcoming sessions with their free places, soonest first (public, as the "
                           "offer)")
def offer_sessions(request, offer_id: Id, filters: Query[SessionFilters]):
    sessions = selectors.sessions_with_places(_offer(request, offer_id))
    if filters.starts_from:
        sessions = sessions.filter(starts_at__date__gte=filters.starts_from)
    if filters.starts_until:
        sessions = sessions.filter(starts_at__date__lte=filters.starts_until)
    return {"count": sessions.count(), "items": list(sessions[filters.offset:filters.offset + filters.limit])}


# --- Bookings ---

class BookingIn(Body):
    session: Id = Field(description="the session's id (GET /api/v1/offers/{id})")
    person: Id | None = Field(None, description="staff booking for a resident who phones: the resident's person id; "
                                                "leave out to book for yourself")
    seats: int = Field(1, ge=1, le=SEATS_MAX)
    note: str = Field("", max_length=300, description="e.g. where to be picked up: the provider and staff read it")


class EventOut(Schema):
    at: datetime.datetime
    action: str
    from_state: str | None
    to_state: str | None


class BookingOut(Schema):
    id: int
    offer: int
    offer_name: str
    session: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    state: BookingState
    seats: int
    person: str = Field(description="whom it is for: masked unless the caller may read the full name")
    note: str
    reason: str
    created_at: datetime.datetime
    offered_until: datetime.datetime | None = Field(description="a place offered from the waiting list: held until")
    actions: list[str] = Field(description="the actions this caller may take now")

    @staticmethod
    def resolve_offer(booking):
        return booking.session.offer_id

    @staticmethod
    def resolve_session(booking):
        return booking.session_id

    @staticmethod
    def resolve_offer_name(booking):
        return booking.session.offer.name

    @staticmethod
    def resolve_starts_at(booking):
        return booking.session.starts_at

    @staticmethod
    def resolve_ends_at(booking):
        return booking.session.ends_at

    @staticmethod
    def resolve_person(booking, context):
        request = context["request"]
        full = getattr(request, "offers_full_names", None)  # a page's, read at once (_read_full_names)
        if (booking.person_id in full if full is not None
                else scopes.can_view_full_personal_data(request.user, booking.person)):
            return booking.person.name
        return mask_name(booking.person.name)

    @staticmethod
    def resolve_actions(booking, context):
        return actions_for(context["request"].user, booking)


class BookingDetailOut(BookingOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(booking):
        return [{"at": e.at, "action": e.verb.removeprefix("booking."), "from_state": e.data.get("from"),
                 "to_state": e.data.get("to")} for e in selectors.timeline(booking)]


class BookingPage(Schema):
    items: list[BookingOut]
    next: int | None = Field(None, description="pass as `before` to get the next page")


class BookingFilters(Schema):
    of: Literal["mine", "provider", "scope"] | None = Field(
        None, description="mine: booked for me; provider: my unit's (or my own) offers'; scope: my area's as staff; "
                          "leave out for all I may read")
    state: BookingState | None = None
    before: Id | None = Field(None, description="keyset cursor: only bookings with a smaller id")
    limit: int = Field(50, ge=1, le=200)


class ConflictOut(Detail):
    state: str


def _labelled(bookings):
    # What relations_to reads for each booking's actions: the offer's provider and communities, the person's home.
    return bookings.select_related("session__offer__organisation", "session__offer__person", "person",
                                   "person__home").prefetch_related("session__offer__communities")


def _visible(request, pk) -> Booking:
    booking = _labelled(bookings_visible(request.user)).filter(pk=pk).first()
    if booking is None:
        raise Http404(f"找不到编号为 {pk} 的预约 / No booking {pk} is visible to you")
    return booking


@bookings_router.post("", response={201: BookingDetailOut, 403: Detail, 422: FieldErrors},
                      summary="Book a session (for yourself, or as staff for a resident who phones)")
def booking_create(request, payload: BookingIn):
    session = Session.objects.filter(pk=payload.session, offer__in=Offer.objects.filter(
        offers_visible_q(request.user))).select_related("offer").first()
    if session is None:
        return refused(ValidationError({"session": "找不到该场次 / No such session"}))
    person = None
    if payload.person is not None:
        person = scopes.persons_visible_to(request.user).filter(pk=payload.person).first()
        if person is None:
            return refused(ValidationError({"person": "找不到该人员 / No such person"}))
    try:
        booking = booking_request(actor=request.user, session=session, person=person, seats=payload.seats,
                                  note=payload.note)
    except ValidationError as error:
        return refused(error)
    return Status(201, _labelled(Booking.objects).get(pk=booking.pk))


@bookings_router.get("", response=BookingPage, summary="Bookings: mine, my offers', my area's (newest first)")
def booking_list(request, filters: Query[BookingFilters]):
    bookings = bookings_visible(request.user)
    if filters.of == "mine":
        person = scopes.person_of(request.user)
        bookings = bookings.filter(person=person) if person else bookings.none()
    elif filters.of == "provider":
        bookings = bookings.filter(selectors.provided_q(request.user))
    elif filters.of == "scope":
        bookings = bookings.filter(bookings_in_scope_q(request.user))
    if filters.state:
        bookings = bookings.filter(state=filters.state)
    page = keyset_page(_labelled(bookings).order_by("-id"), filters.before, filters.limit)
    _read_full_names(request, page.object_list)
    return {"items": page.object_list, "next": page.next_before}


def _read_full_names(request, bookings) -> None:
    """Whose full name the caller reads on this page (scopes.can_view_full_personal_data, for the page in one
    query): their own, and the people on record they may open as staff."""
    user = request.user
    full = {b.person_id for b in bookings if b.person.user_id and b.person.user_id == user.pk}
    if scopes.is_superuser(user) or scopes.roles(user) & set(scopes.STAFF_ROLES):
        full |= set(scopes.persons_visible_to(user).filter(pk__in={b.person_id for b in bookings}).values_list(
            "pk", flat=True))
    request.offers_full_names = full


@bookings_router.get("/{int:booking_id}", response={200: BookingDetailOut, 404: Detail},
                     summary="One booking with its events")
def booking_detail(request, booking_id: Id):
    return _visible(request, booking_id)


def _act(request, booking_id: Id, action: str, fields: dict):
    booking = _visible(request, booking_id)  # booking_act reads it again, under its lock
    try:
        booking_act(actor=request.user, booking=booking, action=action, **fields)
    except BookingConflict as conflict:
        return Status(409, {"detail": conflict.message, "state": conflict.state})
    except ValidationError as error:
        return refused(error)
    return Status(200, _labelled(Booking.objects).get(pk=booking.pk))


ACTION_RESPONSES = {200: BookingDetailOut, 403: Detail, 404: Detail, 409: ConflictOut, 422: FieldErrors}
# What a person takes on a booking that exists; booking (request / join_waitlist) is POST /bookings.
API_ACTIONS = [name for name, record in workflow.ACTIONS.items()
               if not record.system_only and name not in ("request", "join_waitlist")]


def _action_endpoint(action: str, fields: type[Schema] | None):
    """One endpoint per action, its body the action's own schema: only its fields reach booking_act."""
    if fields is None:
        def endpoint(request, booking_id: Id):
            return _act(request, booking_id, action, {})
    else:
        def endpoint(request, booking_id: Id, payload: fields):
            return _act(request, booking_id, action, payload.dict(exclude_none=True))
    endpoint.__name__ = f"booking_{action}"
    return endpoint


for _name in API_ACTIONS:
    _record = workflow.ACTIONS[_name]
    bookings_router.post(f"/{{int:booking_id}}/actions/{_name}", response=ACTION_RESPONSES,
                         operation_id=f"booking_{_name}",
                         summary=f"{_record.label} ({_name})")(_action_endpoint(_name, _record.fields))


@bookings_router.post("/{int:booking_id}/actions/{action}", response={404: Detail}, summary="Any other action: 404",
                      include_in_schema=False)
def booking_action_unknown(request, booking_id: Id, action: str):
    raise Http404(f"未知操作 {action} / Unknown action {action}")
