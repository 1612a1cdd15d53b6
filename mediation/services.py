"""Every write to mediation: building pairs, the intake of a dispute (by hand or from a need), its mediators, and
each action of its stages through `dispute_act` (lock, stage, who may, fields, change, one Step — the stage's
record — and one event, in one transaction). Nothing is written when a write is refused.

Always private: the events record keys, codes and dates, never a party's name, phone or a record's text; the
records' text is stored with phones masked; each full view of a case and each revealed phone is logged.

Where things are: the stages in mediation.workflow, who may in mediation.permissions, what each action changes
in mediation.actions.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.events import event_append, event_time, verbs_declare
from core.notify import notify
from core.services import require, validated
from mediation import actions, permissions, workflow
from mediation.models import (
    Agreement,
    BuildingPair,
    Dispute,
    DisputeKind,
    DisputeState,
    Level,
    Mediator,
    MediatorKind,
    Party,
    PartyRole,
    Step,
)
from mediation.selectors import NEIGHBOUR_DISPUTE, building_pair_of, case_link
from needs.models import Need
from needs.permissions import system_user
from people import scopes
from people.models import PersonalDataAccess, Role, TeamMember
from people.public import ENTRANCE_OR_ROOM, personal_data_in
from places.models import Place, PlaceKind

verbs_declare({f"dispute.{action}": f"the mediation workflow's action “{action}” (mediation.workflow)"
               for action in workflow.ACTIONS})
verbs_declare({
    "building_pair_set": "a building's pair (楼院长 + 物业楼长) recorded or changed",
    "mediator_add": "a mediator added to a dispute (a person, a team or an account)",
    "party_add": "a party added to a dispute",
    "dispute_view": "someone opened a dispute's case file in full (parties' names and addresses)",
    "party_phone_reveal": "a reader of the case was shown a party's phone; also in PersonalDataAccess for a "
                          "person on record",
    "dispute_overdue": "the daily sweep found a dispute open past its settle-by date",
})

def mediator_users(dispute: Dispute) -> set[int]:
    """The accounts of the case's mediators (mediator_users_of each)."""
    users = set()
    for mediator in Mediator.objects.filter(dispute=dispute).select_related("person"):
        users |= mediator_users_of(mediator)
    return users


def mediator_users_of(mediator: Mediator) -> set[int]:
    """A mediator's accounts: its own, its person's, the leaders of its team."""
    users = {mediator.user_id} if mediator.user_id else set()
    if mediator.person_id and mediator.person.user_id:
        users.add(mediator.person.user_id)
    if mediator.team_id:
        users |= set(TeamMember.objects.filter(team=mediator.team_id, is_leader=True, person__user__isnull=False)
                     .values_list("person__user_id", flat=True))
    return users


def _tell(dispute: Dispute, *, actor, verb: str, text: str, at, users=None):
    users = mediator_users(dispute) if users is None else users
    notify(users=users - {getattr(actor, "pk", None)}, subject=dispute, verb=verb, text=text,
           link=case_link(dispute), at=at)


# --- Building pairs ---

@transaction.atomic
def building_pair_set(*, actor, building: Place, since: datetime.date, head=None, manager=None,
                      property_company=None, at=None) -> BuildingPair:
    """Record (or change) a building's pair: the building head and the property company's building manager."""
    if not isinstance(building, Place) or building.kind != PlaceKind.BUILDING:
        raise ValidationError({"building": _("A building pair is recorded on a building.")})
    require(permissions.may_set_pair(actor, building),
            _("Only the staff of the building's area record its building head and manager."))
    at = event_time(at)
    pair = BuildingPair.objects.select_for_update().filter(building=building).first() or BuildingPair(
        building=building)
    pair.head, pair.manager, pair.property_company, pair.since = head, manager, property_company, since
    validated(pair).save()
    event_append(actor=actor, verb="building_pair_set", subject=pair, at=at,
                 data={"building": building.code, "head": pair.head_id, "manager": pair.manager_id,
                       "property_company": pair.property_company_id, "since": since})
    return pair


# --- Intake ---

def _party(dispute: Dispute, spec) -> Party:
    if not isinstance(spec, dict):
        raise ValidationError({"parties": _("Describe each party: a person on record, or a name and phone.")})
    unknown = sorted(set(spec) - {"role", "person", "name", "phone", "address"})
    if unknown:
        raise ValidationError({"parties": _("A party has no field “%(field)s”.") % {"field": unknown[0]}})
    party = Party(dispute=dispute, role=spec.get("role") or "", person=spec.get("person"),
                  name=actions.text(spec.get("name"), "name", required=False, limit=50),
                  phone=actions.text(spec.get("phone"), "phone", required=False, limit=20),
                  address=actions.text(spec.get("address"), "address", required=False, limit=100))
    try:
        party.full_clean(exclude=["dispute"])
    except ValidationError as e:
        raise ValidationError({"parties": [m for ms in e.message_dict.values() for m in ms]}) from None
    return party


