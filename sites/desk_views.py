"""A station's desk: the operator's page (works at 360 px: what is low, what is overdue, the loans out, a big
button per item), and its forms — lend, take back, mark lost, give out / receive / correct, add and edit items.

Who: the station's operator (sites.operate_site). The desk and a loan are private (refused: 404, as if missing);
the station itself is public, so a refused form on it answers 403. Every write goes through sites.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.params import int_param
from places.views import picker_results
from sites import selectors
from sites.forms import ItemForm, LendForm, MovementForm
from sites.models import Item, ItemKind, Loan, MovementKind, Site, SiteKind, StockMovement
from sites.selectors import borrower_label
from sites.services import (
    item_create,
    item_update,
    loan_create,
    loan_mark_lost,
    loan_return,
    stock_adjust,
    stock_give_out,
    stock_receive,
)

LOANS_PAGE = 20
RECENT = 10
OVERDUE_SHOWN = 5


def _station(request, pk, *, write: bool = False) -> Site:
    """The station, for its operator. Others: 404 for the desk (private), 403 for a form (the station is public)."""
    site = get_object_or_404(Site.objects.select_related("place", "operator"), pk=pk, kind=SiteKind.STATION)
    if not request.user.has_perm("sites.operate_site", site):
        if write:
            raise PermissionDenied
        raise Http404
    return site


@login_required
def desk(request, pk):
    site = _station(request, pk)
    today = timezone.localdate()
    items = list(selectors.items_of(site))
    for item in items:
        item.free = max(0, item.units - item.out)
    q = request.GET.get("q", "").strip()[:50]
    loans = selectors.loans_open(site)
    if q:
        loans = loans.filter(Q(item__name__icontains=q) | Q(borrower_name__icontains=q)
                             | Q(borrower_phone__contains=q) | Q(person__name__icontains=q))
    page = Paginator(loans, LOANS_PAGE).get_page(int_param(request.GET.get("page"), maximum=10**6) or 1)
    for loan in page:
        loan.who = borrower_label(loan)
        loan.late = loan.due_on < today
    # The earliest few above the desk's buttons, with how many there are: all of them lead the loans out below.
    overdue_count = selectors.loans_overdue(site, today).count()
    overdue = list(selectors.loans_overdue(site, today).select_related("item", "person").order_by("due_on", "pk")
                   [:OVERDUE_SHOWN])
    for loan in overdue:
        loan.who = borrower_label(loan)
    movements = list(StockMovement.objects.filter(item__site=site).select_related("item", "person")[:RECENT])
    for movement in movements:
        movement.who = borrower_label(movement)
    return render(request, "sites/desk.html", {
        "site": site, "items": items, "low": [i for i in items if i.is_low], "overdue": overdue, "page": page,
        "overdue_count": overdue_count,
        "q": q, "today": today, "movements": movements,
        "consumables": [i for i in items if i.kind == ItemKind.CONSUMABLE],
        "lendables": [i for i in items if i.kind == ItemKind.LENDABLE],
        "stopped": list(site.items.filter(active=False).order_by("name"))})


HISTORY_PAGE = 50


@login_required
def history(request, pk):
    """Everything the station gave out, received, corrected and lent, newest first, a page at a time; by item."""
    site = _station(request, pk)
    show = "loans" if request.GET.get("show") == "loans" else "movements"
    item_pk = int_param(request.GET.get("item"))
    item = site.items.filter(pk=item_pk).first() if item_pk else None
    if show == "loans":
        rows = Loan.objects.filter(item__site=site).select_related("item", "person").order_by("-lent_at", "-pk")
    else:
        rows = StockMovement.objects.filter(item__site=site).select_related("item", "person").order_by("-at", "-pk")
    if item is not None:
        rows = rows.filter(item=item)
    page = Paginator(rows, HISTORY_PAGE).get_page(int_param(request.GET.get("page"), maximum=10**6) or 1)
    for row in page:
        row.who = borrower_label(row)
    return render(request, "sites/history.html", {
        "site": site, "show": show, "item": item, "page": page, "today": timezone.localdate(),
        "items": site.items.order_by("kind", "name")})


def _item_of(site, value, kind=None):
    pk = int_param(value)
    qs = site.items.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.filter(pk=pk).first() if pk else None


@login_required
def stock(request, pk):
    """Give out, receive or correct a consumable's stock (one form; the desk's quick buttons post here too)."""
    site = _station(request, pk, write=True)
    initial = {"item": _item_of(site, request.GET.get("item"), ItemKind.CONSUMABLE)}
    if request.GET.get("kind") in MovementKind.values:
        initial["kind"] = request.GET["kind"]
    form = MovementForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, user = form.cleaned_data, request.user
        item = data["item"]
        try:
            if data["kind"] == MovementKind.GIVEN_OUT:
                stock_give_out(actor=user, item=item, quantity=data["quantity"], recipient=data["recipient"],
                               reason=data["reason"])
            elif data["kind"] == MovementKind.RECEIVED:
                stock_receive(actor=user, item=item, quantity=data["quantity"], reason=data["reason"])
            else:
                stock_adjust(actor=user, item=item, count=data["quantity"], reason=data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(item)s: %(count)s %(unit)s in stock now.")
                             % {"item": item.name, "count": item.stock, "unit": item.unit})
            if item.stock <= item.low_stock:
                messages.warning(request, _("Low stock: only %(count)s %(unit)s of %(item)s left — restock soon.")
                                 % {"item": item.name, "count": item.stock, "unit": item.unit})
            return redirect("sites:desk", pk=site.pk)
    return render(request, "sites/stock_form.html", {"site": site, "form": form}, status=422 if form.errors else 200)


@login_required
def lend(request, pk):
    site = _station(request, pk, write=True)
    form = LendForm(request.POST or None, user=request.user, site=site,
                    initial={"item": _item_of(site, request.GET.get("item"), ItemKind.LENDABLE)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = loan_create(actor=request.user, item=data["item"], person=data["person"],
                               borrower_name=data["borrower_name"], borrower_phone=data["borrower_phone"],
                               due_on=data["due_on"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(item)s lent, due back on %(date)s.")
                             % {"item": loan.item.name, "date": loan.due_on.strftime("%Y-%m-%d")})
            return redirect("sites:desk", pk=site.pk)
    return render(request, "sites/lend_form.html", {"site": site, "form": form}, status=422 if form.errors else 200)


@login_required
def borrower_pick(request, pk):
    """The lend form's person picker (htmx): exactly whom loan_create accepts from this operator."""
    site = _station(request, pk)
    return picker_results(request, LendForm(user=request.user, site=site).fields["person"].picker)


