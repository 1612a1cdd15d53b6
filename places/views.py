from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from places import selectors
from places.forms import PLACE_PICKERS, PlaceChangeForm, PlaceForm, place_picker
from places.hooks import administered_places, panels_for
from places.models import Place, PlaceKind
from places.poster_views import poster_panel
from places.services import place_create, place_update


def _scope_roots(user) -> list[Place]:
    """Where the user's tree starts: the places they administer, else the top of the tree."""
    own = sorted(set(administered_places(user)), key=lambda p: p.code)
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
        "can_change": user.has_perm("places.change_place", place),
        "can_add_child": user.has_perm("places.add_place", place) and place.kind != PlaceKind.ENTRANCE,
        "panels": panels_for(request, place),  # what the apps above add: organisations, sites, committee …
        "poster": poster_panel(request, place),  # its QR code, "report a problem here", print buttons for staff
    }
    if place.kind in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY):
        context["coverage_counts"] = selectors.coverage_counts(place)
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


def pick(request, picker):
    """A place picker's matches (htmx): what the picker's form would accept from this user, with paths."""
    if picker not in PLACE_PICKERS:
        raise Http404
    return picker_results(request, place_picker(picker, request.user))


def picker_results(request, picker):
    """The matches of any picker (places/_picker_results.html) for the text typed in its box, <name>_q."""
    name = request.GET.get("name", "")
    return render(request, "places/_picker_results.html",
                  picker.results(name, request.GET.get(f"{name}_q", "").strip()[:100]))
