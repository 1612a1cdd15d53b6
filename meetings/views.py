"""Pages of committee and meetings (SPEC §6): the list of bodies and meetings, a body's page (members, rules in
words, meetings; its managers add members and schedule), a meeting's page (agenda, attendance, minutes in versions
with attachments, resolutions with their votes and progress; managers record and decide, members vote), a version
of the minutes, an attachment, the forms that turn a resolution into a need or an activity, and the public pages of
published minutes and resolutions.

Thin: parse, call meetings.services or a selector, render. Refusals are the services' words, shown on the page the
form was on, with what was typed kept. The public pages read only selectors.meeting_public (the API's definition):
members by what they represent and their unit or a masked name, no phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.media import file_response
from core.params import int_param
from meetings import permissions, progress, rules, selectors, services
from meetings.forms import (
    ActivityFromResolutionForm,
    AgendaItemForm,
    AttachmentForm,
    AttendanceForm,
    BodyForm,
    DecideForm,
    DoneForm,
    EndForm,
    LinkNeedForm,
    MeetingFilterForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    NeedFromResolutionForm,
    PublicFilterForm,
    ReasonForm,
    ResolutionForm,
    ReviseForm,
    VoteForm,
)
from meetings.models import (
    Attachment,
    Body,
    Meeting,
    MeetingState,
    Member,
    Minutes,
    MinutesState,
    Presence,
    Resolution,
    ResolutionState,
    VoteMode,
)
from meetings.workflow import STANDING_MINUTES
from needs.selectors import needs_visible_to
from needs.workflow import ACTIONS as NEED_ACTIONS
from people import scopes
from places.selectors import within
from places.views import picker_results

PAGE_SIZE = 20
# A resolution's history (progress.history_of) in words: its own events, and those of what it created.
HISTORY = {"resolution_propose": gettext_lazy("Motion proposed"), "vote_cast": gettext_lazy("A vote recorded"),
           "resolution_decide": gettext_lazy("Decided"), "resolution_withdraw": gettext_lazy("Withdrawn"),
           "resolution_need_create": gettext_lazy("Need raised"), "resolution_need_link": gettext_lazy("Need linked"),
           "resolution_activity_create": gettext_lazy("Activity created"),
           "resolution_mark_done": gettext_lazy("Marked done"), "activity_create": gettext_lazy("Activity created"),
           "activity_update": gettext_lazy("Activity changed"), "activity_cancel": gettext_lazy("Activity cancelled")}


def history_rows(events) -> list[dict]:
    rows = []
    for e in events:
        action = NEED_ACTIONS.get(e.verb.removeprefix("need.")) if e.verb.startswith("need.") else None
        label = action.label if action else HISTORY.get(e.verb, e.verb)
        what = f"#{e.subject_id}" if e.verb.startswith("need.") else ""
        rows.append({"at": e.at, "label": label, "what": what})
    return rows


def _page(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _words(error: ValidationError) -> str:
    return " ".join(error.messages)


def _refusal(error) -> str:
    return str(error) if isinstance(error, PermissionDenied) else _words(error)


def _status(error) -> int:
    return 403 if isinstance(error, PermissionDenied) else 422


def _add_errors(form, error):
    """A refusal on the form it answers: a field's words by its field, the rest above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _refusal(error))


# --- Finding what the user may open -------------------------------------------------------------------------

def _body(request, pk) -> Body:
    pk = int_param(pk)
    body = Body.objects.select_related("place").filter(pk=pk).first() if pk else None
    if body is None or not permissions.may_view(request.user, body):
        raise Http404(_("No such body, or you are not one of its members or managers."))
    return body


def _visible(request, records, pk, meeting_of, missing: str):
    """The record with this id whose meeting the user may open, or 404 (as for a missing one)."""
    pk = int_param(pk)
    found = records.filter(pk=pk).first() if pk else None
    if found is None or not permissions.may_view(request.user, meeting_of(found)):
        raise Http404(missing)
    return found


def _meeting(request, pk) -> Meeting:
    return _visible(request, Meeting.objects.select_related("body__place"), pk, lambda m: m,
                    _("No such meeting, or you are not one of its body's members or managers."))


def _resolution(request, pk) -> Resolution:
    return _visible(request, Resolution.objects.select_related("meeting__body__place"), pk, lambda r: r.meeting,
                    _("No such resolution."))


