"""Pages of the needs loop. Thin: parse the form, call need_act, render. Public pages read no personal data."""

import datetime
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import proof_check
from core.media import file_response
from core.pagination import keyset_page
from core.params import int_param
from needs import choices, deadlines, matching, selectors, workflow
from needs.actions import NEED_PLACE_KINDS
from needs.forms import (
    BoardFilterForm,
    BulkActionForm,
    FollowUpForm,
    HolderPicker,
    PublicSubmitForm,
    StaffSubmitForm,
    SubmitForm,
    WorklistFilterForm,
    action_form,
)
from needs.hooks import origins_of
from needs.models import Channel, Photo, Rating, reference_clean
from needs.permissions import actions_for, is_recorder, require_may_act
from needs.public import list_views, names_on_record, need_view
from needs.ratelimit import bucket_take, client_key, submission_allowed
from needs.services import NeedConflict, need_act, need_contact_reveal, need_follow_up, need_submit
from people import scopes
from people.masking import mask_name, mask_phone
from people.public import personal_data_in, public_text
from places.forms import PickerField
from places.maps import grid_map
from places.models import Place
from places.views import picker_results

PAGE_SIZE = 20


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def board(request):
    form = BoardFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    tab = request.GET.get("tab", "open")
    near = selectors.coverage_codes(request.user) if filters.get("near") else None
    needs = selectors.board(tab=tab, community=filters.get("community"), grid=filters.get("grid"),
                            category=filters.get("category"), concern_level=filters.get("concern_level", ""),
                            near=near)
    page = keyset_page(needs, request.GET.get("before"), PAGE_SIZE)
    return render(request, "needs/board.html", {"form": form, "tab": tab, "page": page,
                                                "tabs": [("open", _("Waiting for a claimant")),
                                                         ("working", _("Being handled")), ("done", _("Done"))]})


def _home_place(user):
    """Where a resident lives, if it is a place a need may be about: the form starts there."""
    person = scopes.person_of(user)
    home = person.home if person is not None and person.home_id else None
    return home if home is not None and home.kind in NEED_PLACE_KINDS else None


def submit(request):
    staff = request.user.is_authenticated and is_recorder(request.user)
    form_class = StaffSubmitForm if staff else SubmitForm if request.user.is_authenticated else PublicSubmitForm
    kwargs = {"user": request.user} if staff else {}
    qr_place, qr_problem = _qr_place(request.GET.get("place", ""))
    start = qr_place or (None if staff else _home_place(request.user))
    initial = {"place": start.code} if start else {}
    form = form_class(request.POST or None, request.FILES or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        if not submission_allowed(request):
            form.add_error(None, _("You have sent several needs in a short time: please wait a while, or call "
                                   "your community."))
        else:
            fields = dict(form.cleaned_data)
            if not staff:
                fields["channel"] = Channel.QR if request.POST.get("from_qr") else Channel.ONLINE
            try:
                need = need_submit(actor=request.user, **fields)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Thank you: your need was received. Community staff will look at it "
                                            "within two working hours. Its tracking reference is %(reference)s: "
                                            "keep it to follow the need.") % {"reference": need.reference})
                if request.user.is_authenticated:
                    return redirect("needs:detail", pk=need.pk)
                return redirect("needs:track_detail", reference=need.reference)
    return render(request, "needs/submit.html", {"form": form, "qr_place": qr_place, "qr_problem": qr_problem,
                                                 "staff": staff})


def _qr_place(code: str) -> tuple[Place | None, str]:
    """The place a QR poster fills in (?place=<code>), or why it cannot: a code that names no place, or a place a
    need is not about (a subdistrict). The form is shown either way, without a place then."""
    code = code.strip()
    if not code:
        return None, ""
    place = Place.objects.filter(code=code).first() if code.isascii() and code.isdigit() else None
    if place is None:
        return None, _("The code you scanned (%(code)s) names no place: it may have been removed, or the code is "
                       "wrong. Choose the place below.") % {"code": code[:30]}
    if place.kind not in NEED_PLACE_KINDS:
        return None, _("A need is about a community or a place in one, not %(name)s: choose the place below.") % {
            "name": place.name}
    return place, ""


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def mine(request):
    return render(request, "needs/mine.html", {"page": _page(request, selectors.mine(request.user)),
                                               "working": selectors.working_on(request.user)[:50]})


