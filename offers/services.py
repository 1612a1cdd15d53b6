"""Every write to offers, sessions, eligibility and bookings. A booking's steps all go through `booking_act`
(lock, state, who may, guard, change, event, notification, in one transaction); `booking_request` makes a new
one after the offer's rules (offers.rules) let it through, with the session's row locked so that its last place
goes to exactly one request; a place freed by a cancellation, a decline or a lapse goes to the first on the
waiting list in the same transaction (`offer_place`, held for OFFERS_PLACE_HOLD_HOURS).

Where things are: the lifecycle and each action's record in offers.workflow, the rules in offers.rules, who may
in offers.permissions, what each action changes in offers.actions, the notifications in offers.notify.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import event_append, event_time, verbs_declare
from core.services import require, validated
from needs.permissions import system_user
from offers import actions, permissions, rules, workflow
from offers.models import Booking, Confirmation, Eligibility, EligibilityGroup, Offer, OfferKind, Session
from offers.notify import notify
from people import scopes
from people.models import PersonalDataAccess
from places.models import Place, PlaceKind

verbs_declare({f"booking.{action}": f"the bookings workflow's action “{action}” (offers.workflow)"
               for action in workflow.ACTIONS})
verbs_declare({
    "offer_create": "an offer put on the offers list (实事清单), with its booking rules",
    "offer_update": "an offer's details or booking rules changed",
    "session_create": "a bookable session of an offer added (one-off, or one slot of a recurring schedule)",
    "session_cancel": "a session cancelled (its bookings cancelled, each with its own event)",
    "eligibility_record": "that a person belongs to an eligible group recorded (e.g. after seeing a 残疾人证)",
    "eligibility_remove": "a person's eligibility removed",
    "booking_contact_reveal": "the provider or staff were shown the full name and phone of the person booked "
                              "(to pick them up, to call them); also in people's PersonalDataAccess",
})

OFFER_FIELDS = ("kind", "name", "communities", "organisation", "person", "description", "place", "eligibility",
                "residents_only", "min_notice_hours", "horizon_days", "cancel_notice_hours", "per_person_limit",
                "per_person_days", "confirmation", "no_show_limit", "bookable", "is_published")
SERVED_KINDS = (PlaceKind.COMMUNITY, PlaceKind.SUBDISTRICT)  # what an offer may serve
REPEAT_MAX = 400  # sessions one sessions_repeat may make
SEATS_MAX = 100  # places one booking may take


class BookingConflict(Exception):
    """The booking moved on before this action: already cancelled, the place already taken … (HTTP 409)."""

    def __init__(self, message: str, *, state: str = ""):
        super().__init__(message)
        self.message, self.state = message, state


# --- Offers and their sessions ---

def _communities(value) -> list[Place]:
    if isinstance(value, Place):
        value = [value]
    try:
        communities = list(value or [])
    except TypeError:
        communities = None
    if not communities or not all(isinstance(c, Place) for c in communities):
        raise ValidationError({"communities": _("Choose the communities the offer serves.")})
    wrong = [c.name for c in communities if c.kind not in SERVED_KINDS]
    if wrong:
        raise ValidationError({"communities": _("An offer serves communities (or a whole subdistrict): “%(names)s” "
                                                "is neither.") % {"names": "、".join(wrong)}})
    return communities


def _may_offer(actor, *, organisation, person, communities) -> bool:
    return (scopes.is_superuser(actor) or permissions.may_provide(actor, organisation=organisation, person=person)
            or permissions.covers_communities(actor, communities))


def _offer_data(offer: Offer, names) -> dict:
    data = {}
    for name in names:
        if name == "communities":
            data[name] = sorted(c.code for c in offer.communities.all())
        elif name in ("organisation", "person", "place"):
            data[name] = getattr(offer, f"{name}_id")
        else:
            data[name] = getattr(offer, name)
    return data


@transaction.atomic
def offer_create(*, actor, kind: str, name: str, communities, organisation=None, person=None, description: str = "",
                 place=None, eligibility=(), residents_only: bool = True, min_notice_hours: int = 0,
                 horizon_days: int = 30, cancel_notice_hours: int = 0, per_person_limit: int | None = None,
                 per_person_days: int = 30, confirmation: str = Confirmation.AUTOMATIC,
                 no_show_limit: int | None = None, bookable: bool = True, is_published: bool = False) -> Offer:
    """An offer of a unit (organisation) or a member (person): by an admin of the unit, the member themself, or
    staff whose area holds every community served."""
    communities = _communities(communities)
    require(_may_offer(actor, organisation=organisation, person=person, communities=communities),
            _("You may list offers for your own unit, yourself, or the communities of your area."))
    offer = validated(Offer(kind=kind, name=name, organisation=organisation, person=person, description=description,
                            place=place, eligibility=list(eligibility or []), residents_only=residents_only,
                            min_notice_hours=min_notice_hours, horizon_days=horizon_days,
                            cancel_notice_hours=cancel_notice_hours, per_person_limit=per_person_limit,
                            per_person_days=per_person_days, confirmation=confirmation, no_show_limit=no_show_limit,
                            bookable=bookable, is_published=is_published))
    offer.save()
    offer.communities.set(communities)
    event_append(actor=actor, verb="offer_create", subject=offer,
                 data=_offer_data(offer, [f for f in OFFER_FIELDS if f not in ("name", "description")]))
    return offer


@transaction.atomic
def offer_update(*, actor, offer: Offer, **changes) -> Offer:
    unknown = sorted(set(changes) - set(OFFER_FIELDS))
    if unknown:
        raise ValidationError({name: _("An offer has no field “%(field)s”.") % {"field": name} for name in unknown})
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    require(permissions.may_manage_offer(actor, offer), _("You may only change offers you manage."))
    communities = _communities(changes.pop("communities")) if "communities" in changes else None
    changed = [f for f, v in changes.items() if getattr(offer, f) != v]
    for field in changed:
        setattr(offer, field, changes[field])
    if communities is not None and {c.pk for c in communities} != set(offer.communities.values_list("pk", flat=True)):
        changed.append("communities")
    if not changed:
        return offer
    if {"organisation", "person", "communities"} & set(changed):
        require(_may_offer(actor, organisation=offer.organisation, person=offer.person,
                           communities=communities or list(offer.communities.all())),
                _("You may list offers for your own unit, yourself, or the communities of your area."))
    if "eligibility" in changed:
        offer.eligibility = list(offer.eligibility or [])
    validated(offer).save()
    if communities is not None:
        offer.communities.set(communities)
    event_append(actor=actor, verb="offer_update", subject=offer,
                 data=_offer_data(offer, [f for f in changed if f not in ("name", "description")])
                 | {"fields": sorted(changed)})
    return offer


def _session(offer: Offer, *, starts_at, ends_at, capacity, note) -> Session:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            raise ValidationError({name: _("Give a date and time.")})
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise ValidationError({"capacity": _("A session has from 1 to 10,000 places.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session ends after it starts.")})
    return validated(Session(offer=offer, starts_at=starts_at, ends_at=ends_at, capacity=capacity, note=note or ""),
                     exclude=["offer"])


def _session_event(actor, session: Session, **extra):
    event_append(actor=actor, verb="session_create", subject=session,
                 data={"offer": session.offer_id, "starts_at": session.starts_at.isoformat(),
                       "ends_at": session.ends_at.isoformat(), "capacity": session.capacity, **extra})


@transaction.atomic
def session_create(*, actor, offer: Offer, starts_at, ends_at, capacity: int = 1, note: str = "") -> Session:
    require(permissions.may_manage_offer(actor, offer), _("You may only add sessions to offers you manage."))
    session = _session(offer, starts_at=starts_at, ends_at=ends_at, capacity=capacity, note=note)
    session.save()
    _session_event(actor, session)
    return session


@transaction.atomic
def sessions_repeat(*, actor, offer: Offer, weekdays: list[int], start: datetime.time, end: datetime.time,
                    first_day: datetime.date, last_day: datetime.date, capacity: int = 1,
                    note: str = "") -> list[Session]:
    """The recurring slots of an offer, each occurrence its own Session (so each has its own places and bookings):
    on the weekdays (0 = Monday) from first_day to last_day, from `start` to `end` local time."""
    require(permissions.may_manage_offer(actor, offer), _("You may only add sessions to offers you manage."))
    if not isinstance(weekdays, list | tuple | set) or not weekdays or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": _("Choose the weekdays (Monday to Sunday).")})
    if not isinstance(start, datetime.time) or not isinstance(end, datetime.time):
        raise ValidationError({"start": _("Give the times the slot starts and ends.")})
    if end <= start:
        raise ValidationError({"end": _("A session ends after it starts.")})
    if not isinstance(first_day, datetime.date) or not isinstance(last_day, datetime.date) or last_day < first_day:
        raise ValidationError({"last_day": _("The last day is on or after the first day.")})
    days = [first_day + datetime.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    days = [d for d in days if d.weekday() in set(weekdays)]
    if len(days) > REPEAT_MAX:
        raise ValidationError({"last_day": _("At most %(max)d sessions at once (these dates make %(count)d): choose "
                                             "a shorter period.") % {"max": REPEAT_MAX, "count": len(days)}})
    if not days:
        raise ValidationError({"weekdays": _("None of the chosen weekdays falls between the first and last day.")})
    zone = timezone.get_current_timezone()
    made = []
    for day in days:
        session = _session(offer, starts_at=datetime.datetime.combine(day, start, zone),
                           ends_at=datetime.datetime.combine(day, end, zone), capacity=capacity, note=note)
        session.save()
        _session_event(actor, session, repeat=True)
        made.append(session)
    return made


def session_cancel(*, actor, session: Session, reason: str, at=None) -> Session:
    """Cancel a session: each of its active bookings is cancelled (with its event and notice to the booker)."""
    require(permissions.may_manage_offer(actor, session.offer), _("You may only cancel sessions of offers you "
                                                                  "manage."))
    reason = actions.text(reason, "reason", required=True,
                          message=_("Say why the session is cancelled: the people booked read it."))
    at = event_time(at)
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("offer").get(pk=session.pk)
        require(permissions.may_manage_offer(actor, session.offer), _("You may only cancel sessions of offers you "
                                                                      "manage."))
        if session.is_cancelled:
            raise BookingConflict(_("This session was already cancelled."))
        session.is_cancelled = True
        session.save(update_fields=["is_cancelled"])
        event_append(actor=actor, verb="session_cancel", subject=session, at=at,
                     data={"offer": session.offer_id, "reason": reason})
        # Whoever manages the offer speaks for its provider here: the booker's cancellation notice binds nobody.
        for booking in Booking.objects.select_for_update().filter(session=session, state__in=workflow.ACTIVE):
            booking.session = session
            _step(actor, booking, "cancel", at, {"reason": reason}, relations={"provider"})
    return session


# --- Eligibility ---

def _may_record_eligibility(actor, person) -> bool:
    return scopes.is_superuser(actor) or (
        person.home_id is not None and scopes.covers_place(actor, person.home, permissions.HOME_ROLES))


@transaction.atomic
def eligibility_record(*, actor, person, group: str, note: str = "") -> Eligibility:
    require(_may_record_eligibility(actor, person), _("Only the staff of the person's own area record eligibility."))
    if group not in EligibilityGroup.values:
        raise ValidationError({"group": _("Choose a group from the list.")})
    if Eligibility.objects.filter(person=person, group=group).exists():
        raise ValidationError({"group": _("This is already on record.")})
    eligibility = validated(Eligibility(person=person, group=group, note=actions.text(note, "note", required=False,
                                                                                       limit=200),
                                        recorded_by=actor, recorded_at=timezone.now()))
    eligibility.save()
    event_append(actor=actor, verb="eligibility_record", subject=eligibility, data={"person": person.pk,
                                                                                    "group": group})
    return eligibility


@transaction.atomic
def eligibility_remove(*, actor, eligibility: Eligibility) -> None:
    require(_may_record_eligibility(actor, eligibility.person),
            _("Only the staff of the person's own area record eligibility."))
    event_append(actor=actor, verb="eligibility_remove", subject=eligibility,
                 data={"person": eligibility.person_id, "group": eligibility.group})
    eligibility.delete()


# --- Bookings ---

def _refuse_state(booking: Booking, action: str):
    raise BookingConflict(_("This booking is now “%(state)s”: “%(action)s” is no longer possible.")
                          % {"state": booking.get_state_display(), "action": workflow.ACTIONS[action].label},
                          state=booking.state)


def held_seats(session: Session) -> int:
    return Booking.objects.filter(session=session, state__in=workflow.HOLDS_PLACE).aggregate(
        n=Sum("seats"))["n"] or 0


def _step(actor, booking: Booking, action: str, at, fields: dict, relations: set[str] | None = None) -> Booking:
    """One action on a locked booking (its session locked first): state, who may, guard, change, event, notice."""
    before = booking.state
    after = workflow.next_state(before, action)
    if after is None:
        _refuse_state(booking, action)
    if relations is None:
        relations = permissions.relations_to(actor, booking)
        permissions.require_may_act(actor, booking, action, relations)
    if reason := permissions.refusal(booking, action, at, relations):
        raise ValidationError(reason)
    data = actions.APPLY[action](actions.Step(booking=booking, actor=actor, at=at, relations=relations), **fields)
    booking.state, booking.changed_at = after, at
    if before == workflow.NEW:
        booking.created_at = at
    booking.save()
    event_append(actor=actor, verb=f"booking.{action}", subject=booking, at=at,
                 data={"from": before or None, "to": after, "session": booking.session_id,
                       "person": booking.person_id, **data})
    notify(booking=booking, action=action, actor=actor, at=at)
    return booking


def _confirm_if_automatic(booking: Booking, at):
    if booking.state == workflow.S.REQUESTED and booking.session.offer.confirmation == Confirmation.AUTOMATIC:
        _step(system_user(), booking, "confirm", at, {})


def _fill(session: Session, at):
    """Offer the session's free places to those waiting, first come first: each gets the place held for
    OFFERS_PLACE_HOLD_HOURS (at most until the start). The session's row is locked by the caller."""
    if session.is_cancelled or at >= session.starts_at:
        return
    free = session.capacity - held_seats(session)
    if free <= 0:
        return
    until = min(at + datetime.timedelta(hours=settings.OFFERS_PLACE_HOLD_HOURS), session.starts_at)
    system = None
    waiting = Booking.objects.select_for_update(of=("self",)).filter(
        session=session, state__in=workflow.QUEUED).select_related("person").order_by("created_at", "id")
    for booking in waiting:
        if booking.seats > free:
            continue
        booking.session = session
        system = system or system_user()
        _step(system, booking, "offer_place", at, {"until": until})
        free -= booking.seats
        if free <= 0:
            break