def _minutes(request, pk) -> Minutes:
    return _visible(request, Minutes.objects.select_related("meeting__body__place"), pk, lambda m: m.meeting,
                    _("No such minutes."))


def _managed(request, body) -> None:
    if not permissions.may_manage(request.user, body):
        raise PermissionDenied(_("Only the staff of the body's area manage its members and meetings."))


# --- The list -----------------------------------------------------------------------------------------------

@login_required
def meeting_list(request):
    """会议: the bodies the user may see and their meetings, by body, year, state, a word of the title; the
    ledger's links add an area (`place`) and a kind."""
    form = MeetingFilterForm(request.GET or None, bodies=selectors.bodies_for(request.user))
    error = ""
    if form.is_bound and not form.is_valid():
        error = _("A filter was not understood and is left out: %(fields)s.") % {
            "fields": "、".join(str(form.fields[f].label or f) for f in form.errors)}
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    meetings = selectors.meetings_for(request.user, body=data.get("body"), state=data.get("state") or "",
                                      year=data.get("year"), text=data.get("q") or "")
    if data.get("place"):
        meetings = meetings.filter(within(data["place"], "body__place"))
    if data.get("kind"):
        meetings = meetings.filter(body__kind=data["kind"])
    bodies = selectors.bodies_for(request.user, place=data.get("place"), kind=data.get("kind") or "")
    page = _page(request, meetings.select_related("body").annotate(
        n_resolutions=Count("resolutions", distinct=True)))
    return render(request, "meetings/list.html", {
        "form": form, "page": page, "error": error, "bodies": bodies[:50],
        "may_create": scopes.is_superuser(request.user) or bool(scopes.place_prefixes(
            request.user, permissions.MANAGER_ROLES))}, status=400 if error else 200)


@login_required
def body_create(request):
    """A new body: a 社工委 takes the community's committee seats as its members."""
    form = BodyForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                body = services.body_create(actor=request.user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                _add_errors(form, error)
                status = _status(error)
            else:
                messages.success(request, _("The body is recorded."))
                return redirect("meetings:body", pk=body.pk)
    return render(request, "meetings/body_form.html", {"form": form}, status=status)


# --- A body -------------------------------------------------------------------------------------------------

def _body_page(request, body, *, member_form=None, status=200):
    manage = permissions.may_manage(request.user, body)
    members = list(selectors.members_of(body))
    return render(request, "meetings/body.html", {
        "body": body, "manage": manage, "rules": rules.rule_words(body),
        "members": [{"member": m, "label": selectors.member_label(m)} for m in members],
        "page": _page(request, selectors.meetings_for(request.user, body=body)),
        "member_form": member_form or (MemberForm(user=request.user, body=body) if manage else None),
        "end_form": EndForm(initial={"until": timezone.localdate()}, auto_id="end_%s") if manage else None,
        "open_member": member_form is not None}, status=status)


@login_required
def body_detail(request, pk):
    return _body_page(request, _body(request, pk))


@login_required
@require_POST
def member_add(request, pk):
    body = _body(request, pk)
    _managed(request, body)
    form = MemberForm(request.POST, user=request.user, body=body)
    if not form.is_valid():
        return _body_page(request, body, member_form=form, status=422)
    try:
        services.member_add(actor=request.user, body=body, **{k: v for k, v in form.cleaned_data.items() if v})
    except (PermissionDenied, ValidationError) as error:
        _add_errors(form, error)
        return _body_page(request, body, member_form=form, status=_status(error))
    messages.success(request, _("The member is added: they are invited to the meetings scheduled from now on."))
    return redirect("meetings:body", pk=body.pk)


@login_required
def member_pick(request, pk, field):
    body = _body(request, pk)
    if field not in ("person", "organisation") or not permissions.may_manage(request.user, body):
        raise Http404
    form = MemberForm(user=request.user, body=body)
    if field not in form.fields:
        raise Http404
    return picker_results(request, form.fields[field].picker)


@login_required
@require_POST
def member_end(request, pk):
    pk = int_param(pk)
    member = Member.objects.select_related("body__place").filter(pk=pk).first() if pk else None
    if member is None or not permissions.may_view(request.user, member.body):
        raise Http404(_("No such member."))
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_words(ValidationError(list(form.errors.get("until", [])))))
        services.member_end(actor=request.user, member=member, until=form.cleaned_data["until"])
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _refusal(error))
        return _body_page(request, member.body, status=_status(error))
    messages.success(request, _("The member's seat is ended."))
    return redirect("meetings:body", pk=member.body_id)