@login_required
def triage(request):
    """The worklist: a queue of the user's area (to accept, to publish, …) or of what they hold, searched and
    filtered, escalated and overdue needs first, with bulk actions for staff."""
    user = request.user
    queues = selectors.queues_for(user)
    if not queues:
        raise PermissionDenied
    queue = request.GET.get("queue")
    queue = queue if queue in queues else queues[0]
    now = timezone.now()
    form = WorklistFilterForm(request.GET, user=user, auto_id="filter_%s")  # ids apart from the bulk form's
    rows = selectors.worklist(user, queue, now=now, **form.filters())
    size = form.cleaned_data.get("size") or PAGE_SIZE
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    views = list_views(page, user)
    for need in page:
        need.due, need.view = workflow.current_due(need), views[need.pk]
    counts = selectors.queue_counts(user, queues, now=now)
    return render(request, "needs/triage.html", {
        "queue": queue, "page": page, "form": form, "now": now,
        "queues": [(name, selectors.QUEUE_LABELS[name], counts.get(name)) for name in queues],
        "can_bulk": queue in selectors.STAFF_QUEUES and selectors.decides(user),
        "bulk": BulkActionForm(), "calendar_gaps": deadlines.calendar_gaps(timezone.localdate())})


def _detail_context(request, need, forms=None):
    forms = forms or {}
    actions = []
    for action in actions_for(request.user, need):
        form = forms.get(action) or action_form(action, need=need, user=request.user)
        actions.append({"name": action, "label": workflow.ACTIONS[action].label, "form": form,
                        "open": action in forms})
    is_staff = scopes.covers_place(request.user, need.place)
    offered = {a["name"] for a in actions}
    duplicates = suggestions = None
    mergeable = set()
    if is_staff and need.state in workflow.TRIAGE:
        duplicates = matching.likely_duplicates(title=need.title, description=need.description, place=need.place,
                                                exclude=need)
        if "merge" in offered:  # one click: "merge into #123"
            mergeable = set(choices.merge_targets(request.user, need).filter(
                pk__in=[dup.pk for dup, _score in duplicates]).values_list("pk", flat=True))
    if is_staff and need.state in workflow.AWAITING_CLAIM:
        suggestions = _suggestions(request.user, need, "dispatch" in offered)
    return {"need": need, "due": workflow.current_due(need), "actions": actions, "duplicates": duplicates,
            "mergeable": mergeable, "suggestions": suggestions, "events": selectors.timeline(need),
            "notes": need.notes.prefetch_related("photos"), "photos": need.photos.filter(note=None),
            "reporter": selectors.reporter_label(need, request.user), "collaborators": need.collaborators.all(),
            "is_staff": is_staff, "shown": need_view(need, request.user),
            "origins": origins_of(need, request.user), "has_proof": need.is_public and need.state in workflow.PUBLIC}


def _suggestions(user, need, may_dispatch: bool) -> list[dict]:
    """The suggested claimants (needs.matching) as the dispatch picker shows them: units, and the members the
    viewer may dispatch to (masked, with their unit). With the dispatch form's key when the viewer may dispatch
    (one click)."""
    found = matching.claimant_suggestions(need)
    picker = HolderPicker(user, need)
    ids = {kind: [s["object"].pk for s in found if s["kind"] == kind] for kind in ("organisation", "person")}
    allowed = {"organisation": set(picker.units.filter(pk__in=ids["organisation"]).values_list("pk", flat=True)),
               "person": set(picker.members.filter(pk__in=ids["person"]).values_list("pk", flat=True))}
    found = [s for s in found if s["kind"] == "organisation" or s["object"].pk in allowed["person"]]
    return [{"choice": choice, "reasons": s["reasons"], "may": may_dispatch and s["object"].pk in allowed[s["kind"]]}
            for s, choice in zip(found, picker.choices([s["object"] for s in found]), strict=True)]


def detail(request, pk):
    need = selectors.with_labels(selectors.needs_visible_to(request.user)).filter(pk=pk).first()
    if need is None:
        raise Http404(_("No such need, or it is not public."))
    return render(request, "needs/detail.html", _detail_context(request, need))