def _seats(seats) -> int:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= SEATS_MAX:
        raise ValidationError({"seats": _("Book from 1 to %(max)d places.") % {"max": SEATS_MAX}})
    return seats


def booking_request(*, actor, session: Session, person=None, seats: int = 1, note: str = "", at=None) -> Booking:
    """Book a place of the session for `person` (None: the actor themself; someone else: staff of their area or of
    the communities served, booking for a resident who phones). The offer's rules are checked first and a refusal
    says what is possible instead; a free place → requested (and confirmed at once when the offer confirms
    automatically), none → on the waiting list. Nothing is written when it is refused."""
    seats = _seats(seats)
    note = actions.text(note, "note", required=False)
    at = event_time(at)
    own = scopes.person_of(actor)
    if person is None:
        person = own
    elif own is None or person.pk != own.pk:
        # Someone whose record the actor may not open is refused as one the actor may not book for.
        if not (scopes.can_view_person(actor, person)
                and permissions.is_staff_for(actor, offer=session.offer, person=person)):
            raise PermissionDenied(_("Only the staff of the person's area, or of a community the offer serves, "
                                     "book for someone else."))
    with transaction.atomic():
        # The lock that decides who gets the last place: the session's row (PostgreSQL) or the IMMEDIATE
        # transaction's write lock (SQLite). Whatever is counted below cannot move until the commit.
        session = Session.objects.select_for_update(of=("self",)).select_related("offer").get(pk=session.pk)
        if refusal := rules.booking_refusal(offer=session.offer, session=session, person=person, at=at, seats=seats):
            raise ValidationError(refusal)
        booking = Booking(session=session, person=person, booked_by=actor if actor.is_authenticated else None,
                          state=workflow.NEW, seats=seats, note=note, created_at=at, changed_at=at)
        free = session.capacity - held_seats(session)
        action = "request" if free >= seats else "join_waitlist"
        _step(actor, booking, action, at, {})
        _confirm_if_automatic(booking, at)
    return booking