@login_required
def meeting_create(request, pk):
    """Schedule a meeting of the body: every current member is invited and told."""
    body = _body(request, pk)
    _managed(request, body)
    form = MeetingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            starts, ends = form.times(timezone.get_current_timezone())
            data = form.cleaned_data
            try:
                meeting = services.meeting_schedule(
                    actor=request.user, body=body, title=data["title"], starts_at=starts, ends_at=ends,
                    location=data["location"], agenda=form.agenda_items(), guests=data["guests"],
                    is_public=data["is_public"])
            except (PermissionDenied, ValidationError) as error:
                _add_errors(form, error)
                status = _status(error)
            else:
                messages.success(request, _("The meeting is scheduled and the members are told."))
                return redirect("meetings:meeting", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "body": body}, status=status)


@login_required
def meeting_update(request, pk):
    meeting = _meeting(request, pk)
    _managed(request, meeting.body)
    local = timezone.localtime(meeting.starts_at)
    initial = {"title": meeting.title, "day": local.date(), "start": local.time(), "location": meeting.location,
               "guests": meeting.guests, "is_public": meeting.is_public,
               "end": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None}
    form = MeetingForm(request.POST or None, initial=initial, meeting=meeting)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            starts, ends = form.times(timezone.get_current_timezone())
            data = form.cleaned_data
            try:
                services.meeting_update(actor=request.user, meeting=meeting, title=data["title"], starts_at=starts,
                                        ends_at=ends, location=data["location"], guests=data["guests"],
                                        is_public=data["is_public"])
            except (PermissionDenied, ValidationError) as error:
                _add_errors(form, error)
                status = _status(error)
            else:
                messages.success(request, _("The meeting is changed."))
                return redirect("meetings:meeting", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "body": meeting.body, "meeting": meeting},
                  status=status)


# --- A meeting's page ---------------------------------------------------------------------------------------

def _current_minutes(meeting) -> Minutes | None:
    return meeting.minutes.order_by("-version").first()


def _resolution_rows(request, meeting, resolutions, manage, member, forms):
    found = progress.progress_for(resolutions)
    present = [a.member for a in meeting.attendances.select_related(
        "member__person", "member__organisation").filter(presence=Presence.PRESENT)]
    present_choices = [(m, selectors.member_label(m)) for m in present]
    voted = set()
    if member is not None:
        voted = set(member.votes.filter(resolution__in=resolutions).values_list("resolution_id", flat=True))
    rows = []
    for r in resolutions:
        key = f"r{r.pk}"
        open_ = r.state == ResolutionState.PROPOSED
        members_mode = r.vote_mode == VoteMode.MEMBERS
        rows.append({
            "r": r, "progress": found.get(r.pk),
            "history": history_rows(progress.history_of(r)) if r.state != ResolutionState.PROPOSED else [],
            "votes": r.votes.count() if members_mode else None,
            "decide_form": forms.get(f"decide-{key}") or (DecideForm(prefix=key) if manage and open_
                                                          and not members_mode else None),
            "record_form": forms.get(f"record-{key}") or (VoteForm(prefix=f"{key}v", members=present_choices)
                                                          if manage and open_ and members_mode else None),
            "vote_form": forms.get(f"vote-{key}") or (VoteForm(prefix=f"{key}o") if member is not None and open_
                                                      and members_mode and r.pk not in voted else None),
            "voted": r.pk in voted,
            "link_form": forms.get(f"link-{key}") or (_link_form(request, r, prefix=f"{key}l") if manage
                                                      and r.state == ResolutionState.ADOPTED else None),
            "done_form": forms.get(f"done-{key}") or (DoneForm(prefix=f"{key}d") if manage and r.state ==
                                                      ResolutionState.ADOPTED and not r.done_at else None),
            "open": any(name.endswith(f"-{key}") for name in forms)})
    return rows


def _link_form(request, resolution, *, data=None, prefix=None):
    needs = needs_visible_to(request.user).filter(within(resolution.meeting.body.place, "place"))
    return LinkNeedForm(data, needs=needs, prefix=prefix, url=reverse("meetings:need_pick", args=[resolution.pk]))