@login_required
@require_POST
def act(request, pk, action):
    need = get_object_or_404(selectors.needs_visible_to(request.user).select_related("place"), pk=pk)
    if action not in workflow.ACTIONS:
        raise Http404
    try:
        if workflow.next_state(need.state, action) is not None:  # a need that moved on: need_act says so below
            require_may_act(request.user, need, action)
    except PermissionDenied as denied:
        return _refused(request, need, denied)
    form = action_form(action, need=need, user=request.user, data=request.POST, files=request.FILES)
    fields = {}
    if form is not None:
        if not form.is_valid():
            return render(request, "needs/detail.html", _detail_context(request, need, {action: form}), status=422)
        fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    try:
        need_act(actor=request.user, need=need, action=action, **fields)
    except NeedConflict as conflict:
        messages.error(request, conflict.message)
    except PermissionDenied as denied:
        return _refused(request, need, denied)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            _add_errors(form, error)
            return render(request, "needs/detail.html", _detail_context(request, need, {action: form}), status=422)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label})
    return redirect("needs:detail", pk=need.pk)


def _refused(request, need, denied: PermissionDenied):
    """A refused action (role, area, or whom it names): the need's page with the reason, 403 as in the API."""
    messages.error(request, str(denied))
    return render(request, "needs/detail.html", _detail_context(request, need), status=403)


def duplicates(request):
    """The duplicate hint under the submit form (htmx): similar open needs in the same grid."""
    place = Place.objects.filter(code=request.GET.get("place", "")).first()
    found = matching.likely_duplicates(title=request.GET.get("title", ""), description=request.GET.get(
        "description", ""), place=place)
    if not (request.user.is_authenticated and scopes.covers_place(request.user, place)):
        found = [(n, score) for n, score in found if n.is_public and n.state in workflow.PUBLIC]
    views = list_views([n for n, _score in found], request.user)  # as the board's cards show them
    for need, _score in found:
        need.shown = views[need.pk]
    return render(request, "needs/_duplicates.html", {"duplicates": found})


def _worklist_url(request, value) -> str:
    """Back to the worklist the bulk action came from (a path of this site, on the worklist, only)."""
    worklist = reverse("needs:triage")
    if value and value.startswith(worklist) and url_has_allowed_host_and_scheme(value, allowed_hosts={
            request.get_host()}):
        return value
    return worklist


@login_required
@require_POST
def bulk(request):
    """One action for the needs ticked on the worklist. Each need goes through need_act in its own transaction:
    one that is refused stays as it was and is reported with the reason; the others go through."""
    back = _worklist_url(request, request.POST.get("next"))
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action, fields = form.cleaned_data["action"], form.action_fields()
    ids = list(dict.fromkeys(form.cleaned_data["need"]))
    found = selectors.needs_in_scope(request.user).in_bulk(ids)
    results = []
    for pk in ids:
        need, reason = found.get(pk), None
        if need is None:
            reason = _("No such need in your area.")
        else:
            try:
                need = need_act(actor=request.user, need=need, action=action, **fields)
            except NeedConflict as conflict:
                reason = conflict.message
            except PermissionDenied as denied:
                reason = str(denied)
            except ValidationError as error:
                reason = " ".join(error.messages)
        results.append({"pk": pk, "need": need, "reason": reason})
    done = sum(1 for r in results if r["reason"] is None)
    return render(request, "needs/bulk_result.html", {
        "results": results, "done": done, "failed": len(results) - done, "back": back,
        "action_label": workflow.ACTIONS[action].label})


# --- Photos, tracking a report, the call-back list -------------------------------------------------------

def photo(request, need_id, token, thumb=""):
    """A need's photo (or its thumbnail) at its unguessable address, to those who may open the need: anyone
    for a public need from the claim board on; a private one's only to its area's staff, its reporters and
    those who work on it. Anyone else gets the same 404 as for a photo that does not exist."""
    need_id = int_param(need_id)  # the pattern's digits may name no record (beyond 64 bits, or not ASCII)
    photo = Photo.objects.filter(token=token, need_id=need_id).only("image", "thumbnail").first() if need_id else None
    if photo is None or not selectors.needs_visible_to(request.user).filter(pk=need_id).exists():
        raise Http404(_("No such photo."))
    return file_response((photo.thumbnail if thumb else photo.image).name, private=True)


