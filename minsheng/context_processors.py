from django.db.models import Q
from django.utils.functional import SimpleLazyObject

from core.models import InboxLine
from mediation import permissions as mediation
from mediation.models import BuildingPair, Dispute
from needs import selectors
from people import scopes
from people.models import Person


def roles(request):
    """The signed-in user's roles, for navigation; computed lazily so anonymous pages pay nothing."""
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": set(), "is_staff_user": False, "has_worklist": False, "has_person": False,
                "mediates": False, "unread_count": 0}
    user_roles = scopes.roles(user)
    return {"user_roles": user_roles, "is_staff_user": scopes.is_staff_user(user),
            "has_worklist": bool(selectors.queues_for(user)),
            # bookings and volunteer service are a person's: an account without one (most staff) has neither
            "has_person": SimpleLazyObject(lambda: Person.objects.filter(user=user).exists()),
            # the menu's 调解: a building's head or manager, or a mediator of a case (staff see it anyway)
            "mediates": SimpleLazyObject(lambda: _mediates(user)),
            # counted once, and only by a page that shows it (the header)
            "unread_count": SimpleLazyObject(
                lambda: InboxLine.objects.filter(user=user, read_at__isnull=True).count())}  # every app's


def _mediates(user) -> bool:
    return (BuildingPair.objects.filter(Q(head__user=user) | Q(manager__user=user)).exists()
            or Dispute.objects.filter(mediation.disputes_visible_q(user)).exists())