def _meeting_page(request, meeting, *, forms=None, error="", status=200):
    forms = forms or {}
    body, user = meeting.body, request.user
    manage = permissions.may_manage(user, body)
    member = permissions.member_of(user, body, on=timezone.localdate(meeting.starts_at))
    attendances = list(meeting.attendances.select_related("member__person", "member__organisation",
                                                           "member__seat").order_by("member_id"))
    labels = {a.member_id: selectors.member_label(a.member) for a in attendances}
    counts = {p: sum(1 for a in attendances if a.presence == p) for p in Presence.values}
    minutes = _current_minutes(meeting)
    versions = list(meeting.minutes.order_by("-version"))
    resolutions = list(meeting.resolutions.select_related("agenda_item").prefetch_related("needs", "activities"))
    scheduled, held = meeting.state == MeetingState.SCHEDULED, meeting.state == MeetingState.HELD
    standing = minutes is not None and minutes.state in STANDING_MINUTES
    may_write = manage and meeting.state != MeetingState.CANCELLED
    return render(request, "meetings/meeting.html", {
        "meeting": meeting, "body": body, "manage": manage, "member": member, "error": error,
        "agenda": meeting.agenda_items.all(),
        "attendances": [{"a": a, "label": labels[a.member_id]} for a in attendances], "counts": counts,
        "quorum": rules.quorum_refusal(meeting) if held else None,
        "quorum_needed": rules.quorum_needed(body, len(attendances)) if attendances else 0,
        "minutes": minutes, "versions": versions,
        "attachments": minutes.attachments.all() if minutes is not None else [],
        "resolutions": _resolution_rows(request, meeting, resolutions, manage, member, forms),
        "agenda_form": forms.get("agenda") or (AgendaItemForm() if manage and meeting.state != "cancelled"
                                               else None),
        "attendance_form": forms.get("attendance") or (AttendanceForm(attendances=attendances, labels=labels)
                                                       if manage and meeting.state != "cancelled" else None),
        "minutes_form": forms.get("minutes") or (MinutesForm(initial={"text": minutes.text if minutes else ""})
                                                 if may_write and not standing else None),
        "revise_form": forms.get("revise") or (ReviseForm(initial={"text": minutes.text}) if may_write and standing
                                               else None),
        "attachment_form": forms.get("attachment") or (AttachmentForm() if may_write and minutes is not None
                                                       and minutes.state == MinutesState.DRAFT else None),
        "resolution_form": forms.get("resolution") or (ResolutionForm(meeting=meeting) if manage and
                                                       meeting.state != "cancelled" else None),
        "cancel_form": forms.get("cancel") or (ReasonForm(auto_id="cancel_%s") if manage and scheduled else None),
        "open": set(forms), "scheduled": scheduled, "held": held}, status=status)


@login_required
def meeting_detail(request, pk):
    return _meeting_page(request, _meeting(request, pk))


def _after(request, meeting, done: str, anchor=""):
    messages.success(request, done)
    return redirect(reverse("meetings:meeting", args=[meeting.pk]) + anchor)


def _meeting_form(request, pk, name, form_class, act, done, anchor="", *, with_meeting=False):
    """A form posted from the meeting's page by its managers (asked first: a member's post is refused, 403, whatever
    it holds): valid → the service; else that page with the form open."""
    meeting = _meeting(request, pk)
    _managed(request, meeting.body)
    form = form_class(request.POST, request.FILES, **({"meeting": meeting} if with_meeting else {}))
    if not form.is_valid():
        return _meeting_page(request, meeting, forms={name: form}, status=422)
    try:
        act(meeting, form)
    except (PermissionDenied, ValidationError) as error:
        _add_errors(form, error)
        return _meeting_page(request, meeting, forms={name: form}, status=_status(error))
    return _after(request, meeting, done, anchor)


@login_required
@require_POST
def agenda_add(request, pk):
    return _meeting_form(request, pk, "agenda", AgendaItemForm, lambda m, f: services.agenda_item_add(
        actor=request.user, meeting=m, **f.cleaned_data), _("The agenda item is added."), "#agenda")


@login_required
@require_POST
def attendance(request, pk):
    meeting = _meeting(request, pk)
    attendances = list(meeting.attendances.select_related("member__person", "member__organisation"))
    labels = {a.member_id: selectors.member_label(a.member) for a in attendances}
    form = AttendanceForm(request.POST, attendances=attendances, labels=labels)
    if not form.is_valid():
        return _meeting_page(request, meeting, forms={"attendance": form}, status=422)
    try:
        services.attendance_record(actor=request.user, meeting=meeting, presence=form.presence())
    except (PermissionDenied, ValidationError) as error:
        _add_errors(form, error)
        return _meeting_page(request, meeting, forms={"attendance": form}, status=_status(error))
    return _after(request, meeting, _("Attendance is recorded."), "#attendance")


