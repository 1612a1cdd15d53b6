"""Who organises an activity (and so records and certifies its hours: 谁组织谁记录、谁记录谁证明), who may open a
volunteer's record, keep it and issue its certificates; the same rules as filters for the pages' lists.

The organiser of an activity: the leaders of its team, the admins of its unit (organisation), and community staff
and subdistrict admins whose area holds its place (a residents' committee may certify). Services, pages and the
API all ask here.
"""

from django.db.models import Exists, OuterRef, Q

from people import scopes
from people.models import Role, TeamMember

AREA_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF)  # staff who organise and certify in their area


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def led_team_ids(user) -> list[int]:
    """The teams the user leads (as a person on record), read once per user object."""
    if not _authenticated(user):
        return []
    if not hasattr(user, "_volunteering_led_teams"):
        person = scopes.person_of(user)
        user._volunteering_led_teams = [] if person is None else list(
            TeamMember.objects.filter(person=person, is_leader=True).values_list("team_id", flat=True))
    return user._volunteering_led_teams


def is_organiser(user, activity) -> bool:
    """Whether the user organises the activity: leads its team, administers its unit, or is staff of its area."""
    if not _authenticated(user):
        return False
    if scopes.is_superuser(user):
        return True
    if activity.team_id is not None and activity.team_id in led_team_ids(user):
        return True
    if activity.organisation_id is not None and activity.organisation_id in scopes.unit_ids(user):
        return True
    return activity.place_id is not None and scopes.covers_place(user, activity.place, AREA_ROLES)


def organised_q(user, prefix: str = "") -> Q:
    """Activities the user organises (is_organiser, as a filter); `prefix` e.g. "activity__" for sign-ups."""
    if scopes.is_superuser(user):
        return Q()
    if not _authenticated(user):
        return Q(pk__in=[])
    from places.selectors import within

    q = Q(**{f"{prefix}team__in": led_team_ids(user)}) | Q(**{f"{prefix}organisation__in": scopes.unit_ids(user)})
    prefixes = scopes.place_prefixes(user, AREA_ROLES)
    if prefixes:
        q |= within(prefixes, f"{prefix}place")
    return q


def activities_visible_q(user) -> Q:
    """Activities the user may open: the published ones, and those they organise."""
    if scopes.is_superuser(user):
        return Q()
    q = Q(is_published=True)
    return q | organised_q(user) if _authenticated(user) else q


def is_own(user, volunteer) -> bool:
    person = volunteer.person
    return _authenticated(user) and person.user_id is not None and person.user_id == user.pk


def _leads_a_team_of(user, person) -> bool:
    teams = led_team_ids(user)
    return bool(teams) and TeamMember.objects.filter(team__in=teams, person=person).exists()


def _staff_for(user, person) -> bool:
    return bool(scopes.roles(user) & set(scopes.STAFF_ROLES)) and scopes.can_view_person(user, person)


def may_view_volunteer(user, volunteer) -> bool:
    """The volunteer themself, staff who may open the person's record, the leaders of a team they belong to."""
    if not _authenticated(user):
        return False
    if scopes.is_superuser(user) or is_own(user, volunteer):
        return True
    return _staff_for(user, volunteer.person) or _leads_a_team_of(user, volunteer.person)


def may_register(user, person) -> bool:
    """Register a person as a volunteer (or change their volunteer details): themself, staff who may change the
    person's record, the leaders of a team they belong to."""
    if not _authenticated(user):
        return False
    if scopes.is_superuser(user) or (person.user_id is not None and person.user_id == user.pk):
        return True
    return scopes.can_change_person(user, person) or _leads_a_team_of(user, person)


def may_keep_record(user, volunteer, by=None) -> bool:
    """Add training, a commendation or an evaluation to a record: staff of the person's area (or who may change
    their record), the admins of the unit that gave it (`by`), the leaders of a team they belong to, and the
    organisers of an activity they signed up for (who evaluate their service)."""
    if not _authenticated(user):
        return False
    if scopes.is_superuser(user):
        return True
    if by is not None and by.pk in scopes.unit_ids(user):
        return True
    if scopes.can_change_person(user, volunteer.person) or _leads_a_team_of(user, volunteer.person):
        return True
    from volunteering.models import Signup

    return Signup.objects.filter(organised_q(user, "activity__"), volunteer=volunteer).exists()


def may_issue_certificate(user, volunteer) -> bool:
    """A certificate of the record: the volunteer themself (their own only), or staff who may open their record."""
    if not _authenticated(user):
        return False
    return scopes.is_superuser(user) or is_own(user, volunteer) or _staff_for(user, volunteer.person)


def volunteers_visible_q(user) -> Q:
    """Volunteers whose record the user may open (may_view_volunteer, as a filter)."""
    if scopes.is_superuser(user):
        return Q()
    if not _authenticated(user):
        return Q(pk__in=[])
    q = Q(person__user=user)
    if scopes.roles(user) & set(scopes.STAFF_ROLES):
        q |= Q(person__in=scopes.persons_visible_to(user).values("pk"))
    teams = led_team_ids(user)
    if teams:
        q |= Exists(TeamMember.objects.filter(team__in=teams, person=OuterRef("person")))
    return q
