from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sites.forms import SiteForm
from sites.models import Site, SiteKind
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
        "can_add": request.user.has_perm("sites.add_site", None)})


def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("place", "operator"), pk=pk)
    return render(request, "sites/detail.html", {
        "site": site, "ancestors": [*site.place.ancestors(), site.place],
        "can_change": request.user.has_perm("sites.change_site", site)})


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
