"""Pages of mediation (SPEC §7), all private: the list of one's cases (filtered, paged, parties masked), recording a
dispute (on a phone: a building head in the stairwell), a case's page (its stages as a timeline with their records,
the parties and mediators, the forms of the actions possible now, the agreement and its PDF), turning a 邻里纠纷 need
into a dispute, and a building's pair on the building's place page (places.hooks panel).

Thin: parse, call mediation.services or a selector, render. Someone outside a case is answered 404, as for a missing
one (mediation.permissions.may_read); each opening of a case page or its agreement is a logged full view
(services.dispute_view_log); a party's phone is shown only through the logged reveal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.params import int_param
from mediation import agreements, permissions, selectors, services, workflow
from mediation.forms import (
    FromNeedForm,
    ListFilterForm,
    MediatorAddForm,
    PairForm,
    PartyAddForm,
    ReceiveForm,
    action_form,
    paired_buildings,
    party_forms,
    person_picker,
    receivable_places,
)
from mediation.models import Dispute, DisputeState, Party
from needs.models import Need
from people.masking import mask_name, mask_phone
from places.models import Place, PlaceKind
from places.views import picker_results

PAGE_SIZE = 20


def _dispute(request, pk) -> Dispute:
    """A dispute the user reads (its mediators, staff of its area, superusers); anyone else: as if missing."""
    pk = int_param(pk)
    dispute = (Dispute.objects.filter(permissions.disputes_visible_q(request.user)).select_related("place", "need")
               .filter(pk=pk).first()) if pk else None
    if dispute is None:
        raise Http404(_("No such dispute."))
    return dispute


def _words(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The list ---

@login_required
def dispute_list(request):
    """调解: the cases one mediates or whose area one keeps, newest first; by stage, kind, level, overdue, words."""
    form = ListFilterForm(request.GET or None)
    filters = form.filters()
    still_open = filters["state"] == "open"
    disputes = selectors.disputes_for(request.user, **{**filters, "state": "" if still_open else filters["state"]})
    if still_open:
        disputes = disputes.filter(state__in=workflow.OPEN)
    page = Paginator(disputes.prefetch_related("parties__person"), PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [{"dispute": d, "parties": [selectors.party_label(p) for p in d.parties.all()]} for d in page]
    return render(request, "mediation/list.html", {
        "form": form, "page": page, "cards": cards, "place": filters["place"], "count": page.paginator.count,
        "may_receive": receivable_places(request.user).exists()})


# --- The intake ---

def _initial_place(request):
    """?place=<code> if the user may record a dispute there; else a building head's own building."""
    code = request.GET.get("place", "")
    places = receivable_places(request.user)
    if code.isdigit() and len(code) <= 30:
        found = places.filter(code=code).first()
        if found is not None:
            return found
    own = list(paired_buildings(request.user)[:2])
    return own[0].building if len(own) == 1 else None


@login_required
def receive(request):
    """登记纠纷: kind, a title in general terms, the place (one's own building preselected), what happened, the
    parties (a person on record, or a name, phone and address)."""
    if not receivable_places(request.user).exists():
        raise PermissionDenied(_("Only the staff of an area and the buildings' heads and managers record disputes."))
    posted = request.POST if request.method == "POST" else None
    form = ReceiveForm(posted, user=request.user, initial={"place": _initial_place(request)})
    parties = party_forms(posted, request.user)
    status = 200
    if posted is not None:
        status = 422
        if form.is_valid() & all([p.is_valid() for p in parties]):
            try:
                dispute = services.dispute_receive(
                    actor=request.user, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                    place=form.cleaned_data["place"], description=form.cleaned_data["description"],
                    parties=[p.party() for p in parties if p.used()])
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
                status = 403
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The dispute is recorded: its mediators have been told."))
                return redirect("mediation:detail", pk=dispute.pk)
    return render(request, "mediation/receive.html", {"form": form, "parties": parties}, status=status)


@login_required
def receive_pick(request):
    """The intake's person picker (htmx): the people on record the user may open."""
    return picker_results(request, person_picker(request.user, reverse("mediation:receive_pick")))


@login_required
def from_need(request, need_id):
    """Turn a 邻里纠纷 need into a dispute (its reporter the applicant; the need unchanged): for those who may
    record a dispute at its place; anyone else as if the page did not exist."""
    pk = int_param(need_id)
    need = Need.objects.select_related("place", "category", "reporter").filter(pk=pk).first() if pk else None
    if need is None or not permissions.may_receive(request.user, need.place):
        raise Http404(_("No such need."))
    turned = Dispute.objects.filter(need=need).first()
    if turned is not None:
        if permissions.may_read(request.user, turned):
            return redirect("mediation:detail", pk=turned.pk)
        raise Http404(_("No such need."))
    form = FromNeedForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                dispute = services.dispute_from_need(actor=request.user, need=need, **form.cleaned_data)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
                status = 403
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The need is now a mediation case: add the other party before the "
                                            "agreement."))
                return redirect("mediation:detail", pk=dispute.pk)
    return render(request, "mediation/from_need.html", {"form": form, "need": need}, status=status)