def _parties(dispute: Dispute, specs, *, other_required: bool = True) -> list[Party]:
    try:
        specs = list(specs or [])
    except TypeError:
        specs = []
    parties = [_party(dispute, spec) for spec in specs]
    roles = {p.role for p in parties}
    if PartyRole.APPLICANT not in roles or (other_required and not roles - {PartyRole.APPLICANT}):
        raise ValidationError({"parties": _("Record at least the applicant and the other party.")})
    return parties


def party_names(parties) -> set[str]:
    return {n for p in parties for n in (p.name, p.person.name if p.person_id else "") if n}


def _title_refusal(title: str, names) -> str | None:
    """Why a title is not in general terms: a name, a phone or a room (a building or entrance is a place, as in
    4号楼3单元加装电梯; a room — 502室, 3单元502, 4-3-502 — is a household's)."""
    rooms = [m for m in ENTRANCE_OR_ROOM.finditer(title)
             if m[1] or m[2] or not any(w in m[0] for w in ("楼", "栋", "幢", "单元"))]
    if rooms or personal_data_in(title, names):
        return _("The title is in general terms (楼上漏水, 犬只扰民): no names, phones or rooms — the parties and "
                 "the place are recorded on their own.")
    return None


def _title(title, names) -> str:
    title = actions.text(title, "title", required=True, limit=100,
                         message=_("Give the dispute a title in general terms, such as 楼上漏水 or 犬只扰民."))
    if refusal := _title_refusal(title, names):
        raise ValidationError({"title": refusal})
    return title


def _kind(kind) -> str:
    if kind not in DisputeKind.values:
        raise ValidationError({"kind": _("Choose the kind of dispute from the list.")})
    return kind


def _staff_kind(actor) -> str | None:
    roles = scopes.roles(actor)
    if Role.COMMUNITY_STAFF in roles:
        return MediatorKind.COMMUNITY
    if Role.SUBDISTRICT_ADMIN in roles:
        return MediatorKind.SUBDISTRICT
    return None


def _open(*, actor, kind, title, place, parties, description, need, at, other_required=True) -> Dispute:
    """A new dispute with its parties, first mediators, the intake's Step and event (inside the caller's
    transaction): at building level when its building has a pair (who mediate it), else at community level with
    the staff who received it."""
    at = event_time(at)
    dispute = Dispute(kind=_kind(kind), place=place, need=need, state=workflow.NEW, received_at=at,
                      due_at=at + datetime.timedelta(days=settings.MEDIATION_SETTLE_DAYS), recorded_by=actor,
                      description=actions.masked(actions.text(description, "description", required=False)))
    parties = _parties(dispute, parties, other_required=other_required)
    dispute.title = _title(title, party_names(parties))
    pair = building_pair_of(place)
    dispute.level = Level.BUILDING if pair is not None else Level.COMMUNITY
    dispute.state = workflow.next_state(workflow.NEW, "receive")
    validated(dispute).save()
    for party in parties:
        party.dispute = dispute
        party.save()
    if pair is not None:
        for person, kind in ((pair.head, MediatorKind.BUILDING_HEAD), (pair.manager, MediatorKind.PROPERTY_MANAGER)):
            if person is not None:
                Mediator.objects.create(dispute=dispute, kind=kind, person=person, level=dispute.level, added_at=at)
    elif (staff_kind := _staff_kind(actor)) is not None:
        Mediator.objects.create(dispute=dispute, kind=staff_kind, user=actor, level=dispute.level, added_at=at)
    step = Step.objects.create(dispute=dispute, action="receive", state=dispute.state, level=dispute.level,
                               actor=actor, at=at)
    event_append(actor=actor, verb="dispute.receive", subject=dispute, at=at,
                 data={"from": None, "to": dispute.state, "kind": dispute.kind, "place": place.code,
                       "level": dispute.level, "need": dispute.need_id, "parties": len(parties), "step": step.pk,
                       "due_at": dispute.due_at})
    _tell(dispute, actor=actor, verb="dispute.receive", at=at,
          text=_("New dispute to mediate: %(title)s") % {"title": dispute.title})
    return dispute