def proof(request, pk):
    """A need's proof for a resident (docs/resident-proof.md): what it is, the steps it covers, the checkpoints
    that sign them, and how to check it without trusting this site. Public needs only, for everyone."""
    need = selectors.public_need(pk)
    if need is None:
        raise Http404(_("No such need, or it is not public."))
    found = selectors.proof(need)
    when = datetime.datetime.fromisoformat
    steps = [{"at": when(step["at"]), "verb": step["verb"], "chain": segment["chain"], "seq": step["seq"],
              "checkpoint": segment["checkpoint"]["number"]}
             for segment in found["segments"] for step in segment["steps"] if "verb" in step]
    steps += [{**event, "at": when(event["at"]), "checkpoint": None} for event in found["pending"]]
    checkpoints = [{**c, "at": when(c["at"])} for c in {s["checkpoint"]["number"]: s["checkpoint"]
                                                         for s in found["segments"]}.values()]
    return render(request, "needs/proof.html", {
        "need": need, "shown": need_view(need, request.user), "proof": found, "steps": steps,
        "checkpoints": checkpoints, "next_checkpoint_at": found["next_checkpoint_at"] and when(
            found["next_checkpoint_at"]), "file_name": f"need-{need.pk}-proof.json"})


def proof_json(request, pk):
    need = selectors.public_need(pk)
    if need is None:
        return JsonResponse({"detail": "找不到该需求，或它不公开。No such need, or it is not public."}, status=404)
    return JsonResponse(selectors.proof(need), json_dumps_params={"ensure_ascii": False, "indent": 1})


def proof_script(request):
    """The checker a resident runs (core/proof_check.py, the standard library only), to download."""
    return FileResponse(open(proof_check.__file__, "rb"), as_attachment=True, filename="check-proof.py",
                        content_type="text/x-python; charset=utf-8")


def _track_key(request) -> str:
    """The client's bucket for look-ups, apart from its submissions'."""
    return hashlib.sha256(f"track:{client_key(request)}".encode()).hexdigest()


def track(request):
    """Follow a report by its tracking reference (查询码): the form, and where it sends a reference typed in."""
    reference = reference_clean(request.GET.get("reference", ""))[:20]
    if reference:
        return redirect("needs:track_detail", reference=reference)
    return render(request, "needs/track.html", {"asked": "reference" in request.GET})


def track_detail(request, reference):
    """The public status of one need by its reference: where it stands and its steps, no personal data. A
    reference nobody has — mistyped, made up or too long — answers one and the same "not found"."""
    if not bucket_take(_track_key(request), capacity=settings.NEEDS_TRACK_BURST,
                       per_hour=settings.NEEDS_TRACK_PER_HOUR):
        return render(request, "needs/track.html", {"limited": True}, status=429)
    need = selectors.tracked(reference)
    if need is None:
        return render(request, "needs/track.html", {"missing": True}, status=404)
    view = need_view(need, request.user)
    # Each step with the state it led to; of the notes only the reason for a rejection, which is the
    # reporter's to read, in public text.
    steps = [{"at": e.at, "verb": e.verb, "to": e.data.get("to") if e.data.get("to") != e.data.get("from") else "",
              "note": view.text(e.data.get("note") or "") if e.verb == "need.reject" else ""}
             for e in selectors.timeline(need) if e.verb != "need.remind"]
    return render(request, "needs/track_detail.html", {
        "need": need, "view": view, "steps": steps, "due": workflow.current_due(need),
        "resolution": view.text(need.resolution_note), "evidence": view.text(need.evidence)})


def _callback_cards(user, needs, *, revealed=None, form=None, error="") -> list[dict]:
    """A card per need: whom to call (masked until the call), and the grade to record. For a card on its own:
    `revealed`, the full name and phone just shown; `form`, its grade form with errors; `error`, why not."""
    reporters = {n.reporter_id for n in needs if n.reporter_id}
    # One query for the page: whose full phone the user may be shown (people.scopes decides).
    may_see = set(scopes.persons_visible_to(user).filter(pk__in=reporters).values_list("pk", flat=True))
    cards = []
    for need in needs:
        if need.reporter_id and need.reporter.phone:
            name, phone, callable_ = need.reporter.name, need.reporter.phone, need.reporter_id in may_see
        else:
            name, phone, callable_ = need.contact_name, need.contact_phone, bool(need.contact_phone)
        cards.append({"need": need, "name": mask_name(name), "phone": mask_phone(phone) if phone else "",
                      "callable": callable_, "revealed": revealed, "error": error,
                      "form": form or FollowUpForm(auto_id=f"n{need.pk}_%s")})
    return cards


def _callback_one(request, need, *, status=200, **card):
    """One card of the call-back list on its own: what the reveal and a refused grade answer (htmx swaps the
    card in the list; without JavaScript it is a page with a way back to the list)."""
    return render(request, "needs/callbacks.html", {
        "cards": _callback_cards(request.user, [need], **card), "single": True,
        "window_days": settings.NEEDS_RATE_DAYS}, status=status)