def _meeting_action(request, pk, act, done, anchor=""):
    meeting = _meeting(request, pk)
    try:
        act(meeting)
    except (PermissionDenied, ValidationError) as error:
        return _meeting_page(request, meeting, error=_refusal(error), status=_status(error))
    return _after(request, meeting, done, anchor)


@login_required
@require_POST
def meeting_hold(request, pk):
    return _meeting_action(request, pk, lambda m: services.meeting_hold(actor=request.user, meeting=m),
                           _("The meeting is marked held: write the minutes and decide the resolutions."))


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _meeting_form(request, pk, "cancel", ReasonForm, lambda m, f: services.meeting_cancel(
        actor=request.user, meeting=m, reason=f.cleaned_data["reason"]),
        _("The meeting is cancelled and the members are told."))


@login_required
@require_POST
def minutes_write(request, pk):
    return _meeting_form(request, pk, "minutes", MinutesForm, lambda m, f: services.minutes_write(
        actor=request.user, meeting=m, text=f.cleaned_data["text"]), _("The minutes are saved as a draft."),
        "#minutes")


@login_required
@require_POST
def minutes_revise(request, pk):
    return _meeting_form(request, pk, "revise", ReviseForm, lambda m, f: services.minutes_revise(
        actor=request.user, meeting=m, **f.cleaned_data),
        _("A new version of the minutes is drafted: approving it replaces the previous one."), "#minutes")


def _minutes_action(request, pk, act, done):
    minutes = _minutes(request, pk)
    try:
        act(minutes)
    except (PermissionDenied, ValidationError) as error:
        return _meeting_page(request, minutes.meeting, error=_refusal(error), status=_status(error))
    return _after(request, minutes.meeting, done, "#minutes")


@login_required
@require_POST
def minutes_approve(request, pk):
    return _minutes_action(request, pk, lambda m: services.minutes_approve(actor=request.user, minutes=m),
                           _("The minutes are approved: they change only by a new version with a reason."))


@login_required
@require_POST
def minutes_publish(request, pk):
    return _minutes_action(request, pk, lambda m: services.minutes_publish(actor=request.user, minutes=m),
                           _("The minutes are published."))


@login_required
@require_POST
def attachment_add(request, pk):
    minutes = _minutes(request, pk)
    return _meeting_form(request, minutes.meeting_id, "attachment", AttachmentForm, lambda m, f:
                         services.attachment_add(actor=request.user, minutes=minutes, **f.cleaned_data),
                         _("The file is attached to the minutes."), "#minutes")


@login_required
def minutes_version(request, pk, version):
    """One version of the minutes, an old one too (it stays readable after a new version replaced it)."""
    meeting = _meeting(request, pk)
    minutes = meeting.minutes.filter(version=int_param(version, maximum=10000) or 0).first()
    if minutes is None:
        raise Http404(_("No such version of the minutes."))
    return render(request, "meetings/minutes.html", {"meeting": meeting, "minutes": minutes,
                                                     "attachments": minutes.attachments.all(),
                                                     "versions": meeting.minutes.order_by("-version")})


def attachment(request, pk):
    """A file of the minutes: a public one of published minutes of a public meeting to anyone, the others to the
    body's members and managers."""
    pk = int_param(pk)
    found = Attachment.objects.select_related("minutes__meeting__body").filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404
    meeting = found.minutes.meeting
    public = found.is_public and found.minutes.state == MinutesState.PUBLISHED and meeting.is_public
    if not public and not permissions.may_view(request.user, meeting):
        raise Http404
    return file_response(found.file.name, private=not public)


# --- Resolutions --------------------------------------------------------------------------------------------

@login_required
@require_POST
def resolution_propose(request, pk):
    return _meeting_form(request, pk, "resolution", ResolutionForm, lambda m, f: services.resolution_propose(
        actor=request.user, meeting=m, **f.cleaned_data), _("The resolution is proposed."), "#resolutions",
        with_meeting=True)


