"""Pages of volunteering (SPEC §5): the public list of activities and an activity's page, signing up, check-in and
check-out by the activity's QR code, the organiser's list on a phone (tick present, walk-ins, the hours proposed,
certified and corrected), the volunteer's own record (我的志愿服务) with its export and certificates, the public
verification of a certificate, and the organiser's activities.

Thin: parse, call volunteering.services or a selector, render. Refusals are the services' words. Public pages show
no person's name: an activity lists its organiser (a team or a unit, public names) and how many places are left,
never who signed up; the verification page shows the name printed on the certificate and nothing more personal.
GET never writes: the QR code opens a page with a button that checks in (POST)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.params import int_param
from people import scopes
from people.public import public_text
from places.posters import base_url, qr_svg
from places.views import picker_results
from volunteering import certificates, exports, permissions, selectors, services
from volunteering.forms import (
    ActivityFilterForm,
    ActivityForm,
    CertificateForm,
    CorrectForm,
    QueryForm,
    ReasonForm,
    RegisterForm,
    VerifyForm,
    WalkInForm,
    organisers_for,
)
from volunteering.models import (
    Activity,
    Certificate,
    HoursState,
    RecordEntryKind,
    ServiceHours,
    Signup,
    SignupState,
)

PAGE_SIZE = 20
ACTIVE = (SignupState.SIGNED_UP, SignupState.WAITING)


def _page(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _posted(request):
    return request.POST if request.method == "POST" else None


def _words(error: ValidationError) -> str:
    return " ".join(error.messages)


def organiser_label(activity: Activity) -> str:
    """Who organises it: a team or a unit, by its public name."""
    return str(activity.team or activity.organisation or "")


def places_left(activity) -> int | None:
    return selectors.free_places(activity)


def _activity(request, pk) -> Activity:
    """An activity the user may read: published and not cancelled, or one they organise (else as if missing)."""
    pk = int_param(pk)
    activity = Activity.objects.select_related("team", "organisation", "place").filter(pk=pk).first() \
        if pk else None
    if activity is None or not (activity.is_published or permissions.is_organiser(request.user, activity)):
        raise Http404(_("No such activity, or it is not published."))
    return activity


def _organised(request, pk) -> Activity:
    activity = _activity(request, pk)
    if not permissions.is_organiser(request.user, activity):
        raise PermissionDenied(_("Only the activity's organisers do this: its team's leaders, its unit's admins and "
                                 "the community staff of its place."))
    return activity


def _next(request, default: str) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()) and value.startswith("/"):
        return value
    return default


# --- The public list and an activity's page ------------------------------------------------------------------

def activity_list(request):
    """志愿活动: the activities to come, by community, kind, or a word of the title (pinyin too)."""
    form = ActivityFilterForm(request.GET or None, user=request.user)
    activities = selectors.with_counts(selectors.activities_upcoming(**form.filters(), at=timezone.now()))
    page = _page(request, activities, 12)
    cards = [{"activity": a, "organiser": organiser_label(a), "left": places_left(a)} for a in page]
    return render(request, "volunteering/list.html", {"form": form, "page": page, "cards": cards,
                                                      "volunteer": _volunteer(request.user)})


def _volunteer(user):
    return selectors.volunteer_of(user) if getattr(user, "is_authenticated", False) else None


def activity_detail(request, pk, *, error="", status=200):
    """An activity: organiser, place, time, places left, and what the viewer may do (sign up, cancel, register as a
    volunteer first); for its organisers the check-in code, the list and the edit."""
    activity = _activity(request, pk)
    user, now = request.user, timezone.now()
    volunteer = _volunteer(user)
    signup = selectors.signup_of(activity, volunteer)
    organiser = permissions.is_organiser(user, activity)
    return render(request, "volunteering/detail.html", {
        "activity": activity, "organiser": organiser_label(activity), "left": places_left(activity),
        "description": activity.description if organiser else public_text(activity.description),
        "volunteer": volunteer, "signup": signup, "active": signup is not None and signup.state in ACTIVE,
        "person": scopes.person_of(user) if user.is_authenticated else None,
        "is_organiser": organiser, "past": activity.ends_at <= now, "error": error,
        "cancel_form": ReasonForm(auto_id="cancel_%s")}, status=status)


@login_required
@require_POST
def signup(request, pk):
    activity = _activity(request, pk)
    try:
        made = services.signup_create(actor=request.user, activity=activity)
    except PermissionDenied as denied:
        return activity_detail(request, pk, error=str(denied) or _("You may not sign up for this."), status=403)
    except ValidationError as error:
        return activity_detail(request, pk, error=_words(error), status=422)
    if made.state == SignupState.WAITING:
        messages.success(request, _("The places are taken: you are on the waiting list, and move up when one frees."))
    else:
        messages.success(request, _("Signed up. Scan the code at the activity to check in."))
    return redirect("volunteering:detail", pk=activity.pk)


def _own_signup(request, pk) -> Signup:
    pk = int_param(pk)
    found = Signup.objects.select_related("activity", "volunteer").filter(pk=pk).first() if pk else None
    volunteer = _volunteer(request.user)
    if found is None or volunteer is None or found.volunteer_id != volunteer.pk:
        raise Http404(_("No such sign-up."))
    return found


@login_required
@require_POST
def signup_cancel(request, pk):
    found = _own_signup(request, pk)
    try:
        services.signup_cancel(actor=request.user, signup=found)
    except PermissionDenied as denied:
        return activity_detail(request, found.activity_id, error=str(denied), status=403)
    except ValidationError as error:
        return activity_detail(request, found.activity_id, error=_words(error), status=422)
    messages.success(request, _("Your sign-up is cancelled."))
    return redirect(_next(request, reverse("volunteering:detail", args=[found.activity_id])))


@login_required
def register(request):
    """登记为志愿者: a person on record becomes a volunteer (their number is made for them)."""
    me = scopes.person_of(request.user)
    volunteer = _volunteer(request.user)
    if volunteer is not None:
        return redirect(_next(request, reverse("volunteering:mine")))
    form = RegisterForm(_posted(request))
    status = 200
    if me is not None and request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                made = services.volunteer_register(actor=request.user, person=me, **form.cleaned_data)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
                status = 403
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("You are registered as a volunteer: your number is %(number)s.")
                                 % {"number": made.number})
                return redirect(_next(request, reverse("volunteering:mine")))
    return render(request, "volunteering/register.html", {
        "form": form, "me": me, "next": _next(request, "")}, status=403 if me is None else status)


# --- Check-in by the QR code ---------------------------------------------------------------------------------

def checkin_url(request, activity) -> str:
    return base_url(request) + reverse("volunteering:checkin", args=[activity.pk, activity.checkin_code])


@login_required
def checkin_code(request, pk):
    """The organiser's phone at the activity: the check-in code, big, for the volunteers to scan."""
    activity = _organised(request, pk)
    url = checkin_url(request, activity)
    return render(request, "volunteering/checkin_code.html", {
        "activity": activity, "organiser": organiser_label(activity), "url": url,
        "svg": qr_svg(url, label=_("Check-in code of %(name)s") % {"name": activity.name})})


