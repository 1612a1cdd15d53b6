from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from people import public
from people.models import PartyMembership, Person
from places.models import Place
from places.selectors import within
from sites import selectors
from sites.forms import SiteForm
from sites.models import Site, SiteKind
from sites.poster_views import poster_panel
from sites.services import site_create, site_update

PAGE_SIZE = 50


def site_list(request):
    """Public: stations, facilities and micro-positions carry no personal data."""
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    sites = Site.objects.filter(Site.search_q(q)).select_related("place", "operator")
    if kind:
        sites = sites.filter(kind=kind)
    return render(request, "sites/list.html", {
        "q": q, "kind": kind, "kinds": SiteKind.choices,
        "page": Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page")),
        "operated": list(selectors.operated_by(request.user)[:20]) if request.user.is_authenticated else [],
        "can_add": request.user.has_perm("sites.add_site", None)})


def _public_description(site: Site) -> str:
    """The description as the public reads it (people.public.public_text), checked against the names of the
    people it may name: those who live in the site's community and the members of its operator (its words
    looked up by name, people.public.named_in: the community's people are never read)."""
    people = Q(home__in=Place.objects.filter(within(site.place.code[:public.PUBLIC_DEPTHS[0]])))
    if site.operator_id:
        people |= Q(pk__in=PartyMembership.objects.filter(party_organisation__organisation=site.operator_id)
                    .values("person"))
    names = public.named_in([site.description], Person.objects.filter(people), "name")
    return public.public_text(site.description, {name for (name,) in names})


def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("place", "operator"), pk=pk)
    can_change = request.user.has_perm("sites.change_site", site)
    available = selectors.available_now(site) if site.kind == SiteKind.STATION else None  # no borrower named
    # Its staff read the description as typed; everyone else without the names and phones it may hold.
    return render(request, "sites/detail.html", {
        "site": site, "ancestors": [*site.place.ancestors(), site.place], "can_change": can_change,
        "available": available,
        "can_operate": available is not None and request.user.has_perm("sites.operate_site", site),
        "description": site.description if can_change or not site.description else _public_description(site),
        "poster": poster_panel(request, site)})  # its QR code, "report a problem here", what a station lends


def _site_form(request, site=None):
    user = request.user
    if not (user.has_perm("sites.change_site", site) if site else user.has_perm("sites.add_site", None)):
        raise PermissionDenied
    form = SiteForm(request.POST or None, request.FILES or None, instance=site, user=user)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if changes.get("photo") is False:  # "clear" ticked
            changes["photo"] = ""
        try:
            if site is None:
                site = site_create(actor=user, **changes)
            else:
                site_update(actor=user, site=site, **changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/form.html", {
        "form": form, "site": site,
        "title": _("Edit %(name)s") % {"name": site.name} if site else _("Register a site")})


@login_required
def site_create_view(request):
    return _site_form(request)


@login_required
def site_update_view(request, pk):
    return _site_form(request, get_object_or_404(Site, pk=pk))
