"""Who may take which action on a need: what the actor is to the need (relations_to), checked against the
action's record in needs.workflow. Pages and the API offer exactly what need_act would allow."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from needs import workflow
from needs.models import Level, Need
from people import scopes
from people.models import Role

SYSTEM_USERNAME = "minsheng-system"


def system_user() -> User:
    """The account the deadline sweep acts as: inactive, with no password, so nobody can sign in as it."""
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_recorder(user) -> bool:
    """Staff and grid workers record needs for residents (channel, concern level, the resident)."""
    return scopes.is_superuser(user) or bool(scopes.roles(user) & set(scopes.PLACE_ROLES))


def _reported_by(actor, person, need: Need) -> bool:
    """Whether the person reported the need (or a duplicate merged into it). A need that staff typed in — for
    nobody in particular, or with themself as the resident — is not theirs to rate: the follow-up call
    records the grade, so that staff never grade their own work."""
    recorder = is_recorder(actor)
    if need.reporter_id == person.pk and not (recorder and need.recorded_by_id == actor.pk):
        return True
    if not need.pk:
        return False
    merged_in = need.extra_reporters.filter(person=person)
    if recorder:
        merged_in = merged_in.exclude(from_need__recorded_by=actor)
    return merged_in.exists()


def relations_to(actor, need: Need) -> set[str]:
    """What the actor is to this need; each action's record says which relations may take it."""
    relations = {"anyone"}
    if not getattr(actor, "is_authenticated", False):
        return relations
    if actor.username == SYSTEM_USERNAME and not actor.has_usable_password():
        relations.add("system")
    place = need.place
    for relation, role in (("staff_subdistrict", Role.SUBDISTRICT_ADMIN), ("staff_community", Role.COMMUNITY_STAFF),
                           ("grid_worker", Role.GRID_WORKER)):
        if scopes.covers_place(actor, place, (role,)):
            relations.add(relation)
    units = set(scopes.unit_ids(actor))
    person = scopes.person_of(actor)
    if units:
        relations.add("unit_admin")
    if person is not None and Role.PARTY_MEMBER in scopes.roles(actor):
        relations.add("party_member")
    if (need.lead_organisation_id and need.lead_organisation_id in units) or (
            person is not None and need.lead_person_id == person.pk):
        relations.add("holder")
        if need.level == Level.DEPARTMENT:
            relations.add("department")
    if need.pk and units and need.collaborators.filter(pk__in=units).exists():
        relations.add("collaborator")
    if person is not None and _reported_by(actor, person, need):
        relations.add("reporter")
    return relations


def may_act(actor, need: Need, action: str, relations: set[str] | None = None) -> bool:
    """Whether the actor's role lets them take the action now (the state allows it and the role does)."""
    if workflow.next_state(need.state, action) is None:
        return False
    relations = relations_to(actor, need) if relations is None else relations
    record = workflow.ACTIONS[action]
    if need.state in record.subdistrict_only_from:
        return "staff_subdistrict" in relations
    return bool(relations & record.who)


def require_may_act(actor, need: Need, action: str, relations: set[str] | None = None) -> None:
    """PermissionDenied unless the actor may take the action now: need_act, and a page before it reads the
    action's form (a refused role is told so, not shown the form's errors), refuse in the same words."""
    if not may_act(actor, need, action, relations):
        raise PermissionDenied(_("You may not “%(action)s” this need: your role or area does not allow it.")
                               % {"action": workflow.ACTIONS[action].label})


def action_offered(need: Need, action: str, at=None) -> bool:
    """Whether pages and the API offer the action at all: its guard would let it through now."""
    return workflow.refusal(need, action, at or timezone.now()) is None


def actions_for(actor, need: Need) -> list[str]:
    """The actions the actor may take on the need now, as pages and the API offer them."""
    relations = relations_to(actor, need)
    return [action for action in workflow.actions_from(need.state)
            if not workflow.ACTIONS[action].system_only and action_offered(need, action)
            and may_act(actor, need, action, relations)]