def _coded(request, pk, code) -> Activity:
    activity = _activity(request, pk)
    if not activity.checkin_code or code != activity.checkin_code:
        raise Http404(_("This check-in code is not this activity's: scan the code shown at the activity."))
    return activity


def checkin(request, pk, code, *, error="", status=200):
    """What the check-in code opens: sign in if needed, then one button — check in, or (checked in) check out."""
    activity = _coded(request, pk, code)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login
        return redirect_to_login(request.get_full_path())
    volunteer = _volunteer(request.user)
    signup = selectors.signup_of(activity, volunteer)
    return render(request, "volunteering/checkin.html", {
        "activity": activity, "organiser": organiser_label(activity), "volunteer": volunteer, "signup": signup,
        "code": code, "error": error, "person": scopes.person_of(request.user)}, status=status)


@login_required
@require_POST
def checkin_do(request, pk, code):
    activity = _coded(request, pk, code)
    action = request.POST.get("action", "in")
    try:
        if action == "out":
            volunteer = _volunteer(request.user)
            found = selectors.signup_of(activity, volunteer)
            if found is None:
                raise ValidationError(_("You are not on this activity's list."))
            services.checkout(actor=request.user, signup=found)
            messages.success(request, _("Checked out. Thank you! The organiser certifies your hours."))
        else:
            services.checkin(actor=request.user, activity=activity, code=code)
            messages.success(request, _("Checked in. Scan the same code again to check out when you leave."))
    except PermissionDenied as denied:
        return checkin(request, pk, code, error=str(denied), status=403)
    except ValidationError as error:
        return checkin(request, pk, code, error=_words(error), status=422)
    return redirect("volunteering:checkin", pk=activity.pk, code=code)


