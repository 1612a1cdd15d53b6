"""Who may see and change what: every role's scope, as predicates (rules) and queryset filters.

Place scopes are code prefixes: a community's staff see everything whose place code starts with
the community's code. Pages, API and services all ask here; nothing else decides scope.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from people.models import MemberReport, Organisation, PartyMembership, Person, Role, RoleAssignment
from places.selectors import within

PLACE_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER)
STAFF_ROLES = (*PLACE_ROLES, Role.UNIT_ADMIN)


def assignments(user) -> list[RoleAssignment]:
    """The user's role assignments, read once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if not hasattr(user, "_minsheng_assignments"):
        user._minsheng_assignments = list(
            RoleAssignment.objects.filter(user=user).select_related("place", "organisation"))
    return user._minsheng_assignments


def person_of(user) -> Person | None:
    """The person record of a signed-in account (read once per user object), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_minsheng_person"):
        user._minsheng_person = Person.objects.filter(user=user).first()
    return user._minsheng_person


def roles(user) -> set[str]:
    return {a.role for a in assignments(user)}


def place_prefixes(user, role_set=PLACE_ROLES) -> list[str]:
    """Codes of the places the user administers through the given roles."""
    return [a.place.code for a in assignments(user) if a.role in role_set and a.place_id]


def administered_places(user) -> list:
    """The places of the user's place roles (where their place tree starts)."""
    return [a.place for a in assignments(user) if a.place_id]


def unit_ids(user) -> list[int]:
    return [a.organisation_id for a in assignments(user) if a.role == Role.UNIT_ADMIN]


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def covers_place(user, place, role_set=PLACE_ROLES) -> bool:
    if is_superuser(user):
        return True
    return place is not None and any(place.code.startswith(p) for p in place_prefixes(user, role_set))


def persons_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """People whose record the user may open: by where they live, where they reported, their unit, or self.

    Multi-valued relations are tested with EXISTS, so the filter costs in proportion to `qs`, not to
    the whole scope, and no row is duplicated.
    """
    qs = Person.objects.all() if qs is None else qs
    if is_superuser(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    q = Q(user=user)
    admin_prefixes = place_prefixes(user, (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF))
    grid_prefixes = place_prefixes(user, (Role.GRID_WORKER,))
    if admin_prefixes or grid_prefixes:
        q |= within(admin_prefixes + grid_prefixes, "home")
    reports = MemberReport.objects.filter(membership__person=OuterRef("pk"))
    if admin_prefixes:
        q |= Exists(reports.filter(within(admin_prefixes, "community")))
    if grid_prefixes:
        q |= Exists(reports.filter(within(grid_prefixes, "grid_branch__place")))
    units = unit_ids(user)
    if units:
        q |= Exists(PartyMembership.objects.filter(person=OuterRef("pk"),
                                                   party_organisation__organisation__in=units))
    return qs.filter(q)


def can_view_person(user, person: Person) -> bool:
    return persons_visible_to(user).filter(pk=person.pk).exists()


def can_view_full_personal_data(user, person: Person) -> bool:
    """Unmasked name, phone and room: staff who work with the person, and the person themself."""
    if person.user_id and person.user_id == getattr(user, "pk", None):
        return True
    return bool(roles(user) & set(STAFF_ROLES) or is_superuser(user)) and can_view_person(user, person)


def can_change_person(user, person: Person | None) -> bool:
    if person is None:
        return is_superuser(user) or bool(roles(user) & set(STAFF_ROLES))
    return can_view_full_personal_data(user, person) and (
        is_superuser(user) or bool(roles(user) & set(STAFF_ROLES)))


def can_change_place(user, place) -> bool:
    """Change a place, or add one under it: staff of a place that contains it (grid workers excluded)."""
    return covers_place(user, place, (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF))


def can_change_organisation(user, organisation: Organisation | None) -> bool:
    """Register an organisation (None): subdistrict admins and community staff. Change one: its own admins; staff
    of a place it is located in; a subdistrict admin also the units working with the subdistrict from outside
    it (a co-building agreement with a place in it, or a party organisation reported to a community there), and
    any organisation located nowhere in the tree (a city bureau, say). Not another subdistrict's."""
    if is_superuser(user):
        return True
    if organisation is None:
        return bool(roles(user) & {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF})
    if organisation.pk in unit_ids(user):
        return True
    if covers_place(user, organisation.place, (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF)):
        return True
    subdistricts = place_prefixes(user, (Role.SUBDISTRICT_ADMIN,))
    if not subdistricts:
        return False
    if organisation.place_id is None:
        return True
    return organisation.pk is not None and Organisation.objects.filter(
        within(subdistricts, "agreements__place") | within(subdistricts, "party_organisations__reports__community"),
        pk=organisation.pk).exists()


def can_change_site(user, site) -> bool:
    place = site.place if site is not None else None
    if place is None:
        return is_superuser(user) or bool(roles(user) & {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF})
    return can_change_place(user, place)


def is_staff_user(user) -> bool:
    """Anyone who works with others' records: the directories of members and residents are theirs."""
    return is_superuser(user) or bool(roles(user) & set(STAFF_ROLES))