def dispute_receive(*, actor, kind: str, title: str, place: Place, parties, description: str = "", need=None,
                    at=None) -> Dispute:
    """Record a dispute: staff of the area, or the building pair of the building holding the place. `parties`: a
    list of {role, person (a Person or None), name, phone, address}, at least an applicant and one other party."""
    if not isinstance(place, Place):
        raise ValidationError({"place": _("Choose the place of the dispute.")})
    require(permissions.may_receive(actor, place),
            _("Only the staff of the area and the building's head and manager record a dispute here."))
    with transaction.atomic():
        return _open(actor=actor, kind=kind, title=title, place=place, parties=parties, description=description,
                     need=need, at=at)


def dispute_from_need(*, actor, need, kind: str, title: str = "", at=None) -> Dispute:
    """Turn a need of the category 邻里纠纷 into a dispute (linked, one per need); its reporter or contact is the
    applicant (the other party is added with party_add). The need itself is unchanged: its page says 已转人民调解."""
    if need.category is None or need.category.name != NEIGHBOUR_DISPUTE:
        raise ValidationError(_("Only a need of the category 邻里纠纷 is turned into a dispute."))
    require(permissions.may_receive(actor, need.place),
            _("Only the staff of the area and the building's head and manager record a dispute here."))
    applicant = {"role": PartyRole.APPLICANT, "person": need.reporter}
    if need.reporter_id is None:
        if not need.contact_name:
            raise ValidationError(_("The need names nobody to be the applicant: record the dispute by hand."))
        applicant |= {"name": need.contact_name, "phone": need.contact_phone}
    # The need's title unless it names someone or a room; then the kind's own words.
    if not title and _title_refusal(need.title, {need.contact_name} - {""}) is None:
        title = need.title
    title = title or (str(DisputeKind(kind).label) if kind in DisputeKind.values else "")
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if Dispute.objects.filter(need=need).exists():
            raise ValidationError(_("This need was already turned into a dispute."))
        return _open(actor=actor, kind=kind, title=title, place=need.place, parties=[applicant],
                     description=need.description, need=need, at=at, other_required=False)


@transaction.atomic
def party_add(*, actor, dispute: Dispute, role: str, person=None, name: str = "", phone: str = "",
              address: str = "", at=None) -> Party:
    """Add a party to an open dispute (the other party of one turned from a need)."""
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    _require_read(actor, dispute)
    if dispute.state not in workflow.OPEN:
        raise ValidationError(_("Parties are added while the dispute is still being mediated."))
    party = _party(dispute, {"role": role, "person": person, "name": name, "phone": phone, "address": address})
    party.save()
    event_append(actor=actor, verb="party_add", subject=dispute, at=event_time(at),
                 data={"party": party.pk, "role": party.role, "person": party.person_id})
    return party


# --- Mediators ---

def _mediator(dispute: Dispute, *, kind, person=None, team=None, user=None, level, at) -> Mediator | None:
    """A mediator row, unless the case already has this one; refused in words when it names nobody."""
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": _("Choose the kind of mediator from the list.")})
    if person is None and team is None and user is None:
        raise ValidationError({"mediators": _("A mediator is a person, a team or an account.")})
    if Mediator.objects.filter(dispute=dispute, person=person, team=team, user=user).exists():
        return None
    return Mediator.objects.create(dispute=dispute, kind=kind, person=person, team=team, user=user, level=level,
                                   added_at=at)


@transaction.atomic
def mediator_add(*, actor, dispute: Dispute, kind: str, person=None, team=None, user=None, at=None) -> Mediator:
    at = event_time(at)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    _require_read(actor, dispute)
    if dispute.state == DisputeState.CLOSED:
        raise ValidationError(_("This dispute is closed."))
    mediator = _mediator(dispute, kind=kind, person=person, team=team, user=user, level=dispute.level, at=at)
    if mediator is None:
        raise ValidationError(_("This mediator is already on the case."))
    event_append(actor=actor, verb="mediator_add", subject=dispute, at=at,
                 data={"mediator": mediator.pk, "kind": kind, "level": mediator.level, "person": mediator.person_id,
                       "team": mediator.team_id, "user": mediator.user_id})
    _tell(dispute, actor=actor, verb="mediator_add", at=at, users=mediator_users_of(mediator),
          text=_("You are a mediator of a dispute: %(title)s") % {"title": dispute.title})
    return mediator


# --- The stages ---

def _require_read(actor, dispute: Dispute):
    """Someone outside the case is told it does not exist (as for a missing case)."""
    if not permissions.may_read(actor, dispute):
        raise Dispute.DoesNotExist(_("No such dispute."))