# --- The organiser's list: who came, walk-ins, the hours --------------------------------------------------------

@login_required
def roster(request, pk, *, walk_in_form=None, status=200):
    """签到名单 on the organiser's phone: everyone signed up, tick present / checked out, add a walk-in; then the
    hours proposed from the check-ins, certified all at once, corrected one by one with a reason."""
    activity = _organised(request, pk)
    signups = list(selectors.signups_of(activity))
    hours = {h.volunteer_id: h for h in selectors.hours_of(activity).prefetch_related("corrections")}
    now = timezone.now()
    opens, closes = services.checkin_window(activity)
    ticking = opens <= now <= closes and not activity.is_cancelled  # the list is ticked while check-in is open
    rows = [{"signup": s, "name": s.volunteer.person.name, "hours": hours.get(s.volunteer_id),
             "tick": ticking and s.state == SignupState.SIGNED_UP and s.volunteer_id not in hours,
             "form": CorrectForm(auto_id=f"h{s.pk}_%s", initial={"hours": getattr(hours.get(s.volunteer_id),
                                                                                  "hours", None)})}
            for s in signups]
    to_propose = activity.ends_at <= now and not activity.is_cancelled and any(
        s.checked_in_at and s.state == SignupState.SIGNED_UP and s.volunteer_id not in hours for s in signups)
    return render(request, "volunteering/roster.html", {
        "activity": activity, "organiser": organiser_label(activity), "rows": rows, "ticking": ticking,
        "opens": opens, "closes": closes, "ended": activity.ends_at <= now, "to_propose": to_propose,
        "present": sum(1 for s in signups if s.checked_in_at), "proposed": sum(
            1 for h in hours.values() if h.state == HoursState.PROPOSED), "has_hours": bool(hours),
        "duration": (activity.ends_at - activity.starts_at).total_seconds() / 3600,
        "walk_in_form": walk_in_form or WalkInForm(user=request.user, activity=activity)}, status=status)


def _roster_error(request, pk, message, status):
    messages.error(request, message)
    return roster(request, pk, status=status)


@login_required
@require_POST
def roster_tick(request, pk):
    """Tick one person present (check in) or gone (check out)."""
    activity = _organised(request, pk)
    signup_pk = int_param(request.POST.get("signup"))
    found = activity.signups.select_related("volunteer__person").filter(pk=signup_pk).first() if signup_pk else None
    if found is None:
        return _roster_error(request, pk, _("Choose someone on the list."), 422)
    try:
        if request.POST.get("action") == "out":
            services.checkout(actor=request.user, signup=found)
        else:
            services.checkin(actor=request.user, activity=activity, volunteer=found.volunteer)
    except PermissionDenied as denied:
        return _roster_error(request, pk, str(denied), 403)
    except ValidationError as error:
        return _roster_error(request, pk, _words(error), 422)
    return redirect(reverse("volunteering:roster", args=[activity.pk]) + f"#s{found.pk}")


@login_required
@require_POST
def walk_in(request, pk):
    """Someone who came without signing up: checked in by the organiser (registered as a volunteer if need be)."""
    activity = _organised(request, pk)
    form = WalkInForm(request.POST, user=request.user, activity=activity)
    if not form.is_valid():
        return roster(request, pk, walk_in_form=form, status=422)
    person = form.cleaned_data["person"]
    try:
        volunteer = getattr(person, "volunteer", None) or services.volunteer_register(actor=request.user,
                                                                                      person=person)
        services.checkin(actor=request.user, activity=activity, volunteer=volunteer, walk_in=True)
    except PermissionDenied as denied:
        form.add_error(None, str(denied))
        return roster(request, pk, walk_in_form=form, status=403)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return roster(request, pk, walk_in_form=form, status=422)
    messages.success(request, _("Added and checked in."))
    return redirect("volunteering:roster", pk=activity.pk)


