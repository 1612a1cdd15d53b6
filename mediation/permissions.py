"""Who reads a dispute, who records one, and who acts on it. A case is private: its mediators (at any level it
has had), staff whose area holds its place and superusers read it; anyone else is told it does not exist (404 on
pages and API, never 403). dispute_act (mediation.services), the pages and the API all ask here."""

from django.db.models import Exists, OuterRef, Q

from mediation import workflow
from mediation.models import LEVEL_ORDER, BuildingPair, Dispute, Mediator
from people import scopes
from people.models import Role, TeamMember
from places.models import PlaceKind
from places.selectors import within

STAFF_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF)
BUILDING_CODE_LENGTH = 21  # places.models.PLACE_RULES[BUILDING]: an entrance's code extends its building's


def building_code(place) -> str | None:
    """The code of the building holding the place (itself, or an entrance's building), or None."""
    if place is None:
        return None
    if place.kind == PlaceKind.BUILDING:
        return place.code
    if place.kind == PlaceKind.ENTRANCE:
        return place.code[:BUILDING_CODE_LENGTH]
    return None


def is_staff_for(user, place) -> bool:
    return scopes.covers_place(user, place, STAFF_ROLES)


def _mediator_q(user) -> Q:
    """Mediator rows that are this user: the account, the user's person, or a team the person leads."""
    q = Q(user=user)
    person = scopes.person_of(user)
    if person is not None:
        q |= Q(person=person) | Q(team__in=TeamMember.objects.filter(person=person, is_leader=True)
                                  .values("team_id"))
    return q


def is_mediator(user, dispute: Dispute) -> bool:
    if not getattr(user, "is_authenticated", False) or dispute.pk is None:
        return False
    return Mediator.objects.filter(_mediator_q(user), dispute=dispute).exists()


def may_read(user, dispute: Dispute) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return scopes.is_superuser(user) or is_staff_for(user, dispute.place) or is_mediator(user, dispute)


def may_receive(user, place) -> bool:
    """Staff of the area, or the building pair of the building holding the place (a building head records a
    dispute on a phone)."""
    if not getattr(user, "is_authenticated", False) or place is None:
        return False
    if scopes.is_superuser(user) or is_staff_for(user, place):
        return True
    code, person = building_code(place), scopes.person_of(user)
    return bool(code and person) and BuildingPair.objects.filter(
        Q(head=person) | Q(manager=person), building__code=code).exists()


def may_set_pair(user, building) -> bool:
    """Who records a building's pair: staff whose area holds the building."""
    return getattr(user, "is_authenticated", False) and is_staff_for(user, building)


def may_act(user, dispute: Dispute, action: str) -> bool:
    """The action leads somewhere from the dispute's stage, and the user reads the case (its mediators and staff
    act on it; the intake is dispute_receive's)."""
    if action == "receive" or workflow.next_state(dispute.state, action) is None:
        return False
    return may_read(user, dispute)


def actions_for(user, dispute: Dispute) -> list[str]:
    """The actions the user may take on the dispute now, as pages and the API offer them."""
    if not may_read(user, dispute):
        return []
    top = dispute.level == LEVEL_ORDER[-1]  # beyond the subdistrict: nowhere left to raise it
    return [action for action in workflow.actions_from(dispute.state)
            if may_act(user, dispute, action) and not (top and action == "escalate")]


def disputes_visible_q(user) -> Q:
    """The disputes the user may open (may_read, as a filter)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if scopes.is_superuser(user):
        return Q()
    q = Exists(Mediator.objects.filter(_mediator_q(user), dispute=OuterRef("pk")))
    prefixes = scopes.place_prefixes(user, STAFF_ROLES)
    if prefixes:
        q |= within(prefixes, "place")
    return q
