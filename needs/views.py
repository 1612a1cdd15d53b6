"""Pages of the needs loop. Thin: parse the form, call need_act, render. Public pages read no personal data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import keyset_page
from needs import deadlines, matching, selectors, workflow
from needs.forms import BoardFilterForm, StaffSubmitForm, SubmitForm, action_form
from needs.models import Channel, Notification
from needs.permissions import actions_for
from needs.ratelimit import bucket_take, client_key
from needs.services import NeedConflict, need_act, need_submit
from people import scopes
from places.models import Place

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


def _is_recorder(user) -> bool:
    """Grid workers and staff record needs for residents (channel, concern, reporter)."""
    return scopes.is_superuser(user) or bool(scopes.roles(user) & set(scopes.PLACE_ROLES))


def submit(request):
    staff = request.user.is_authenticated and _is_recorder(request.user)
    form_class = StaffSubmitForm if staff else SubmitForm
    kwargs = {"user": request.user} if staff else {}
    qr_place = Place.objects.filter(code=request.GET.get("place", "")).first()
    initial = {"place": qr_place.code} if qr_place else {}
    form = form_class(request.POST or None, request.FILES or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        if not staff and not bucket_take(client_key(request)):
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
                                            "within two working hours."))
                if request.user.is_authenticated:
                    return redirect("needs:detail", pk=need.pk)
                return redirect("needs:board")
    return render(request, "needs/submit.html", {"form": form, "qr_place": qr_place, "staff": staff})


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
    if not _is_recorder(request.user):
        raise PermissionDenied
    return render(request, "needs/triage.html", {"page": _page(request, selectors.triage(request.user)),
                                                 "calendar_gaps": deadlines.calendar_gaps(timezone.localdate())})


def _detail_context(request, need, forms=None):
    forms = forms or {}
    actions = []
    for action in actions_for(request.user, need):
        form = forms.get(action) or action_form(action, need=need, user=request.user)
        actions.append({"name": action, "label": workflow.ACTIONS[action].label, "form": form,
                        "open": action in forms})
    is_staff = scopes.covers_place(request.user, need.place)
    duplicates = suggestions = None
    if is_staff and need.state in workflow.TRIAGE:
        duplicates = matching.likely_duplicates(title=need.title, description=need.description, place=need.place,
                                                exclude=need)
    if is_staff and need.state in workflow.AWAITING_CLAIM:
        visible = set(scopes.persons_visible_to(request.user).values_list("pk", flat=True))
        suggestions = [s for s in matching.claimant_suggestions(need)
                       if s["kind"] == "organisation" or s["object"].pk in visible]
    return {"need": need, "due": workflow.current_due(need), "actions": actions, "duplicates": duplicates,
            "suggestions": suggestions, "events": selectors.timeline(need),
            "notes": need.notes.prefetch_related("photos"), "photos": need.photos.filter(note=None),
            "reporter": selectors.reporter_label(need, request.user), "collaborators": need.collaborators.all(),
            "is_staff": is_staff}


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
        messages.error(request, str(denied))
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            _add_errors(form, error)
            return render(request, "needs/detail.html", _detail_context(request, need, {action: form}), status=422)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label})
    return redirect("needs:detail", pk=need.pk)


@login_required
def inbox(request):
    notifications = Notification.objects.filter(user=request.user).select_related("need")
    page = _page(request, notifications)
    unread = [n.pk for n in page if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "needs/inbox.html", {"page": page, "unread": set(unread)})


def duplicates(request):
    """The duplicate hint under the submit form (htmx): similar open needs in the same grid."""
    place = Place.objects.filter(code=request.GET.get("place", "")).first()
    found = matching.likely_duplicates(title=request.GET.get("title", ""), description=request.GET.get(
        "description", ""), place=place)
    if not (request.user.is_authenticated and scopes.covers_place(request.user, place)):
        found = [(n, score) for n, score in found if n.is_public and n.state in workflow.PUBLIC]
    return render(request, "needs/_duplicates.html", {"duplicates": found})