def walk_in_pick(request, pk):
    """The walk-in picker's matches (htmx), for the organiser only."""
    activity = _activity(request, pk)
    if not permissions.is_organiser(request.user, activity):
        raise Http404
    return picker_results(request, WalkInForm(user=request.user, activity=activity).fields["person"].picker)


@login_required
@require_POST
def hours_propose(request, pk):
    activity = _organised(request, pk)
    try:
        made = services.hours_propose(actor=request.user, activity=activity)
    except PermissionDenied as denied:
        return _roster_error(request, pk, str(denied), 403)
    except ValidationError as error:
        return _roster_error(request, pk, _words(error), 422)
    messages.success(request, ngettext("Hours proposed for %(n)d person: check them, then certify.",
                                       "Hours proposed for %(n)d people: check them, then certify.", len(made))
                     % {"n": len(made)})
    return redirect("volunteering:roster", pk=activity.pk)


@login_required
@require_POST
def hours_certify(request, pk):
    """Certify all the hours proposed for the activity (谁组织谁记录、谁记录谁证明)."""
    activity = _organised(request, pk)
    try:
        services.hours_certify(actor=request.user, entries_or_activity=activity)
    except PermissionDenied as denied:
        return _roster_error(request, pk, str(denied), 403)
    except ValidationError as error:
        return _roster_error(request, pk, _words(error), 422)
    except services.VolunteeringConflict as conflict:
        return _roster_error(request, pk, str(conflict), 409)
    messages.success(request, _("The hours are certified: the volunteers see them on their record."))
    return redirect("volunteering:roster", pk=activity.pk)


def _entry(request, pk) -> ServiceHours:
    pk = int_param(pk)
    entry = ServiceHours.objects.select_related("activity", "volunteer").filter(pk=pk).first() if pk else None
    if entry is None:
        raise Http404(_("No such entry."))
    return entry


@login_required
@require_POST
def hours_correct(request, pk):
    """Correct one person's hours: the old value, the reason and who changed it are kept."""
    entry = _entry(request, pk)
    activity = _organised(request, entry.activity_id)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _roster_error(request, activity.pk, " ".join(e for errors in form.errors.values() for e in errors),
                             422)
    try:
        with transaction.atomic():
            if entry.state == HoursState.PROPOSED:  # certified as proposed, then corrected: the old value is kept
                services.hours_certify(actor=request.user, entries_or_activity=[entry])
                entry.refresh_from_db()
            services.hours_correct(actor=request.user, entry=entry, **form.cleaned_data)
    except PermissionDenied as denied:
        return _roster_error(request, activity.pk, str(denied), 403)
    except ValidationError as error:
        return _roster_error(request, activity.pk, _words(error), 422)
    except services.VolunteeringConflict as conflict:
        return _roster_error(request, activity.pk, str(conflict), 409)
    messages.success(request, _("Hours corrected; the old value and the reason are kept."))
    return redirect("volunteering:roster", pk=activity.pk)