def _loan(request, pk) -> Loan:
    loan = get_object_or_404(Loan.objects.select_related("item__site", "person"), pk=pk)
    if not request.user.has_perm("sites.operate_site", loan.item.site):
        raise Http404
    return loan


@login_required
@require_POST
def loan_return_view(request, pk):
    loan = _loan(request, pk)
    try:
        loan_return(actor=request.user, loan=loan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(item)s taken back.") % {"item": loan.item.name})
    return redirect("sites:desk", pk=loan.item.site_id)


@login_required
def loan_lost_view(request, pk):
    """Asks first (a lost unit leaves the station for good), then marks it lost."""
    loan = _loan(request, pk)
    if request.method == "POST":
        try:
            loan_mark_lost(actor=request.user, loan=loan, note=request.POST.get("note", "").strip()[:200])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(item)s marked lost: the station has %(units)s now.")
                             % {"item": loan.item.name, "units": loan.item.units})
        return redirect("sites:desk", pk=loan.item.site_id)
    loan.who = borrower_label(loan)
    return render(request, "sites/loan_lost.html", {"site": loan.item.site, "loan": loan})


def _item_form(request, site, item=None):
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            if item is None:
                item = item_create(actor=request.user, site=site, **changes)
            else:
                item_update(actor=request.user, item=item, **changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("sites:desk", pk=site.pk)
    return render(request, "sites/item_form.html", {
        "site": site, "form": form, "item": item,
        "title": _("Edit %(name)s") % {"name": item.name} if item else _("Add an item")},
        status=422 if form.errors else 200)


@login_required
def item_create_view(request, pk):
    return _item_form(request, _station(request, pk, write=True))


@login_required
def item_update_view(request, pk):
    item = get_object_or_404(Item.objects.select_related("site"), pk=pk, site__kind=SiteKind.STATION)
    return _item_form(request, _station(request, item.site_id, write=True), item)