STATE_ORDER = [DisputeState.RECEIVED, DisputeState.ASSESSED, DisputeState.MEDIATING, DisputeState.CONCLUDED,
               DisputeState.FED_BACK, DisputeState.CLOSED]
# The stage whose record a state stands for, to name what must come first.
STATE_STAGE = {DisputeState.RECEIVED: "intake", DisputeState.ASSESSED: "assessment",
               DisputeState.MEDIATING: "mediation", DisputeState.CONCLUDED: "mediation",
               DisputeState.FED_BACK: "feedback", DisputeState.CLOSED: "follow_up"}


def _refuse_stage(dispute: Dispute, action: str):
    """Why the action is not possible now: a stage skipped (name the stage to complete first), or the case has
    moved past it."""
    label = workflow.ACTIONS[action].label
    sources = [s for (s, a) in workflow.TRANSITIONS if a == action and s != workflow.NEW]
    here = STATE_ORDER.index(dispute.state)
    if sources and here < min(STATE_ORDER.index(s) for s in sources):
        stage = workflow.STAGES[STATE_STAGE[STATE_ORDER[here + 1]]]
        raise ValidationError(_("Complete “%(stage)s” first, then “%(action)s”.") % {"stage": stage, "action": label})
    raise ValidationError(_("This dispute is now “%(state)s”: “%(action)s” is no longer possible.")
                          % {"state": dispute.get_state_display(), "action": label})


def dispute_act(*, actor, dispute: Dispute, action: str, note: str = "", at=None, **fields) -> Dispute:
    """Take `action` on the dispute as `actor`; return it as it is afterwards. Raises Dispute.DoesNotExist for
    someone outside the case, ValidationError (a stage skipped or passed, a field: the words say why),
    PermissionDenied. One Step (the stage's record, phones masked) and one event per action."""
    if action not in actions.APPLY:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    unknown = sorted(set(fields) - actions.FIELDS[action])
    if unknown:
        raise ValidationError({name: _("“%(action)s” takes no field “%(field)s”.")
                               % {"action": workflow.ACTIONS[action].label, "field": name} for name in unknown})
    note = actions.masked(actions.text(note, "note", required=action in actions.NOTE_REQUIRED,
                                       message=_("Write the record of this stage.")))
    at = event_time(at)
    with transaction.atomic():
        # The row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite): two mediators recording the agreement
        # at once — the second finds the dispute concluded.
        dispute = Dispute.objects.select_for_update(of=("self",)).select_related("place").get(pk=dispute.pk)
        _require_read(actor, dispute)
        before = dispute.state
        after = workflow.next_state(before, action)
        if after is None:
            _refuse_stage(dispute, action)
        if not permissions.may_act(actor, dispute, action):
            raise PermissionDenied(_("You may not “%(action)s” this dispute.")
                                   % {"action": workflow.ACTIONS[action].label})
        if action == "agree":
            # Agreement numbers run per community and year: its row is the lock that hands out the next one.
            Place.objects.select_for_update().filter(code=dispute.place.code[:actions.COMMUNITY_CODE_LENGTH]).first()
        step_ = actions.Step(dispute=dispute, actor=actor, at=at)
        data = actions.APPLY[action](step_, **fields)
        dispute.state = after
        validated(dispute).save()
        for spec in step_.mediators:
            _mediator(dispute, at=at, **spec)
        step = Step.objects.create(dispute=dispute, action=action, state=after, level=dispute.level, note=note,
                                   actor=actor, at=at)
        event_append(actor=actor, verb=f"dispute.{action}", subject=dispute, at=at,
                     data={"from": before, "to": after, "level": dispute.level, "step": step.pk, **data})
        if action == "escalate":
            _tell(dispute, actor=actor, verb="dispute.escalate", at=at,
                  text=_("A dispute was raised to your level: %(title)s") % {"title": dispute.title})
    return dispute


# --- One typed face per action ---

def dispute_assess(*, actor, dispute: Dispute, note: str, level=None, at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="assess", note=note, level=level, at=at)


def dispute_mediate(*, actor, dispute: Dispute, note: str = "", at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="mediate", note=note, at=at)


def dispute_record(*, actor, dispute: Dispute, note: str, at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="record", note=note, at=at)


def dispute_agree(*, actor, dispute: Dispute, facts: str, terms: str, performance: str, perform_by: datetime.date,
                  signed_on: datetime.date, note: str = "", at=None) -> Agreement:
    dispute = dispute_act(actor=actor, dispute=dispute, action="agree", note=note, at=at, facts=facts, terms=terms,
                          performance=performance, perform_by=perform_by, signed_on=signed_on)
    return dispute.agreement