def _resolution_form(request, pk, name, make, act, done, *, managers_only=True):
    resolution = _resolution(request, pk)
    meeting = resolution.meeting
    if managers_only:  # asked before the form, as for the meeting's forms; a member's own vote is not
        _managed(request, meeting.body)
    form = make(resolution)
    if not form.is_valid():
        return _meeting_page(request, meeting, forms={f"{name}-r{resolution.pk}": form}, status=422)
    try:
        act(resolution, form)
    except (PermissionDenied, ValidationError) as error:
        _add_errors(form, error)
        return _meeting_page(request, meeting, forms={f"{name}-r{resolution.pk}": form}, status=_status(error))
    return _after(request, meeting, done, f"#resolution-{resolution.pk}")


def _present_choices(meeting):
    return [(a.member, selectors.member_label(a.member)) for a in meeting.attendances.select_related(
        "member__person", "member__organisation").filter(presence=Presence.PRESENT)]


@login_required
@require_POST
def resolution_decide(request, pk):
    resolution = _resolution(request, pk)
    if resolution.vote_mode == VoteMode.MEMBERS:  # counted from the members' votes
        try:
            decided = services.resolution_decide(actor=request.user, resolution=resolution)
        except (PermissionDenied, ValidationError) as error:
            return _meeting_page(request, resolution.meeting, error=_refusal(error), status=_status(error))
        return _after(request, resolution.meeting, _decided_words(decided), f"#resolution-{resolution.pk}")
    return _resolution_form(request, pk, "decide", lambda r: DecideForm(request.POST, prefix=f"r{r.pk}"),
                            lambda r, f: services.resolution_decide(actor=request.user, resolution=r,
                                                                    **f.cleaned_data),
                            _("The resolution is decided."))


def _decided_words(resolution) -> str:
    return (_("The resolution is adopted.") if resolution.state == ResolutionState.ADOPTED
            else _("The resolution is rejected."))


@login_required
@require_POST
def vote(request, pk):
    """A member's own vote, or (a manager) the vote of a member present."""
    resolution = _resolution(request, pk)
    if "member" in {k.rsplit("-", 1)[-1] for k in request.POST}:
        return _resolution_form(request, pk, "record", lambda r: VoteForm(
            request.POST, prefix=f"r{r.pk}v", members=_present_choices(r.meeting)),
            lambda r, f: services.vote_cast(actor=request.user, resolution=r, **f.cleaned_data),
            _("The member's vote is recorded."))
    return _resolution_form(request, resolution.pk, "vote", lambda r: VoteForm(request.POST, prefix=f"r{r.pk}o"),
                            lambda r, f: services.vote_cast(actor=request.user, resolution=r,
                                                            choice=f.cleaned_data["choice"]),
                            _("Your vote is recorded."), managers_only=False)


@login_required
@require_POST
def resolution_withdraw(request, pk):
    resolution = _resolution(request, pk)
    try:
        services.resolution_withdraw(actor=request.user, resolution=resolution)
    except (PermissionDenied, ValidationError) as error:
        return _meeting_page(request, resolution.meeting, error=_refusal(error), status=_status(error))
    return _after(request, resolution.meeting, _("The resolution is withdrawn."), f"#resolution-{resolution.pk}")


@login_required
@require_POST
def resolution_done(request, pk):
    return _resolution_form(request, pk, "done", lambda r: DoneForm(request.POST, prefix=f"r{r.pk}d"),
                            lambda r, f: services.resolution_mark_done(actor=request.user, resolution=r,
                                                                       note=f.cleaned_data["note"]),
                            _("The resolution is marked done."))


@login_required
@require_POST
def need_link(request, pk):
    return _resolution_form(request, pk, "link", lambda r: _link_form(request, r, data=request.POST,
                                                                       prefix=f"r{r.pk}l"),
                            lambda r, f: services.resolution_need_link(actor=request.user, resolution=r,
                                                                       need=f.cleaned_data["need"]),
                            _("The need is linked to the resolution: its progress counts in."))


@login_required
def need_pick(request, pk):
    resolution = _resolution(request, pk)
    if not permissions.may_manage(request.user, resolution.meeting.body):
        raise Http404
    return picker_results(request, _link_form(request, resolution).fields["need"].picker)