def booking_act(*, actor, booking: Booking, action: str, at=None, **fields) -> Booking:
    """Take `action` on the booking as `actor`; return it as it is afterwards. Raises PermissionDenied (role),
    ValidationError (fields or a guard: the words say why and what is possible), BookingConflict (it moved on)."""
    if action not in workflow.ACTIONS or action in ("request", "join_waitlist"):
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    unknown = sorted(set(fields) - actions.FIELDS[action])
    if unknown:
        raise ValidationError({name: _("“%(action)s” takes no field “%(field)s”.")
                               % {"action": workflow.ACTIONS[action].label, "field": name} for name in unknown})
    at = event_time(at)
    committed = Booking.objects.filter(pk=booking.pk).values_list("state", "session_id").first()
    if committed is None:
        raise Booking.DoesNotExist
    if workflow.next_state(committed[0], action) is None:
        booking.state = committed[0]
        _refuse_state(booking, action)
    with transaction.atomic():
        # Lock order everywhere: the session, then its bookings.
        session = Session.objects.select_for_update(of=("self",)).select_related(
            "offer__organisation", "offer__person").get(pk=committed[1])
        booking = Booking.objects.select_for_update(of=("self",)).select_related("person", "person__home").get(
            pk=booking.pk)
        booking.session = session
        before = booking.state
        _step(actor, booking, action, at, fields)
        if action == "take_place":
            _confirm_if_automatic(booking, at)
        if before in workflow.HOLDS_PLACE and booking.state not in workflow.HOLDS_PLACE:
            _fill(session, at)
    return booking