@login_required
@require_POST
def hours_query(request, pk):
    """The volunteer queries one of their entries (within the days allowed)."""
    entry = _entry(request, pk)
    volunteer = _volunteer(request.user)
    if volunteer is None or entry.volunteer_id != volunteer.pk:
        raise Http404(_("No such entry."))
    form = QueryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is wrong with the entry."))
        return mine(request, status=422)
    try:
        services.hours_query(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return mine(request, status=403)
    except ValidationError as error:
        messages.error(request, _words(error))
        return mine(request, status=422)
    except services.VolunteeringConflict as conflict:
        messages.error(request, str(conflict))
        return mine(request, status=409)
    messages.success(request, _("Your query is sent to the organiser."))
    return redirect("volunteering:mine")


# --- The volunteer's own record ------------------------------------------------------------------------------

def _issuers(volunteer):
    """The organisations a certificate may be asked of, and the one suggested: those that organised the volunteer's
    certified services (a team's own unit) and the community offices of the places served and of the volunteer's
    home; the suggestion is the organiser of the most recent certified service (else its community's office)."""
    from people.models import Organisation, OrganisationKind
    from places.models import containing_codes

    entries = selectors.hours_certified(volunteer).select_related(
        "activity__place", "activity__team").order_by("-activity__starts_at", "-id")
    ids = set(entries.exclude(activity__organisation=None).values_list("activity__organisation", flat=True))
    ids |= set(entries.exclude(activity__team__organisation=None).values_list("activity__team__organisation",
                                                                               flat=True))
    places = set(entries.values_list("activity__place__code", flat=True))
    if volunteer.person.home_id:
        places.add(volunteer.person.home.code)
    codes = {c for code in places for c in containing_codes(code)}
    offices = Organisation.objects.filter(kind=OrganisationKind.COMMUNITY_OFFICE, place__code__in=codes)
    issuers = Organisation.objects.filter(Q(pk__in=ids) | Q(pk__in=offices.values("pk"))).order_by("name")
    latest = entries.first()
    suggested = None
    if latest is not None:
        activity = latest.activity
        suggested = activity.organisation_id or (activity.team.organisation_id if activity.team_id else None)
        if suggested is None:
            office = offices.filter(place__code__in=containing_codes(activity.place.code)).order_by(
                "-place__code").first()
            suggested = office.pk if office is not None else None
    return issuers, issuers.filter(pk=suggested).first() if suggested else issuers.first()


def _certificate_form(volunteer, data=None):
    issuers, suggested = _issuers(volunteer)
    first = selectors.hours_certified(volunteer).order_by("activity__starts_at").values_list(
        "activity__starts_at", flat=True).first()
    today = timezone.localdate()
    initial = {"first_day": timezone.localtime(first).date() if first else datetime.date(today.year, 1, 1),
               "last_day": today}
    if suggested is not None:
        initial.update(issuer=suggested.pk, contact=suggested.contact_phone)
    return CertificateForm(data, auto_id="cert_%s", issuers=issuers, initial=initial)


@login_required
def mine(request, *, certificate_form=None, status=200):
    """我的志愿服务: number, hours, stars; services, training, commendations, evaluations; certificates."""
    volunteer = _volunteer(request.user)
    if volunteer is None:
        return render(request, "volunteering/mine.html", {"volunteer": None,
                                                          "person": scopes.person_of(request.user)}, status=status)
    total = selectors.hours_total(volunteer)
    stars = selectors.star_level(total)
    now = timezone.now()
    query_days = _query_days()
    entries = ServiceHours.objects.filter(volunteer=volunteer).select_related(
        "activity__place", "activity__team", "activity__organisation").order_by("-activity__starts_at", "-id")
    page = _page(request, entries)
    services_rows = [{"entry": e, "organiser": organiser_label(e.activity), "may_query": _may_query(e, now)}
                     for e in page]
    entries_by_kind = {k: [] for k in RecordEntryKind.values}
    for entry in volunteer.record_entries.select_related("by").order_by("-on", "-id"):
        entries_by_kind[entry.kind].append(entry)
    upcoming = volunteer.signups.filter(state__in=ACTIVE, activity__ends_at__gte=now).select_related(
        "activity__place").order_by("activity__starts_at")[:20]
    form = certificate_form or _certificate_form(volunteer)
    return render(request, "volunteering/mine.html", {
        "volunteer": volunteer, "name": volunteer.person.name, "total": total, "stars": stars,
        "star_marks": "★" * stars + "☆" * (5 - stars), "next_star": _next_star(total, stars),
        "page": page, "services": services_rows, "upcoming": upcoming, "query_days": query_days,
        "training": entries_by_kind[RecordEntryKind.TRAINING],
        "commendations": entries_by_kind[RecordEntryKind.COMMENDATION],
        "evaluations": entries_by_kind[RecordEntryKind.EVALUATION],
        "certificates": volunteer.certificates.select_related("issuer").order_by("-issued_at", "-id"),
        "certificate_form": form, "query_form": QueryForm(auto_id=None)}, status=status)


def _may_query(entry, now) -> bool:
    deadline = services.query_deadline(entry) if entry.state == HoursState.CERTIFIED else None
    return deadline is not None and now <= deadline


def _query_days() -> int:
    return settings.VOLUNTEER_QUERY_DAYS


def _next_star(total, stars):
    """The hours still to serve for the next star (None at the highest)."""
    step = selectors.next_star(total)
    return step - total if step is not None else None


@login_required
def export(request):
    """The whole record as Excel, for transfer to the national system (volunteering.exports.record_xlsx)."""
    volunteer = _volunteer(request.user)
    if volunteer is None:
        raise Http404(_("You are not registered as a volunteer."))
    response = HttpResponse(exports.record_xlsx(volunteer), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="volunteer-{volunteer.number}.xlsx"'
    return response


@login_required
@require_POST
def certificate_request(request):
    """A certificate for a period: issued at once from the certified hours, then downloaded (PDF)."""
    volunteer = _volunteer(request.user)
    if volunteer is None:
        raise Http404(_("You are not registered as a volunteer."))
    form = _certificate_form(volunteer, request.POST)
    if not form.is_valid():
        return mine(request, certificate_form=form, status=422)
    data = form.cleaned_data
    try:
        made = services.certificate_issue(actor=request.user, volunteer=volunteer, first_day=data["first_day"],
                                          last_day=data["last_day"], issuer=data["issuer"],
                                          with_id_card=data["with_id_card"],
                                          person_in_charge=data["person_in_charge"], contact=data["contact"])
    except PermissionDenied as denied:
        form.add_error(None, str(denied))
        return mine(request, certificate_form=form, status=403)
    except ValidationError as error:
        _field_errors(form, error)
        return mine(request, certificate_form=form, status=422)
    messages.success(request, _("Certificate %(number)s issued: download it below.") % {"number": made.number})
    return redirect(reverse("volunteering:mine") + "#certificates")


def _field_errors(form, error: ValidationError) -> None:
    """A service's refusal beside the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _certificate(request, pk) -> Certificate:
    pk = int_param(pk)
    found = Certificate.objects.select_related("volunteer__person", "issuer", "handled_by").filter(pk=pk).first() \
        if pk else None
    if found is None or not permissions.may_view_volunteer(request.user, found.volunteer):
        raise Http404(_("No such certificate."))
    return found


def verify_url(request, certificate) -> str:
    return base_url(request) + reverse("volunteering:verify", args=[certificate.number])


@login_required
def certificate_download(request, pk):
    found = _certificate(request, pk)
    try:
        content = certificates.certificate_pdf(found, verify_url=verify_url(request, found))
    except certificates.NoFont:
        return render(request, "volunteering/no_font.html", status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response


# --- Public verification -------------------------------------------------------------------------------------

def verify_form(request):
    """Type a certificate's number to check it."""
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("volunteering:verify", number=form.cleaned_data["number"].strip().upper())
    return render(request, "volunteering/verify.html", {"form": form, "certificate": None,
                                                        "asked": bool(request.GET)},
                  status=422 if request.GET else 200)


def verify(request, number):
    """What a certificate's QR code opens: its number, name, hours, period, issuer and date, as issued — or
    "not found" for a number no certificate carries (an altered one: its check part no longer matches)."""
    found = selectors.certificate_verify(number[:40]) if len(number) <= 40 else None
    form = VerifyForm(initial={"number": number[:40]})
    if found is None:
        return render(request, "volunteering/verify.html", {"form": form, "certificate": None, "asked": True,
                                                            "number": number[:40]}, status=404)
    return render(request, "volunteering/verify.html", {
        "form": form, "certificate": found, "name": found.volunteer.person.name, "asked": True,
        "issued_on": timezone.localtime(found.issued_at).date()})


# --- The organiser's activities -------------------------------------------------------------------------------

def _organises(user) -> bool:
    return bool(organisers_for(user))


@login_required
def organise(request):
    """My activities (organiser): this month and the months to come, each with its list and code."""
    if not _organises(request.user):
        raise PermissionDenied(_("Activities are organised by team leaders, unit admins and community staff."))
    today = timezone.localdate()
    which = "past" if request.GET.get("when") == "past" else "coming"
    if which == "past":  # ended: the lists to certify, the latest first
        activities = selectors.organiser_activities(request.user, first_day=today - datetime.timedelta(days=3660),
                                                    last_day=today).filter(ends_at__lte=timezone.now()).order_by(
            "-starts_at", "-id")
    else:
        activities = selectors.organiser_activities(request.user, first_day=today,
                                                    last_day=today + datetime.timedelta(days=366))
    page = _page(request, activities)
    rows = [{"activity": a, "organiser": organiser_label(a), "left": places_left(a)} for a in page]
    return render(request, "volunteering/organise.html", {
        "page": page, "rows": rows, "today": today, "which": which,
        "tabs": [("coming", _("Today and to come")), ("past", _("Ended"))]})


def _save(request, form, activity=None):
    data = form.cleaned_data
    starts_at, ends_at = form.times(timezone.get_current_timezone())
    fields = {"kind": data["kind"], "name": data["name"], "place": data["place"], "starts_at": starts_at,
              "ends_at": ends_at, "capacity": data["capacity"], "description": data["description"],
              "is_published": data["is_published"], **form.organiser_fields()}
    try:
        if activity is None:
            made = services.activity_create(actor=request.user, **fields)
            if data.get("repeat_until"):
                more = services.activities_repeat(actor=request.user, activity=made, last_day=data["repeat_until"])
                messages.success(request, ngettext("Activity created, and %(n)d more week.",
                                                   "Activity created, and %(n)d more weeks.", len(more))
                                 % {"n": len(more)})
            else:
                messages.success(request, _("Activity created."))
            return made
        services.activity_update(actor=request.user, activity=activity, **fields)
        messages.success(request, _("Activity saved."))
        return activity
    except ValidationError as error:
        form.add_error(None, error.messages)
    except PermissionDenied as denied:
        form.add_error(None, str(denied) or _("You may not organise this activity."))
    return None


def _initial(activity) -> dict:
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    return {"organiser": f"team:{activity.team_id}" if activity.team_id else f"organisation:{activity.organisation_id}",
            "kind": activity.kind, "name": activity.name, "place": activity.place, "day": start.date(),
            "start": start.time(), "end": end.time(), "capacity": activity.capacity,
            "description": activity.description, "is_published": activity.is_published}


@login_required
def activity_create(request):
    if not _organises(request.user):
        raise PermissionDenied(_("Activities are organised by team leaders, unit admins and community staff."))
    form = ActivityForm(_posted(request), user=request.user, initial={"day": timezone.localdate(),
                                                                      "is_published": True})
    if request.method == "POST" and form.is_valid():
        made = _save(request, form)
        if made is not None:
            return redirect("volunteering:detail", pk=made.pk)
    return render(request, "volunteering/activity_form.html", {"form": form, "activity": None},
                  status=422 if form.errors else 200)


@login_required
def activity_update(request, pk):
    activity = _organised(request, pk)
    form = ActivityForm(_posted(request), user=request.user, activity=activity, initial=_initial(activity))
    if request.method == "POST" and form.is_valid() and _save(request, form, activity) is not None:
        return redirect("volunteering:detail", pk=activity.pk)
    return render(request, "volunteering/activity_form.html", {"form": form, "activity": activity},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def activity_cancel(request, pk):
    activity = _organised(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return activity_detail(request, pk, error=_("Say why the activity is cancelled: the volunteers are told."),
                               status=422)
    try:
        services.activity_cancel(actor=request.user, activity=activity, reason=form.cleaned_data["reason"])
    except PermissionDenied as denied:
        return activity_detail(request, pk, error=str(denied), status=403)
    except ValidationError as error:
        return activity_detail(request, pk, error=_words(error), status=422)
    messages.success(request, _("Activity cancelled; the volunteers signed up are told."))
    return redirect("volunteering:organise")
