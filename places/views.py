from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from people import scopes
from people import selectors as people_selectors
from people.models import Organisation
from places import selectors
from places.forms import CoverageForm, PlaceChangeForm, PlaceForm
from places.models import COVERABLE_KINDS, Place, PlaceKind
from places.services import coverage_create, place_create, place_update
from sites.models import Site

PLACE_LIST_LIMIT = 100  # organisations and sites listed on a place's page; the directories have the rest


def _scope_roots(user) -> list[Place]:
    """Where the user's tree starts: the places they administer, else the top of the tree."""
    own = sorted({a.place for a in scopes.assignments(user) if a.place_id}, key=lambda p: p.code)
    # A place inside another of the user's places is already shown under it.
    own = [p for p in own if not any(o is not p and p.code.startswith(o.code) for o in own)]
    return own or list(Place.objects.filter(parent=None))


@login_required
def tree(request):
    q = request.GET.get("q", "").strip()
    root = None
    if request.GET.get("root"):
        root = get_object_or_404(Place, code=request.GET["root"])
    # A search shows its results alone; otherwise the tree from the chosen place or the user's own area.
    roots, cut = ([], False) if q else selectors.place_tree([root] if root else _scope_roots(request.user))
    return render(request, "places/tree.html", {
        "q": q, "results": selectors.place_search(q) if q else None,
        "root": root, "ancestors": root.ancestors() if root else [], "roots": roots, "cut": cut,
    })


@login_required
def detail(request, code):
    place = get_object_or_404(Place, code=code)
    user = request.user
    context = {
        "place": place, "ancestors": place.ancestors(), "figures": selectors.place_figures(place),
        "children": selectors.children_with_counts(place), "kind_counts": _kind_counts(place),
        "coverages": selectors.coverages_of(place) if place.kind in COVERABLE_KINDS else None,
        "organisations": Organisation.objects.filter(place__code__startswith=place.code)[:PLACE_LIST_LIMIT],
        "sites": Site.objects.filter(place__code__startswith=place.code)[:PLACE_LIST_LIMIT],
        "can_change": user.has_perm("places.change_place", place),
        "can_add_child": user.has_perm("places.add_place", place) and place.kind != PlaceKind.ENTRANCE,
    }
    if place.kind in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY):
        context["coverage_counts"] = selectors.coverage_counts(place)
    if place.kind == PlaceKind.COMMUNITY:
        context.update({
            "party_tree": people_selectors.party_organisation_tree(
                list(people_selectors.party_organisations_in(place))),
            "teams": people_selectors.teams_of(place), "committee": people_selectors.committee_of(place),
            "honours": people_selectors.honours_of(place=place),
            "report_counts": people_selectors.report_state_counts(community=place),
        })
    return render(request, "places/detail.html", context)


def _kind_counts(place):
    counts = selectors.kind_counts(place)
    return [(PlaceKind(kind).label, counts[kind]) for kind in PlaceKind.values if counts.get(kind)]


@login_required
def place_create_view(request, code):
    parent = get_object_or_404(Place, code=code)
    if not request.user.has_perm("places.add_place", parent):
        raise PermissionDenied
    form = PlaceForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            place = place_create(actor=request.user, parent=parent, **form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": place.name})
            return redirect("places:detail", code=place.code)
    return render(request, "places/place_form.html", {
        "form": form, "parent": parent, "ancestors": [*parent.ancestors(), parent],
        "title": _("Add a place under %(name)s") % {"name": parent.name}})


@login_required
def place_update_view(request, code):
    place = get_object_or_404(Place, code=code)
    if not request.user.has_perm("places.change_place", place):
        raise PermissionDenied
    form = PlaceChangeForm(request.POST or None, instance=place, parent=place.parent)
    if request.method == "POST" and form.is_valid():
        try:
            place_update(actor=request.user, place=place, **form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("places:detail", code=place.code)
    return render(request, "places/place_form.html", {
        "form": form, "place": place, "ancestors": place.ancestors(),
        "title": _("Edit %(name)s") % {"name": place.name}})


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
    return render(request, "places/coverage_form.html", {
        "form": form, "place": place, "ancestors": [*place.ancestors(), place]})
