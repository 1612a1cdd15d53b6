"""What staff may choose for a need's actions — one rule each, used by the action (needs.actions), its form's
picker (needs.forms) and the suggestions on the need's page (needs.views):

- `dispatch_organisations`, `dispatch_members`: whom a need may be dispatched to (派单);
- `merge_targets`: which needs it may be merged into.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from needs import workflow
from needs.models import Need
from needs.selectors import placed_within
from people import scopes
from people.models import Organisation, OrganisationKind, PartyMembership, Person, Role
from people.selectors import co_building_units
from places.selectors import within

SUBDISTRICT_CODE_LENGTH = 9
MERGING_ROLES = (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN)


def dispatch_organisations(actor, need: Need) -> QuerySet:
    """The units a need may be dispatched to by the actor: the co-building units of the need's subdistrict (by an
    agreement in force or by dual reporting, people.selectors.co_building_units) and the organisations located in
    the actor's own area (its property company, its residents' committee …). Government departments only when
    the actor is the subdistrict (a community escalates — 吹哨 — instead). A superuser: every organisation."""
    if scopes.is_superuser(actor):
        return Organisation.objects.all()
    serving = Q(pk__in=co_building_units(need.place.code[:SUBDISTRICT_CODE_LENGTH]).values("pk")) | within(
        scopes.place_prefixes(actor), "place")
    departments = Q(kind=OrganisationKind.GOVERNMENT_DEPARTMENT)
    if scopes.covers_place(actor, need.place, (Role.SUBDISTRICT_ADMIN,)):
        return Organisation.objects.filter(serving | departments)
    return Organisation.objects.filter(serving).exclude(departments)


def dispatch_members(actor, need: Need) -> QuerySet:
    """The party members a need may be dispatched to by the actor: people with a party membership whose record
    the actor may open (they live or reported in the actor's area, or belong to the actor's unit)."""
    members = Person.objects.filter(Exists(PartyMembership.objects.filter(person=OuterRef("pk"))))
    return scopes.persons_visible_to(actor, members)


def merge_targets(actor, need: Need) -> QuerySet:
    """The needs this one may be merged into by the actor: any other need in the area of their staff roles that
    was not itself turned away (rejected or merged)."""
    needs = Need.objects.all() if scopes.is_superuser(actor) else Need.objects.filter(
        placed_within(scopes.place_prefixes(actor, MERGING_ROLES)))
    return needs.exclude(pk=need.pk).exclude(state__in=workflow.TURNED_AWAY)
