from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people import scopes, selectors
from people.forms import CoverageForm, MemberPlaceForm, MemberReportForm, OrganisationForm, PersonForm
from people.models import (
    MemberReport,
    MemberReportState,
    Organisation,
    OrganisationKind,
    PartyMembership,
    Person,
)
from people.services import (
    api_token_revoke,
    member_place,
    member_report,
    organisation_create,
    organisation_update,
    person_create,
    person_update,
    personal_data_reveal,
)
from places.models import COVERABLE_KINDS, Place, PlaceKind
from places.selectors import within
from places.services import coverage_create

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _require(allowed: bool):
    if not allowed:
        raise PermissionDenied


def _may_open(user, person):
    """A person whose record the user may not open — on their page, its edit form, their membership or report —
    is answered as one who does not exist (404): the answer does not tell that they are on record."""
    if not user.has_perm("people.view_person", person):
        raise Http404


# --- Organisations ---------------------------------------------------------------------------

@login_required
def organisations(request):
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    return render(request, "people/organisations.html", {
        "q": q, "kind": kind, "kinds": OrganisationKind.choices,
        "page": _page(request, selectors.organisation_list(q=q, kind=kind)),
        "can_add": request.user.has_perm("people.add_organisation", None)})


@login_required
def organisation(request, pk):
    org = get_object_or_404(Organisation.objects.select_related("place"), pk=pk)
    user = request.user
    party = list(org.party_organisations.select_related("place"))
    may_list = user.has_perm("people.view_directory")
    return render(request, "people/organisation.html", {
        "org": org, "party_tree": selectors.party_organisation_tree(party),
        "agreements": org.agreements.select_related("place"),
        "coverages": org.coverages.select_related("place").order_by("place__code"),
        "member_count": selectors.unit_members(org).count(),
        "report_counts": selectors.report_state_counts(organisation=org),
        "honours": selectors.honours_of(organisation=org),
        "members": selectors.member_list(user, organisation=org)[:200] if may_list else None,
        "can_change": user.has_perm("people.change_organisation", org)})


