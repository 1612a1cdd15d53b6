"""Who may manage an offer, what an actor is to a booking (relations_to), and who sees which offers and bookings.
booking_act (offers.services) and the pages and API ask here, so they offer exactly what the service allows."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from offers import rules, workflow
from offers.models import Booking, Offer
from people import scopes
from people.models import Role
from places.models import Place
from places.selectors import within

SYSTEM_USERNAME = "minsheng-system"  # needs.permissions.system_user's account: the sweeps act as it
AREA_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF)  # who manages the offers of the communities served
HOME_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER)  # who books for a resident


def is_system(user) -> bool:
    return getattr(user, "username", None) == SYSTEM_USERNAME and not user.has_usable_password()


def covers_communities(user, communities) -> bool:
    """Whether the user's area (community staff, subdistrict admin) holds every one of these communities."""
    communities = list(communities)
    return bool(communities) and all(scopes.covers_place(user, c, AREA_ROLES) for c in communities)


def may_provide(user, *, organisation=None, person=None) -> bool:
    """Whether the user speaks for this provider: an admin of the unit, or the member themself."""
    if organisation is not None and organisation.pk in scopes.unit_ids(user):
        return True
    return person is not None and person.user_id is not None and person.user_id == getattr(user, "pk", None)


def may_manage_offer(user, offer: Offer) -> bool:
    """The provider (unit admin, the member), staff whose area holds every community served, superusers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if scopes.is_superuser(user) or may_provide(user, organisation=offer.organisation, person=offer.person):
        return True
    return offer.pk is not None and covers_communities(user, offer.communities.all())


def _covers_home(user, person) -> bool:
    return person is not None and person.home_id is not None and scopes.covers_place(user, person.home, HOME_ROLES)


def is_staff_for(user, *, offer: Offer, person) -> bool:
    """Staff for this booking: superusers; staff whose area holds the person's home; community staff and
    subdistrict admins of a community the offer serves."""
    if scopes.is_superuser(user) or _covers_home(user, person):
        return True
    return any(scopes.covers_place(user, c, AREA_ROLES) for c in offer.communities.all())


def may_book_for_others(user, offer: Offer) -> bool:
    """Whether the user books this offer for someone else at all (a resident who phones): superusers, staff of a
    community it serves, and staff with residents of their own (their area: who exactly is persons_bookable_by)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (scopes.is_superuser(user) or bool(scopes.place_prefixes(user, HOME_ROLES))
            or any(scopes.covers_place(user, c, AREA_ROLES) for c in offer.communities.all()))


def relations_to(user, booking: Booking) -> set[str]:
    """What the user is to the booking: {"booker", "provider", "staff", "system"} as offers.workflow defines them."""
    relations: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return relations
    if is_system(user):
        relations.add("system")
    offer, person = booking.session.offer, booking.person
    if person is not None and person.user_id is not None and person.user_id == user.pk:
        relations.add("booker")
    if may_provide(user, organisation=offer.organisation, person=offer.person):
        relations.add("provider")
    if is_staff_for(user, offer=offer, person=person):
        relations.add("staff")
    return relations


def may_act(user, booking: Booking, action: str, relations: set[str] | None = None) -> bool:
    if workflow.next_state(booking.state, action) is None:
        return False
    relations = relations_to(user, booking) if relations is None else relations
    return bool(relations & workflow.ACTIONS[action].who)


def require_may_act(user, booking: Booking, action: str, relations: set[str] | None = None) -> None:
    if not may_act(user, booking, action, relations):
        raise PermissionDenied(_("You may not “%(action)s” this booking: your role or area does not allow it.")
                               % {"action": workflow.ACTIONS[action].label})


def refusal(booking: Booking, action: str, at, relations: set[str]) -> str | None:
    """Why the action is refused now: its guard (offers.workflow), and for a cancellation by the booker or staff
    the offer's cancellation notice (offers.rules) — the provider and the system are not bound by it."""
    if reason := workflow.refusal(booking, action, at):
        return reason
    if action == "cancel" and not relations & {"provider", "system"}:
        return rules.cancel_refusal(booking, at)
    return None


def actions_for(user, booking: Booking, at=None) -> list[str]:
    """The actions the user may take on the booking now, as pages and the API offer them."""
    at = at or timezone.now()
    relations = relations_to(user, booking)
    return [action for action in workflow.actions_from(booking.state)
            if not workflow.ACTIONS[action].system_only and may_act(user, booking, action, relations)
            and refusal(booking, action, at, relations) is None]


# --- Who sees what ---

def offers_visible_q(user) -> Q:
    """Offers the user may open: published ones, and the ones they manage."""
    q = Q(is_published=True)
    if not getattr(user, "is_authenticated", False):
        return q
    if scopes.is_superuser(user):
        return Q()  # (an empty Q would drop out of `q | …`)
    return q | offers_managed_q(user)


def offers_managed_q(user) -> Q:
    """Offers the user manages (may_manage_offer, as a filter)."""
    if scopes.is_superuser(user):
        return Q()
    q = Q(organisation__in=scopes.unit_ids(user))
    person = scopes.person_of(user)
    if person is not None:
        q |= Q(person=person)
    prefixes = scopes.place_prefixes(user, AREA_ROLES)
    if prefixes:
        # Every community served is inside the user's area: no community served outside it.
        outside = Offer.communities.through.objects.filter(offer=OuterRef("pk")).exclude(
            Exists(Place.objects.filter(within(prefixes), pk=OuterRef("place_id"))))
        served = Offer.communities.through.objects.filter(offer=OuterRef("pk"))
        q |= Exists(served) & ~Exists(outside)
    return q


def bookings_in_scope_q(user) -> Q:
    """Bookings the user handles as staff (is_staff_for, as a filter)."""
    if scopes.is_superuser(user):
        return Q()
    q = Q(pk__in=[])
    home_prefixes = scopes.place_prefixes(user, HOME_ROLES)
    if home_prefixes:
        q |= within(home_prefixes, "person__home")
    area_prefixes = scopes.place_prefixes(user, AREA_ROLES)
    if area_prefixes:
        q |= Exists(Offer.communities.through.objects.filter(offer=OuterRef("session__offer")).filter(
            Exists(Place.objects.filter(within(area_prefixes), pk=OuterRef("place_id")))))
    return q


def bookings_visible(user) -> QuerySet:
    """Every booking the user may open: their own, those they made for someone, their offers', their area's."""
    if scopes.is_superuser(user):
        return Booking.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    q = Q(booked_by=user) | Q(session__offer__organisation__in=scopes.unit_ids(user)) | bookings_in_scope_q(user)
    person = scopes.person_of(user)
    if person is not None:
        q |= Q(person=person) | Q(session__offer__person=person)
    return Booking.objects.filter(q)
