"""Disputes in the API (/api/v1/disputes), for staff and the case's mediators: the same selectors, permissions,
dispute_receive and dispute_act as the pages (the intake takes the people its page's picker offers). Always
private: a dispute outside the caller's cases answers 404, as a missing one; the list shows the parties masked;
opening one is a full view of the case file, logged (dispute_view_log).

Errors: 403 recording where one may not, or an action the caller may not take on a case they read, 404 not
visible, 422 a stage skipped or passed and field errors (the words say which stage comes first: "请先完成「研判」
再「开始调解」。").
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from core.api import Body, Detail, FieldErrors, Id, refused
from core.pagination import keyset_page
from mediation import permissions, selectors, workflow
from mediation.forms import person_picker
from mediation.models import Dispute, DisputeKind, DisputeState, Level, Outcome, Party, PartyRole
from mediation.services import dispute_act, dispute_receive, dispute_view_log
from people.masking import mask_phone
from places.api import CODE
from places.models import Place

router = Router(tags=["mediation"])


class PartyOut(Schema):
    id: int
    role: PartyRole
    label: str = Field(description="the list: masked (张* · 3单元***); a case opened: name and address in full")
    phone: str = Field(description="masked (138****5678): the full number only through the case page's logged "
                                   "reveal")
    refused: bool


class DisputeOut(Schema):
    id: int
    kind: DisputeKind
    title: str
    place: str = Field(description="the place's name")
    place_code: str
    state: DisputeState
    level: Level
    outcome: Outcome | str
    settled_level: Level | str
    received_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    need: int | None
    parties: list[PartyOut]
    actions: list[str] = Field(description="the actions this caller may take now")

    @staticmethod
    def resolve_place(dispute):
        return dispute.place.name

    @staticmethod
    def resolve_place_code(dispute):
        return dispute.place.code

    @staticmethod
    def resolve_need(dispute):
        return dispute.need_id

    @staticmethod
    def resolve_parties(dispute, context):
        full = getattr(context["request"], "mediation_full", False)
        return [party_out(p, full=full) for p in dispute.parties.all()]

    @staticmethod
    def resolve_actions(dispute, context):
        return permissions.actions_for(context["request"].user, dispute)


def party_out(party: Party, *, full: bool) -> dict:
    phone = party.phone or (party.person.phone if party.person_id else "")
    return {"id": party.pk, "role": party.role, "label": selectors.party_label(party, full=full),
            "phone": mask_phone(phone) if phone else "", "refused": party.refused}


class StepOut(Schema):
    action: str
    stage: str = Field(description="the stage whose record it is (intake, assessment, mediation, feedback, "
                                   "follow_up)")
    state: DisputeState
    level: Level
    note: str
    at: datetime.datetime


class MediatorOut(Schema):
    kind: str
    level: Level
    name: str


class AgreementOut(Schema):
    number: str
    facts: str
    terms: str
    performance: str
    perform_by: datetime.date
    signed_on: datetime.date


class DisputeDetailOut(DisputeOut):
    description: str
    referred_to: str
    performed: bool | None
    steps: list[StepOut]
    mediators: list[MediatorOut]
    agreement: AgreementOut | None

    @staticmethod
    def resolve_steps(dispute):
        return [{"action": s.action, "stage": workflow.ACTIONS[s.action].stage, "state": s.state, "level": s.level,
                 "note": s.note, "at": s.at} for s in dispute.steps.order_by("at", "id")]

    @staticmethod
    def resolve_mediators(dispute):
        from mediation.agreements import mediator_name

        return [{"kind": m.kind, "level": m.level, "name": mediator_name(m)}
                for m in dispute.mediators.select_related("person", "team", "user__person")]

    @staticmethod
    def resolve_agreement(dispute):
        return getattr(dispute, "agreement", None)


class DisputePage(Schema):
    items: list[DisputeOut]
    next: int | None = Field(None, description="pass as `before` to get the next page")


class DisputeFilters(Schema):
    state: DisputeState | None = None
    kind: DisputeKind | None = None
    level: Level | None = None
    overdue: bool | None = Field(None, description="true: open past the settle-by date")
    q: str = Field("", max_length=50, description="words of the title")
    before: Id | None = Field(None, description="keyset cursor: only disputes with a smaller id")
    limit: int = Field(50, ge=1, le=200)


def _visible(request, pk) -> Dispute:
    dispute = selectors.disputes_for(request.user).filter(pk=pk).first()
    if dispute is None:
        raise Http404(f"找不到编号为 {pk} 的纠纷 / No dispute {pk} is visible to you")
    return dispute


class PartyIn(Body):
    role: PartyRole
    person: Id | None = Field(None, description="a person on record the caller may pick (as the intake page's picker)")
    name: str = Field("", max_length=50, description="else: the party's name …")
    phone: str = Field("", max_length=20, description="… phone (kept private, masked in every list)")
    address: str = Field("", max_length=100, description="… and address")


class DisputeIn(Body):
    kind: DisputeKind
    title: str = Field(max_length=100, description="in general terms (楼上漏水, 犬只扰民): no names, phones or rooms")
    place: str = Field(pattern=CODE, description="the code of the building, entrance or area where it happens")
    description: str = Field("", max_length=4000)
    parties: list[PartyIn] = Field(max_length=20, description="at least the applicant and one other party")


@router.post("", response={201: DisputeDetailOut, 403: Detail, 422: FieldErrors},
             summary="Record a dispute (登记纠纷: the staff of the area, the building's head and manager)")
def dispute_create(request, payload: DisputeIn):
    place = Place.objects.filter(code=payload.place).first()
    if place is None:
        return refused(ValidationError({"place": "找不到该地点编码 / No place has this code"}))
    people = person_picker(request.user, reverse("mediation:receive_pick")).people
    parties = []
    for party in payload.parties:
        spec = party.dict()
        if party.person is not None:
            spec["person"] = people.filter(pk=party.person).first()
            if spec["person"] is None:
                return refused(ValidationError({"person": "找不到该人员 / No such person"}))
        parties.append(spec)
    try:
        dispute = dispute_receive(actor=request.user, kind=payload.kind, title=payload.title, place=place,
                                  description=payload.description, parties=parties)
    except ValidationError as error:
        return refused(error)
    return Status(201, dispute_detail(request, dispute.pk))


@router.get("", response=DisputePage, summary="Disputes of my cases and my area (newest first; parties masked)")
def dispute_list(request, filters: Query[DisputeFilters]):
    disputes = selectors.disputes_for(request.user, state=filters.state or "", kind=filters.kind or "",
                                      level=filters.level or "", text=filters.q, overdue=filters.overdue)
    page = keyset_page(disputes.prefetch_related("parties__person").order_by("-id"), filters.before, filters.limit)
    return {"items": page.object_list, "next": page.next_before}


@router.get("/{int:dispute_id}", response={200: DisputeDetailOut, 404: Detail},
            summary="One dispute's case file: its stages' records, parties, mediators, agreement (a logged view)")
def dispute_detail(request, dispute_id: Id):
    dispute = _visible(request, dispute_id)
    dispute_view_log(actor=request.user, dispute=dispute)
    request.mediation_full = True
    return dispute


# --- Actions: one endpoint each, its body the action's own fields ---

class NoteIn(Body):
    note: str = Field("", max_length=4000, description="the stage's record (phones are masked as it is stored)")


class AssessIn(NoteIn):
    level: Level | None = Field(None, description="the level the case is handled at, if the assessment changes it")


class AgreeIn(NoteIn):
    facts: str = Field(max_length=4000)
    terms: str = Field(max_length=4000)
    performance: str = Field(max_length=2000)
    perform_by: datetime.date
    signed_on: datetime.date


class NoAgreementIn(NoteIn):
    referred_to: str = Field(max_length=100, description="e.g. 12345热线, 人民法院")


class RefuseIn(NoteIn):
    party: Id = Field(description="the id of the party who refuses (GET /api/v1/disputes/{id})")


class FollowUpIn(NoteIn):
    performed: bool


BODIES: dict[str, type[NoteIn]] = {"assess": AssessIn, "agree": AgreeIn, "no_agreement": NoAgreementIn,
                                   "refuse": RefuseIn, "follow_up": FollowUpIn}
API_ACTIONS = [name for name in workflow.ACTIONS if name != "receive"]  # the intake is POST /disputes
ACTION_RESPONSES = {200: DisputeDetailOut, 403: Detail, 404: Detail, 422: FieldErrors}


def _act(request, dispute_id: Id, action: str, payload: NoteIn):
    dispute = _visible(request, dispute_id)  # dispute_act reads it again, under its lock
    fields = payload.dict(exclude_none=True)
    if action == "refuse":
        fields["party"] = Party.objects.filter(dispute=dispute, pk=fields["party"]).first()
    try:
        dispute_act(actor=request.user, dispute=dispute, action=action, **fields)
    except Dispute.DoesNotExist:
        raise Http404(f"找不到编号为 {dispute_id} 的纠纷 / No dispute {dispute_id} is visible to you") from None
    except ValidationError as error:
        return refused(error)
    return Status(200, Dispute.objects.select_related("place").get(pk=dispute.pk))


def _action_endpoint(action: str, body: type[NoteIn]):
    def endpoint(request, dispute_id: Id, payload: body):
        return _act(request, dispute_id, action, payload)
    endpoint.__name__ = f"dispute_{action}"
    return endpoint


for _name in API_ACTIONS:
    router.post(f"/{{int:dispute_id}}/actions/{_name}", response=ACTION_RESPONSES, operation_id=f"dispute_{_name}",
                summary=f"{workflow.ACTIONS[_name].label} ({_name})")(
        _action_endpoint(_name, BODIES.get(_name, NoteIn)))


@router.post("/{int:dispute_id}/actions/{action}", response={404: Detail}, summary="Any other action: 404",
             include_in_schema=False)
def dispute_action_unknown(request, dispute_id: Id, action: str):
    raise Http404(f"未知操作 {action} / Unknown action {action}")