@login_required
def callbacks(request):
    """回访: resolved needs the resident did not rate in time, for the grid worker's (or staff's) call."""
    if not selectors.calls_back(request.user):
        raise PermissionDenied
    page = _page(request, selectors.callbacks(request.user, now=timezone.now()))
    return render(request, "needs/callbacks.html", {"page": page, "cards": _callback_cards(request.user, list(page)),
                                                    "window_days": settings.NEEDS_RATE_DAYS})


def _callback_need(request, pk):
    if not selectors.calls_back(request.user):
        raise PermissionDenied
    return get_object_or_404(selectors.needs_in_scope(request.user).select_related("place", "reporter"), pk=pk)


@login_required
@require_POST
def callback_reveal(request, pk):
    """Show the full phone to call (a tel: link), the view logged."""
    need = _callback_need(request, pk)
    try:
        name, phone = need_contact_reveal(actor=request.user, need=need)
    except PermissionDenied as denied:
        return _callback_one(request, need, error=str(denied), status=403)
    except ValidationError as error:
        return _callback_one(request, need, error=" ".join(error.messages), status=422)
    return _callback_one(request, need, revealed={"name": name, "phone": phone})


@login_required
@require_POST
def callback_record(request, pk):
    """Record the grade the resident gave on the call: the follow-up action, in one step from the list."""
    need = _callback_need(request, pk)
    form = FollowUpForm(request.POST, auto_id=f"n{need.pk}_%s")
    if form.is_valid():
        try:
            need_follow_up(actor=request.user, need=need, **form.cleaned_data)
        except NeedConflict as conflict:
            messages.error(request, conflict.message)
        except PermissionDenied as denied:
            return _callback_one(request, need, error=str(denied), status=403)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Follow-up call recorded: “%(title)s”, %(rating)s.") % {
                "title": need.title, "rating": Rating(form.cleaned_data["rating"]).label})
            return redirect("needs:callbacks")
    if form.errors:
        return _callback_one(request, need, form=form, status=422)
    return redirect("needs:callbacks")


def pick(request, pk, action, field):
    """The matches of a picker on a need's action form (htmx): exactly what the form would accept from this user;
    nothing for an action the user is not offered."""
    need = selectors.needs_visible_to(request.user).select_related("place").filter(pk=pk).first()
    if need is None or action not in actions_for(request.user, need):
        raise Http404
    form = action_form(action, need=need, user=request.user)
    if form is None or not isinstance(form.fields.get(field), PickerField):
        raise Http404
    return picker_results(request, form.fields[field].picker)


PUBLISHED_FIELDS = ("note", "comment", "evidence")  # the action forms' fields whose text public pages show


@login_required
@require_POST
def text_check(request, pk):
    """Under a note, comment or evidence field (htmx, as the user types): whether the text names a person on
    record linked to the need or a phone number, and how public pages will show it (needs.public)."""
    need = get_object_or_404(selectors.needs_visible_to(request.user).select_related("place"), pk=pk)
    names = names_on_record(need)
    texts = [value for key, value in request.POST.items() if key.rsplit("-", 1)[-1] in PUBLISHED_FIELDS]
    flagged = [public_text(text, names) for text in texts if personal_data_in(text, names)]
    return render(request, "needs/_text_check.html", {"flagged": flagged})


def board_map(request):
    """The claim board's map (htmx, opened on demand): the grids of the chosen community — of every community when
    none is chosen — coloured by the board's public needs in each under its other filters; a click on a grid
    filters the board to it. Public needs only, as the board."""
    form = BoardFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    community = filters.get("community")
    needs = selectors.board(tab=request.GET.get("tab", "open"), community=community,
                            category=filters.get("category"), concern_level=filters.get("concern_level", ""),
                            near=selectors.coverage_codes(request.user) if filters.get("near") else None)

    def filtered_to(code):
        query = request.GET.copy()
        query.pop("before", None)
        query.update({"community": code[:len(code) - 3], "grid": code})
        return f"{reverse('needs:board')}?{query.urlencode()}"

    shown = grid_map(community, figures=selectors.grid_counts(needs),
                     metrics=[("needs", _("Needs on the board"))], url=filtered_to,
                     selected=filters["grid"].code if filters.get("grid") else "")
    return render(request, "needs/_board_map.html", {"grid_map": shown})