# --- Reads that are logged ---

def booking_contact_reveal(*, actor, booking: Booking, reason: str = "") -> tuple[str, str]:
    """The full name and phone of the person booked, for the provider (to pick them up) and the staff of the
    booking (to call them); each view logged in PersonalDataAccess (the person's record shows who saw it) and as
    an event of the booking."""
    booking = Booking.objects.select_related("person", "session__offer").get(pk=booking.pk)
    if not permissions.relations_to(actor, booking) & {"provider", "staff"}:
        raise PermissionDenied(_("Only the provider and the staff of this booking see the full name and phone."))
    reason = (reason or _("booking #%(id)s") % {"id": booking.pk})[:200]
    person = booking.person
    with transaction.atomic():
        PersonalDataAccess.objects.create(viewer=actor, person=person, fields="name,phone", reason=reason)
        event_append(actor=actor, verb="booking_contact_reveal", subject=booking,
                     data={"person": person.pk, "fields": "name,phone", "reason": reason})
    return person.name, person.phone


# --- One typed face per action a person takes (the system's: offer_place, lapse, remind — offers.tasks) ---

def booking_confirm(*, actor, booking: Booking, at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="confirm", at=at)


def booking_decline(*, actor, booking: Booking, reason: str, at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="decline", at=at, reason=reason)


def booking_cancel(*, actor, booking: Booking, reason: str = "", at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="cancel", at=at, reason=reason)


def booking_fulfil(*, actor, booking: Booking, at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="fulfil", at=at)


def booking_mark_no_show(*, actor, booking: Booking, at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="mark_no_show", at=at)


def booking_take_place(*, actor, booking: Booking, at=None) -> Booking:
    return booking_act(actor=actor, booking=booking, action="take_place", at=at)


__all__ = ["OfferKind", "BookingConflict", "offer_create", "offer_update", "session_create", "sessions_repeat",
           "session_cancel", "eligibility_record", "eligibility_remove", "booking_request", "booking_act",
           "booking_confirm", "booking_decline", "booking_cancel", "booking_fulfil", "booking_mark_no_show",
           "booking_take_place", "booking_contact_reveal", "held_seats"]