def dispute_no_agreement(*, actor, dispute: Dispute, referred_to: str, note: str = "", at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="no_agreement", note=note, at=at,
                       referred_to=referred_to)


def dispute_refuse(*, actor, dispute: Dispute, party: Party, note: str = "", at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="refuse", note=note, at=at, party=party)


def dispute_withdraw(*, actor, dispute: Dispute, note: str, at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="withdraw", note=note, at=at)


def dispute_escalate(*, actor, dispute: Dispute, note: str, mediators=(), at=None) -> Dispute:
    """Raise the dispute one level (building → community → subdistrict → beyond); `mediators`: dicts of
    mediator_add's fields {kind, person | team | user}; none given: the level's community staff or subdistrict
    admins."""
    return dispute_act(actor=actor, dispute=dispute, action="escalate", note=note, at=at, mediators=mediators)


def dispute_feed_back(*, actor, dispute: Dispute, note: str, at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="feed_back", note=note, at=at)


def dispute_follow_up(*, actor, dispute: Dispute, performed: bool, note: str, at=None) -> Dispute:
    """回访: records whether the terms were performed and closes the case (not performed and the parties want to
    mediate again: dispute_reopen instead)."""
    return dispute_act(actor=actor, dispute=dispute, action="follow_up", note=note, at=at, performed=performed)


def dispute_reopen(*, actor, dispute: Dispute, note: str, at=None) -> Dispute:
    return dispute_act(actor=actor, dispute=dispute, action="reopen", note=note, at=at)


# --- The sweep's (mediation.tasks) ---

def staff_users(dispute: Dispute) -> set[int]:
    """The community staff of the dispute's community (who hear of it when it is overdue)."""
    return {m["user"].pk for m in actions.level_mediators(dispute, Level.COMMUNITY)}


@transaction.atomic
def dispute_overdue_mark(*, dispute: Dispute, at=None) -> bool:
    """Mark an open dispute past its settle-by date overdue (once), with an event, and tell its mediators and the
    community's staff. False when it moved on or was marked already."""
    at = event_time(at)
    dispute = Dispute.objects.select_for_update(of=("self",)).select_related("place").get(pk=dispute.pk)
    if dispute.overdue or dispute.state not in workflow.OPEN or dispute.due_at >= at:
        return False
    dispute.overdue = True
    dispute.save(update_fields=["overdue", "updated_at"])
    actor = system_user()
    event_append(actor=actor, verb="dispute_overdue", subject=dispute, at=at,
                 data={"state": dispute.state, "level": dispute.level, "due_at": dispute.due_at})
    _tell(dispute, actor=actor, verb="dispute_overdue", at=at, users=mediator_users(dispute) | staff_users(dispute),
          text=_("A dispute is past its settle-by date: %(title)s") % {"title": dispute.title})
    return True


# --- Reads that are logged ---

@transaction.atomic
def dispute_view_log(*, actor, dispute: Dispute) -> None:
    """Each opening of the case file in full (page or API) is an event of the dispute."""
    _require_read(actor, dispute)
    event_append(actor=actor, verb="dispute_view", subject=dispute, data={})


def party_phone_reveal(*, actor, party: Party, reason: str = "") -> str:
    """A party's phone in full for a reader of the case (to call them); logged as an event of the dispute, and in
    PersonalDataAccess for a person on record (their record shows who saw it)."""
    party = Party.objects.select_related("dispute__place", "person").get(pk=party.pk)
    _require_read(actor, party.dispute)
    phone = party.phone or (party.person.phone if party.person_id else "")
    if not phone:
        raise ValidationError(_("No phone is on record for this party."))
    reason = (reason or _("dispute #%(id)s") % {"id": party.dispute_id})[:200]
    with transaction.atomic():
        if party.person_id:
            PersonalDataAccess.objects.create(viewer=actor, person=party.person, fields="phone", reason=reason)
        event_append(actor=actor, verb="party_phone_reveal", subject=party.dispute,
                     data={"party": party.pk, "person": party.person_id, "fields": "phone"})
    return phone


__all__ = ["building_pair_set", "dispute_receive", "dispute_from_need", "party_add", "mediator_add",
           "dispute_act", "dispute_assess", "dispute_mediate", "dispute_record", "dispute_agree",
           "dispute_no_agreement", "dispute_refuse", "dispute_withdraw", "dispute_escalate", "dispute_feed_back",
           "dispute_follow_up", "dispute_reopen", "dispute_view_log", "party_phone_reveal"]