def _organisation_form(request, org=None):
    user = request.user
    _require(user.has_perm("people.change_organisation", org) if org
             else user.has_perm("people.add_organisation", None))
    form = OrganisationForm(request.POST or None, instance=org, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            if org is None:
                org = organisation_create(actor=user, **form.changes())
            else:
                organisation_update(actor=user, organisation=org, **form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("people:organisation", pk=org.pk)
    return render(request, "people/form.html", {
        "form": form, "title": _("Edit %(name)s") % {"name": org.name} if org else _("Register an organisation"),
        "cancel": org and org.pk})


@login_required
def organisation_create_view(request):
    return _organisation_form(request)


@login_required
def organisation_update_view(request, pk):
    return _organisation_form(request, get_object_or_404(Organisation, pk=pk))


# --- Directories of people ------------------------------------------------------------------

@login_required
def members(request):
    _require(request.user.has_perm("people.view_directory"))
    q, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    return render(request, "people/members.html", {
        "q": q, "state": state,
        "states": [*MemberReportState.choices[:2], ("not_reported", _("Not reported"))],
        "page": _page(request, selectors.member_list(request.user, q=q, state=state))})


@login_required
def residents(request):
    _require(request.user.has_perm("people.view_directory"))
    q = request.GET.get("q", "").strip()
    return render(request, "people/residents.html", {
        "q": q, "page": _page(request, selectors.resident_list(request.user, q=q)),
        "can_add": request.user.has_perm("people.add_person", None)})


# --- One person -----------------------------------------------------------------------------

@login_required
def person(request, pk):
    """A person's record, masked; a POST with the reveal button logs the access and shows it in full."""
    subject = get_object_or_404(Person.objects.select_related("home__parent__parent"), pk=pk)
    user = request.user
    _may_open(user, subject)
    revealed = False
    if request.method == "POST":
        personal_data_reveal(actor=user, person=subject, reason=request.POST.get("reason", "")[:200])
        revealed = True
    memberships = subject.memberships.select_related("party_organisation__organisation").prefetch_related(
        "reports__community", "reports__grid_branch")
    return render(request, "people/person.html", {
        "person": subject, "revealed": revealed, "memberships": memberships,
        "home_path": subject.home.ancestors() + [subject.home] if subject.home else [],
        "teams": subject.team_memberships.select_related("team"),
        "seats": subject.committee_seats.select_related("community"),
        "coverages": subject.coverages.select_related("place"),
        "can_reveal": user.has_perm("people.view_person_full", subject),
        "can_change": user.has_perm("people.change_person", subject),
        "can_report": scopes.is_staff_user(user)})


def _person_form(request, subject=None):
    user = request.user
    _require(user.has_perm("people.change_person", subject) if subject
             else user.has_perm("people.add_person", None))
    if subject is not None and request.method == "GET":
        # The form shows the full name, phone and room: that is a full view, so it is logged.
        personal_data_reveal(actor=user, person=subject, reason=_("edit the record"))
    form = PersonForm(request.POST or None, instance=subject, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            if subject is None:
                subject = person_create(actor=user, **form.changes())
            else:
                person_update(actor=user, person=subject, **form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("people:person", pk=subject.pk)
    return render(request, "people/form.html", {
        "form": form, "title": _("Edit a person's record") if subject else _("Register a person"),
        "person": subject})


@login_required
def person_create_view(request):
    return _person_form(request)


@login_required
def person_update_view(request, pk):
    subject = get_object_or_404(Person, pk=pk)
    _may_open(request.user, subject)
    return _person_form(request, subject)


# --- Dual reporting -------------------------------------------------------------------------

def _communities_for(user):
    qs = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("code")
    if scopes.is_superuser(user):
        return qs
    prefixes = scopes.place_prefixes(user)
    # A community inside the user's area, or the community a grid worker's grid belongs to.
    return qs.filter(within(prefixes) | within([p[:12] for p in prefixes if len(p) > 12]))


@login_required
def member_report_view(request, pk):
    membership = get_object_or_404(PartyMembership.objects.select_related("person"), pk=pk)
    user = request.user
    _may_open(user, membership.person)
    _require(scopes.is_staff_user(user))
    form = MemberReportForm(request.POST or None, communities=_communities_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            member_report(actor=user, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member's report was recorded."))
            return redirect("people:person", pk=membership.person_id)
    return render(request, "people/form.html", {
        "form": form, "title": _("Record dual reporting"), "person": membership.person,
        "intro": membership.party_organisation.name})


@login_required
def member_place_view(request, pk):
    report = get_object_or_404(MemberReport.objects.select_related("community", "membership__person"), pk=pk)
    user = request.user
    _may_open(user, report.membership.person)
    _require(user.has_perm("places.change_place", report.community))
    form = MemberPlaceForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            member_place(actor=user, report=report, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member was placed in the grid branch."))
            return redirect("people:person", pk=report.membership.person_id)
    return render(request, "people/form.html", {
        "form": form, "title": _("Place in a grid party branch"), "person": report.membership.person,
        "intro": report.community.name})


@login_required
def coverage_create_view(request, code):
    place = get_object_or_404(Place, code=code, kind__in=COVERABLE_KINDS)
    if not request.user.has_perm("places.change_place", place):
        raise PermissionDenied
    people = scopes.persons_visible_to(request.user).filter(memberships__isnull=False).distinct()
    form = CoverageForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            coverage_create(actor=request.user, place=place, **form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The coverage was recorded."))
            return redirect("places:detail", code=place.code)
    return render(request, "people/coverage_form.html", {
        "form": form, "place": place, "ancestors": [*place.ancestors(), place]})


# --- API tokens -------------------------------------------------------------------------------

@login_required
def api_tokens(request):
    """The signed-in account's own API tokens: name, when made, when they expire, when last used; never the
    secret (only its hash is kept). Linked from the header's account menu."""
    return render(request, "people/tokens.html", {"tokens": selectors.api_tokens_of(request.user),
                                                  "now": timezone.now()})


@login_required
@require_POST
def api_token_revoke_view(request, pk):
    # Looked up among the account's own: another's token is "not found" (404), as a missing one.
    api_token_revoke(actor=request.user, token=get_object_or_404(selectors.api_tokens_of(request.user), pk=pk))
    messages.success(request, _("The API token was revoked: a program using it can no longer call the API."))
    return redirect("people:api_tokens")