# --- A case ---

# The stage a case waits in, by its state (closed: none).
CURRENT_STAGE = {DisputeState.RECEIVED: "assessment", DisputeState.ASSESSED: "mediation",
                 DisputeState.MEDIATING: "mediation", DisputeState.CONCLUDED: "feedback",
                 DisputeState.FED_BACK: "follow_up"}


def _by(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return (person.name if person is not None else "") or user.get_full_name() or user.username


def timeline(dispute, case) -> list[dict]:
    """The five stages in order, each with its records (action, when, by whom, the record) and whether it is done,
    the one the case waits in, or still to come."""
    current = CURRENT_STAGE.get(dispute.state)
    return [{"key": s["key"], "label": s["label"],
             "status": "current" if s["key"] == current else "done" if s["steps"] else "todo",
             "steps": [{"label": workflow.ACTIONS[step.action].label, "action": step.action, "at": step.at,
                        "by": _by(step.actor), "note": step.note, "level": step.get_level_display()}
                       for step in s["steps"]]}
            for s in case["stages"]]


@login_required
def detail(request, pk, *, forms=None, revealed=None, error="", status=200):
    """A case: its stages as a timeline with each record, the parties (in full: a logged view; phones masked until
    revealed), the mediators, the deadline, and the forms of the actions the user may take now."""
    dispute = _dispute(request, pk)
    services.dispute_view_log(actor=request.user, dispute=dispute)
    case = selectors.case_file(dispute)
    forms = forms or {}
    actions = [{"name": a, "label": workflow.ACTIONS[a].label, "form": forms.get(a) or action_form(a, dispute)}
               for a in permissions.actions_for(request.user, dispute)]
    revealed = revealed or {}
    parties = [{"party": p, "label": selectors.party_label(p, full=True),
                "phone": revealed.get(p.pk) or mask_phone(p.phone or (p.person.phone if p.person_id else "") or ""),
                "has_phone": bool(p.phone or (p.person_id and p.person.phone)), "revealed": p.pk in revealed}
               for p in case["parties"]]
    still_open = dispute.state in workflow.OPEN
    return render(request, "mediation/detail.html", {
        "dispute": dispute, "case": case, "actions": actions, "parties": parties, "error": error,
        "mediators": [{"m": m, "name": agreements.mediator_name(m)} for m in case["mediators"]],
        "agreement": case["agreement"], "still_open": still_open, "stages": timeline(dispute, case),
        "party_form": forms.get("party") or (PartyAddForm(user=request.user, dispute=dispute) if still_open else None),
        "mediator_form": forms.get("mediator") or (MediatorAddForm(user=request.user, dispute=dispute)
                                                    if dispute.state != DisputeState.CLOSED else None),
    }, status=status)


@login_required
@require_POST
def act(request, pk, action):
    """One action of the stage table, its form's fields handed to dispute_act; refusals in the services' words."""
    dispute = _dispute(request, pk)
    if action not in workflow.ACTIONS or action == "receive":
        raise Http404(_("No such action."))
    form = action_form(action, dispute, request.POST)
    if not form.is_valid():
        return detail(request, pk, forms={action: form}, status=422)
    try:
        services.dispute_act(actor=request.user, dispute=dispute, action=action, **form.fields_for_service())
    except Dispute.DoesNotExist:
        raise Http404(_("No such dispute.")) from None
    except PermissionDenied as denied:
        return detail(request, pk, error=str(denied), status=403)
    except ValidationError as error:
        if action not in permissions.actions_for(request.user, dispute):
            return detail(request, pk, error=_words(error), status=422)
        form.add_service_errors(error)
        return detail(request, pk, forms={action: form}, status=422)
    messages.success(request, _("Recorded: %(action)s.") % {"action": workflow.ACTIONS[action].label})
    return redirect("mediation:detail", pk=dispute.pk)


@login_required
@require_POST
def party_add(request, pk):
    dispute = _dispute(request, pk)
    form = PartyAddForm(request.POST, user=request.user, dispute=dispute)
    if form.is_valid():
        try:
            services.party_add(actor=request.user, dispute=dispute, **form.party())
        except ValidationError as error:
            form.add_service_errors(error, {"parties": NON_FIELD})
        else:
            messages.success(request, _("The party is added."))
            return redirect("mediation:detail", pk=dispute.pk)
    return detail(request, pk, forms={"party": form}, status=422)


NON_FIELD = "__all__"


@login_required
@require_POST
def mediator_add(request, pk):
    dispute = _dispute(request, pk)
    form = MediatorAddForm(request.POST, user=request.user, dispute=dispute)
    if form.is_valid():
        try:
            services.mediator_add(actor=request.user, dispute=dispute, kind=form.cleaned_data["kind"],
                                  team=form.cleaned_data["team"], person=form.cleaned_data["person"])
        except ValidationError as error:
            form.add_service_errors(error, {"mediators": NON_FIELD})
        else:
            messages.success(request, _("The mediator is added and told."))
            return redirect("mediation:detail", pk=dispute.pk)
    return detail(request, pk, forms={"mediator": form}, status=422)


@login_required
@require_POST
def party_phone(request, pk, party):
    """A party's phone in full, to call them: logged (services.party_phone_reveal)."""
    dispute = _dispute(request, pk)
    found = Party.objects.filter(dispute=dispute, pk=int_param(party) or 0).first()
    if found is None:
        raise Http404(_("No such party."))
    try:
        phone = services.party_phone_reveal(actor=request.user, party=found)
    except ValidationError as error:
        return detail(request, pk, error=_words(error), status=422)
    return detail(request, pk, revealed={found.pk: phone})


@login_required
def pick(request, pk, field):
    """The case's person pickers (htmx): a party to add, a mediator to add."""
    dispute = _dispute(request, pk)
    if field not in ("party", "mediator"):
        raise Http404
    return picker_results(request, person_picker(request.user, reverse("mediation:pick", args=[dispute.pk, field])))


@login_required
def agreement(request, pk):
    """人民调解协议书 as a PDF, for the case's readers (names in full: a logged view)."""
    dispute = _dispute(request, pk)
    found = getattr(dispute, "agreement", None)
    if found is None:
        raise Http404(_("This dispute has no agreement."))
    try:
        content = agreements.agreement_pdf(found)
    except agreements.NoFont:
        return render(request, "mediation/no_font.html", status=503)
    services.dispute_view_log(actor=request.user, dispute=dispute)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agreement-{dispute.pk}.pdf"'
    return response


# --- A building's pair ---

def _building(code) -> Place:
    if not isinstance(code, str) or not code.isdigit() or len(code) > 30:
        raise Http404
    return get_object_or_404(Place, code=code, kind=PlaceKind.BUILDING)


@login_required
def pair_set(request, code):
    """楼院长 + 物业楼长 of a building: its area's staff record them (the place page links here)."""
    building = _building(code)
    if not permissions.may_set_pair(request.user, building):
        raise PermissionDenied(_("Only the staff of the building's area record its building head and manager."))
    pair = selectors.building_pair_of(building)
    initial = {"head": pair.head, "manager": pair.manager, "property_company": pair.property_company_id,
               "since": pair.since} if pair else {}
    form = PairForm(request.POST if request.method == "POST" else None, user=request.user, building=building,
                    initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.building_pair_set(actor=request.user, building=building, **form.cleaned_data)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
                status = 403
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The building's pair is recorded."))
                return redirect("places:detail", code=building.code)
    return render(request, "mediation/pair_form.html", {"form": form, "building": building}, status=status)


@login_required
def pair_pick(request, code, field):
    building = _building(code)
    if field not in ("head", "manager") or not permissions.may_set_pair(request.user, building):
        raise Http404
    return picker_results(request, person_picker(request.user, reverse("mediation:pair_pick",
                                                                       args=[building.code, field])))


def place_panel(request, place) -> dict | None:
    """The building's pair on a building's (or an entrance's) place page, for its staff and the pair; with the way
    to record a dispute there and, for staff, to set the pair."""
    code = permissions.building_code(place)
    if code is None:
        return None
    user = request.user
    building = place if place.kind == PlaceKind.BUILDING else Place.objects.filter(code=code).first()
    may_set = building is not None and permissions.may_set_pair(user, building)
    may_receive = permissions.may_receive(user, place)
    if not (may_set or may_receive):
        return None
    pair = selectors.building_pair_of(place)
    return {"pair": pair, "building": building, "place": place, "may_set": may_set, "may_receive": may_receive,
            "head": mask_name(pair.head.name) if pair and pair.head_id else "",
            "manager": mask_name(pair.manager.name) if pair and pair.manager_id else ""}