@login_required
def need_create(request, pk):
    """The need a resolution raises, prefilled from it; channel 居民议事会 or 党建联席会, linked both ways."""
    resolution = _resolution(request, pk)
    body = resolution.meeting.body
    _managed(request, body)
    form = NeedFromResolutionForm(request.POST or None, user=request.user, initial={
        "title": resolution.title[:100], "place": body.place, "description": resolution.text})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                need = services.resolution_need_create(actor=request.user, resolution=resolution, **data)
            except (PermissionDenied, ValidationError) as error:
                _add_errors(form, error)
                status = _status(error)
            else:
                messages.success(request, _("Need #%(n)s is raised from the resolution.") % {"n": need.pk})
                return redirect(reverse("meetings:meeting", args=[resolution.meeting_id])
                                + f"#resolution-{resolution.pk}")
    return render(request, "meetings/resolution_form.html", {
        "form": form, "resolution": resolution, "what": "need"}, status=status)


@login_required
def activity_create(request, pk):
    """The volunteer activity a resolution creates (its progress counts it once it has taken place)."""
    resolution = _resolution(request, pk)
    body = resolution.meeting.body
    _managed(request, body)
    form = ActivityFromResolutionForm(request.POST or None, user=request.user, initial={
        "name": resolution.title[:100], "place": body.place, "description": resolution.text})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            starts, ends = form.times(timezone.get_current_timezone())
            data = form.cleaned_data
            try:
                activity = services.resolution_activity_create(
                    actor=request.user, resolution=resolution, kind=data["kind"], name=data["name"],
                    place=data["place"], starts_at=starts, ends_at=ends, description=data["description"],
                    capacity=data["capacity"], **form.organiser_fields())
            except (PermissionDenied, ValidationError) as error:
                _add_errors(form, error)
                status = _status(error)
            else:
                messages.success(request, _("The activity “%(name)s” is created from the resolution.")
                                 % {"name": activity.name})
                return redirect(reverse("meetings:meeting", args=[resolution.meeting_id])
                                + f"#resolution-{resolution.pk}")
    return render(request, "meetings/resolution_form.html", {
        "form": form, "resolution": resolution, "what": "activity"}, status=status)


# --- The public pages ---------------------------------------------------------------------------------------

def public_list(request):
    """会议公开: the published minutes and resolutions of public meetings, by community, year and kind."""
    form = PublicFilterForm(request.GET or None, user=request.user)
    error = ""
    if form.is_bound and not form.is_valid():
        error = _("A filter was not understood and is left out: %(fields)s.") % {
            "fields": "、".join(str(form.fields[f].label) for f in form.errors)}
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    meetings = selectors.public_meetings(place=data.get("community"), year=data.get("year"),
                                         kind=data.get("kind") or "")
    page = _page(request, meetings.select_related("body__place").annotate(
        n_resolutions=Count("resolutions", distinct=True, filter=Q(resolutions__state=ResolutionState.ADOPTED))))
    return render(request, "meetings/public_list.html", {"form": form, "page": page, "error": error},
                  status=400 if error else 200)


def public_detail(request, pk):
    pk = int_param(pk)
    meeting = selectors.public_meetings().filter(pk=pk).select_related("body__place").first() if pk else None
    if meeting is None:
        raise Http404(_("No such meeting, or its minutes are not published."))
    return render(request, "meetings/public_detail.html", {"meeting": meeting,
                                                           "shown": selectors.meeting_public(meeting)})


# --- A need's origins (needs.hooks) -------------------------------------------------------------------------

def need_origins(need, viewer) -> list[tuple[str, str]]:
    """The resolutions that raised or took up the need: the meeting's page for its members and managers, the public
    page of a public meeting with published minutes for everyone else (the titles then as the public reads them)."""
    found = list(need.resolutions.select_related("meeting__body"))
    if not found:
        return []
    public = set(selectors.public_meetings().filter(pk__in={r.meeting_id for r in found})
                 .values_list("pk", flat=True))
    origins = []
    for r in found:
        meeting = r.meeting
        if permissions.may_view(viewer, meeting):
            text, url = f"{meeting.body.name} · {meeting.title} · {r.number}. {r.title}", reverse(
                "meetings:meeting", args=[meeting.pk]) + f"#resolution-{r.pk}"
        else:  # as the public page reads them (names masked)
            shown = selectors.meeting_public(meeting)
            title = next(x["title"] for x in shown["resolutions"] if x["id"] == r.pk)
            text = f"{meeting.body.name} · {shown['title']} · {r.number}. {title}"
            url = reverse("meetings:public_detail", args=[meeting.pk]) if meeting.pk in public else ""
        origins.append((text, url))
    return origins
