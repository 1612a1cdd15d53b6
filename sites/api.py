"""Stations in the API: the public list and a station with what is available now (no borrower is ever named),
and for the station's operators the stations they run, the items' stock, the loans, lending, taking back and stock
movements (read and written) — through sites.selectors and sites.services, as the desk's pages.

Answers: a refused read (the loans of a station one does not run, a loan) 404, as for a missing one; a refused
write on a station (public) 403; the service's refusals 422 with its words ({"detail", "errors"}).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from core.api import Body, Detail, FieldErrors, Id, Offset, refused
from people import scopes
from people.api import caller
from places.api import CODE
from sites import selectors
from sites.models import ItemKind, Loan, MovementKind, Site, SiteKind, StockMovement
from sites.selectors import borrower_label
from sites.services import (
    MAX_QUANTITY,
    loan_create,
    loan_mark_lost,
    loan_return,
    stock_adjust,
    stock_give_out,
    stock_receive,
)

router = Router(tags=["stations"])
loans_router = Router(tags=["stations"])


class StationOut(Schema):
    id: int
    name: str
    place: str = Field(description="the place's code")
    place_name: str
    community: str = Field(description="the community's code")
    operator: str | None = Field(None, description="the unit that runs it")
    opening_hours: str

    @staticmethod
    def resolve_place(site) -> str:
        return site.place.code

    @staticmethod
    def resolve_place_name(site) -> str:
        return site.place.name

    @staticmethod
    def resolve_community(site) -> str:
        return site.place.code[:12]

    @staticmethod
    def resolve_operator(site) -> str | None:
        return site.operator.name if site.operator_id else None


class StationPage(Schema):
    count: int
    items: list[StationOut]


class ItemOut(Schema):
    id: int
    kind: ItemKind
    name: str
    unit: str
    available: int = Field(description="consumables: in stock; lendables: units free to lend now")
    units: int | None = Field(None, description="lendables: the station's units")


class StationDetailOut(StationOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(site) -> list[dict]:
        return [{"id": item.pk, "kind": item.kind, "name": item.name, "unit": item.unit, "available": item.free,
                 "units": item.units if item.is_lendable else None} for item in selectors.available_now(site)]


class StationFilters(Schema):
    community: str | None = Field(None, pattern=CODE, description="only stations inside the place with this code")
    q: str = Field("", max_length=100, description="part of the name, its pinyin or its initials")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class LoanOut(Schema):
    id: int
    item: int
    item_name: str
    person: int | None = Field(None, description="the borrower on record")
    borrower: str = Field(description="a person on record masked; a passer-by as the operator typed them")
    lent_at: datetime.datetime
    due_on: datetime.date
    returned_at: datetime.datetime | None
    lost_at: datetime.datetime | None
    overdue: bool

    @staticmethod
    def resolve_item(loan) -> int:
        return loan.item_id

    @staticmethod
    def resolve_item_name(loan) -> str:
        return loan.item.name

    @staticmethod
    def resolve_person(loan) -> int | None:
        return loan.person_id

    @staticmethod
    def resolve_borrower(loan) -> str:
        return borrower_label(loan)

    @staticmethod
    def resolve_overdue(loan) -> bool:
        return loan.is_overdue(timezone.localdate())


class LoanPage(Schema):
    count: int
    items: list[LoanOut]


class LoanFilters(Schema):
    state: str = Field("out", pattern=r"^(out|overdue|all)$", description="out (default), overdue, or all")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class LoanIn(Body):
    item: Id
    person: Id | None = Field(None, description="the borrower on record (a person the caller may open)")
    borrower_name: str = Field("", max_length=50, description="a passer-by: their name (with the phone)")
    borrower_phone: str = Field("", max_length=20)
    due_on: datetime.date | None = Field(None, description="default: the item's loan period from today")
    note: str = Field("", max_length=200)


class MovementIn(Body):
    item: Id
    kind: MovementKind
    quantity: int = Field(ge=0, le=MAX_QUANTITY, description="given out / received: how many; adjusted: the count")
    reason: str = Field("", max_length=200, description="required when adjusted")
    recipient: str = Field("", max_length=50, description="given out: to whom (private)")


class MovementOut(Schema):
    id: int
    item: int
    kind: MovementKind
    change: int
    stock_after: int
    at: datetime.datetime

    @staticmethod
    def resolve_item(movement) -> int:
        return movement.item_id


class StockItemOut(Schema):
    """An item as its station's operators read it (the desk's list): the counts behind "available now"."""

    id: int
    kind: ItemKind
    name: str
    unit: str
    stock: int = Field(description="consumables: on hand")
    low_stock: int = Field(description="consumables: at or below this count the operators are told")
    is_low: bool
    units: int = Field(description="lendables: the station's units")
    out: int = Field(description="lendables: units on loan now")
    loan_days: int
    note: str


class StockItemList(Schema):
    items: list[StockItemOut]


class MovementListedOut(MovementOut):
    reason: str
    recipient: str = Field(description="given out: to whom — a person on record masked, else as the operator typed")

    @staticmethod
    def resolve_recipient(movement) -> str:
        return borrower_label(movement)


class MovementPage(Schema):
    count: int
    items: list[MovementListedOut]


class MovementFilters(Schema):
    item: Id | None = Field(None, description="only this item's movements")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class PageFilters(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


def _station(pk: int) -> Site:
    site = Site.objects.select_related("place", "operator").filter(pk=pk, kind=SiteKind.STATION).first()
    if site is None:
        raise Http404(f"找不到编号为 {pk} 的驿站 / No station {pk}")
    return site


def _operated(request, pk: int, *, write: bool) -> Site:
    site = _station(pk)
    if not request.user.has_perm("sites.operate_site", site):
        if write:
            raise PermissionDenied
        raise Http404(f"找不到编号为 {pk} 的驿站 / No station {pk}")
    return site


# Public, as the station pages are; a token sent must still be valid (people.api.caller), as for the offers.
@router.get("", response={200: StationPage, 401: Detail}, auth=None, summary="List stations (public)")
def station_list(request, filters: Query[StationFilters]):
    caller(request)
    stations = selectors.stations(filters.q, filters.community or "")
    return {"count": stations.count(), "items": list(stations[filters.offset:filters.offset + filters.limit])}


@router.get("/{int:station_id}", response={200: StationDetailOut, 401: Detail, 404: Detail}, auth=None,
            summary="One station with what is available now (public)")
def station_detail(request, station_id: Id):
    caller(request)
    return Status(200, _station(station_id))


@router.get("/operated", response={200: StationPage}, summary="The stations I run (their operators' desk)")
def station_operated(request, page: Query[PageFilters]):
    stations = selectors.operated_by(request.user).select_related("place", "operator").order_by("name", "pk")
    return {"count": stations.count(), "items": list(stations[page.offset:page.offset + page.limit])}


@router.get("/{int:station_id}/items", response={200: StockItemList, 404: Detail},
            summary="A station's items with their stock and loans out (its operators)")
def station_items(request, station_id: Id):
    return {"items": list(selectors.items_of(_operated(request, station_id, write=False)))}


@router.get("/{int:station_id}/stock", response={200: MovementPage, 404: Detail},
            summary="A station's stock movements, newest first (its operators)")
def station_movements(request, station_id: Id, filters: Query[MovementFilters]):
    site = _operated(request, station_id, write=False)
    movements = StockMovement.objects.filter(item__site=site).select_related("person").order_by("-at", "-pk")
    if filters.item is not None:
        movements = movements.filter(item_id=filters.item)
    return {"count": movements.count(),
            "items": list(movements[filters.offset:filters.offset + filters.limit])}


@router.get("/{int:station_id}/loans", response={200: LoanPage, 404: Detail},
            summary="A station's loans (its operators)")
def station_loans(request, station_id: Id, filters: Query[LoanFilters]):
    site = _operated(request, station_id, write=False)
    loans = Loan.objects.filter(item__site=site).select_related("item", "person").order_by("due_on", "pk")
    if filters.state == "out":
        loans = loans.filter(returned_at=None, lost_at=None)
    elif filters.state == "overdue":
        loans = selectors.loans_overdue(site).select_related("item", "person").order_by("due_on", "pk")
    return Status(200, {"count": loans.count(), "items": list(loans[filters.offset:filters.offset + filters.limit])})


def _item(site: Site, pk: int, kind: str):
    item = site.items.filter(pk=pk, kind=kind, active=True).first()
    if item is None:
        raise ValidationError({"item": "该驿站没有此物品可供" + ("借用" if kind == ItemKind.LENDABLE else "发放")
                               + " / The station has no such item to " + (
                                   "lend" if kind == ItemKind.LENDABLE else "give out")})
    return item


@router.post("/{int:station_id}/loans", response={201: LoanOut, 403: Detail, 404: Detail, 422: FieldErrors},
             summary="Lend a unit (the station's operators)")
def station_lend(request, station_id: Id, payload: LoanIn):
    site = _operated(request, station_id, write=True)
    try:
        item = _item(site, payload.item, ItemKind.LENDABLE)
        person = None
        if payload.person is not None:
            person = scopes.persons_visible_to(request.user).filter(pk=payload.person).first()
            if person is None:
                raise ValidationError({"person": "找不到此人 / No such person"})
        loan = loan_create(actor=request.user, item=item, person=person, borrower_name=payload.borrower_name,
                           borrower_phone=payload.borrower_phone, due_on=payload.due_on, note=payload.note)
    except ValidationError as error:
        return refused(error)
    return Status(201, Loan.objects.select_related("item", "person").get(pk=loan.pk))


@router.post("/{int:station_id}/stock", response={201: MovementOut, 403: Detail, 404: Detail, 422: FieldErrors},
             summary="A stock movement: given out, received, or adjusted to a count (the station's operators)")
def station_stock(request, station_id: Id, payload: MovementIn):
    site = _operated(request, station_id, write=True)
    try:
        item = _item(site, payload.item, ItemKind.CONSUMABLE)
        if payload.kind == MovementKind.GIVEN_OUT:
            movement = stock_give_out(actor=request.user, item=item, quantity=payload.quantity,
                                      recipient=payload.recipient, reason=payload.reason)
        elif payload.kind == MovementKind.RECEIVED:
            movement = stock_receive(actor=request.user, item=item, quantity=payload.quantity, reason=payload.reason)
        else:
            movement = stock_adjust(actor=request.user, item=item, count=payload.quantity, reason=payload.reason)
    except ValidationError as error:
        return refused(error)
    return Status(201, StockMovement.objects.get(pk=movement.pk))


def _loan(request, pk: int) -> Loan:
    loan = Loan.objects.select_related("item__site", "person").filter(pk=pk).first()
    if loan is None or not request.user.has_perm("sites.operate_site", loan.item.site):
        raise Http404(f"找不到编号为 {pk} 的借用记录 / No loan {pk}")
    return loan


def _close(request, loan_id: int, service):
    loan = _loan(request, loan_id)
    try:
        service(actor=request.user, loan=loan)
    except ValidationError as error:
        return refused(error)
    return Status(200, Loan.objects.select_related("item", "person").get(pk=loan.pk))


@loans_router.post("/{int:loan_id}/return", response={200: LoanOut, 404: Detail, 422: FieldErrors},
                   summary="A lent unit returned (the station's operators)")
def loan_return_endpoint(request, loan_id: Id):
    return _close(request, loan_id, loan_return)


@loans_router.post("/{int:loan_id}/lost", response={200: LoanOut, 404: Detail, 422: FieldErrors},
                   summary="A lent unit marked lost (the station's operators)")
def loan_lost_endpoint(request, loan_id: Id):
    return _close(request, loan_id, loan_mark_lost)
