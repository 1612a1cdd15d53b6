"""Every write to stations, facilities and micro-positions, and to a station's stock and loans.

Stock and loans change under the item's row lock (select_for_update; on SQLite the IMMEDIATE transaction
holds the database's write lock), so the stock is never negative and no unit is lent twice however many
operators press at once. A refusal is a ValidationError that says why, and nothing is written.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import notify
from core.events import event_append, verbs_declare
from core.services import ValidationError, require, validated
from sites.models import Item, ItemKind, Loan, MovementKind, Site, SiteKind, StockMovement
from sites.selectors import operator_users

SITE_FIELDS = ("kind", "name", "place", "operator", "opening_hours", "description", "photo", "opened_on")


verbs_declare({
    "site_create": "a station, facility or micro-position registered",
    "site_update": "a site's details changed",
    "item_create": "an item a station gives out or lends registered",
    "item_update": "a station item's details changed",
    "stock_receive": "a consumable's stock received",
    "stock_give_out": "a consumable given out",
    "stock_adjust": "a consumable's stock corrected to a count, with a reason",
    "loan_create": "a unit of a lendable item lent",
    "loan_return": "a lent unit returned",
    "loan_mark_lost": "a lent unit marked lost",
    "loan_overdue": "a loan past its due date: the operator reminded (once per loan)",
})

MAX_QUANTITY = 10_000  # more in one movement, or in stock, is a typing mistake
MAX_UNITS = 1_000
MAX_LOAN_DAYS = 366
MOVEMENT_VERBS = {MovementKind.RECEIVED: "stock_receive", MovementKind.GIVEN_OUT: "stock_give_out",
                  MovementKind.ADJUSTED: "stock_adjust"}
ITEM_FIELDS = ("name", "unit", "low_stock", "units", "loan_days", "note", "active")


@transaction.atomic
def site_create(*, actor, kind: str, name: str, place, operator=None, opening_hours: str = "",
                description: str = "", photo=None, opened_on=None) -> Site:
    require(actor.has_perm("places.change_place", place), _("You may only register sites in your own area."))
    site = validated(Site(kind=kind, name=name, place=place, operator=operator, opening_hours=opening_hours,
                          description=description, photo=photo or "", opened_on=opened_on))
    site.save()
    event_append(actor=actor, verb="site_create", subject=site, data={"name": name, "kind": kind,
                                                                       "place": place.code})
    return site


@transaction.atomic
def site_update(*, actor, site: Site, **changes) -> Site:
    require(actor.has_perm("sites.change_site", site), _("You may only change sites in your own area."))
    changed = {f: v for f, v in changes.items() if f in SITE_FIELDS and getattr(site, f) != v}
    if not changed:
        return site
    if "place" in changed:
        require(actor.has_perm("places.change_place", changed["place"]),
                _("You may only move a site to a place in your own area."))
    for field, value in changed.items():
        setattr(site, field, value)
    validated(site).save()
    event_append(actor=actor, verb="site_update", subject=site,
                 data={f: str(v) for f, v in changed.items()})
    return site


# --- stock and loans -------------------------------------------------------------------------------------


def _require_operator(actor, site: Site) -> None:
    require(actor.has_perm("sites.operate_site", site),
            _("Only the station's operator and the staff of its area may do this."))


def _locked(item: Item) -> Item:
    """The item re-read under its row lock; the caller's instance follows it."""
    fresh = Item.objects.select_for_update().get(pk=item.pk)
    item.stock, item.units = fresh.stock, fresh.units
    return fresh


def _quantity(value, field: str = "quantity", maximum: int = MAX_QUANTITY) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("Enter a whole number.")}) from None
    if not 1 <= value <= maximum:
        raise ValidationError({field: _("Enter a number from 1 to %(max)s.") % {"max": maximum}})
    return value


def _count(value, field: str) -> int:
    """A count that may be 0 (a stock taken, a threshold)."""
    return 0 if value in (0, "0") else _quantity(value, field)


def _kind_is(item: Item, kind: str) -> None:
    if item.kind != kind:
        raise ValidationError(_("%(name)s is lent, not given out.") % {"name": item.name}
                              if item.kind == ItemKind.LENDABLE
                              else _("%(name)s is given out, not lent.") % {"name": item.name})


def _when(at):
    return at or timezone.now()


@transaction.atomic
def item_create(*, actor, site: Site, kind: str, name: str, unit: str = "件", stock: int = 0, low_stock: int = 0,
                units: int = 0, loan_days: int = 7, note: str = "", at=None) -> Item:
    """A consumable with its opening stock (a `received` movement) or a lendable with its units."""
    _require_operator(actor, site)
    if site.kind != SiteKind.STATION:
        raise ValidationError(_("Only a station keeps items to give out or lend."))
    stock, low_stock = _count(stock, "stock"), _count(low_stock, "low_stock")
    units = _count(units, "units") if kind == ItemKind.LENDABLE else 0
    if units > MAX_UNITS:
        raise ValidationError({"units": _("Enter a number from 1 to %(max)s.") % {"max": MAX_UNITS}})
    if kind == ItemKind.LENDABLE:
        stock = low_stock = 0
    item = validated(Item(site=site, kind=kind, name=(name or "").strip(), unit=(unit or "件").strip(),
                          stock=stock, low_stock=low_stock, units=units,
                          loan_days=_quantity(loan_days, "loan_days", MAX_LOAN_DAYS), note=note))
    item.save()
    event_append(actor=actor, verb="item_create", subject=item, at=at,
                 data={"site": site.pk, "kind": kind, "stock": stock, "units": units})
    if stock:
        StockMovement.objects.create(item=item, kind=MovementKind.RECEIVED, change=stock, stock_after=stock,
                                     reason=_("Opening stock"), actor=actor if actor.pk else None, at=_when(at))
    return item


@transaction.atomic
def item_update(*, actor, item: Item, **changes) -> Item:
    """Name, unit, threshold, loan period, note, offered or not; a lendable's units (not below those out)."""
    _require_operator(actor, item.site)
    item = _locked(item)
    if "low_stock" in changes:
        changes["low_stock"] = _count(changes["low_stock"], "low_stock")
    if "loan_days" in changes:
        changes["loan_days"] = _quantity(changes["loan_days"], "loan_days", MAX_LOAN_DAYS)
    if "units" in changes:
        if item.kind != ItemKind.LENDABLE:
            changes.pop("units")
        else:
            changes["units"] = _count(changes["units"], "units")
            out = loans_out(item).count()
            if changes["units"] < out:
                raise ValidationError({"units": _("%(out)s units are out on loan: the station cannot have fewer.")
                                       % {"out": out}})
    changed = {f: v for f, v in changes.items() if f in ITEM_FIELDS and getattr(item, f) != v}
    if not changed:
        return item
    for field, value in changed.items():
        setattr(item, field, value)
    validated(item).save()
    event_append(actor=actor, verb="item_update", subject=item,
                 data={f: v for f, v in changed.items() if f in ("units", "low_stock", "loan_days", "active")}
                 | {"changed": sorted(changed)})
    return item


def _movement(*, actor, item: Item, kind: str, change: int, reason: str = "", person=None, recipient: str = "",
              at=None) -> StockMovement:
    item.stock += change
    item.save(update_fields=["stock"])
    movement = validated(StockMovement(item=item, kind=kind, change=change, stock_after=item.stock, reason=reason,
                                       person=person, recipient=recipient, actor=actor if actor.pk else None,
                                       at=_when(at)))
    movement.save()
    data = {"movement": movement.pk, "change": change, "stock": item.stock}
    if person is not None:
        data["person"] = person.pk
    event_append(actor=actor, verb=MOVEMENT_VERBS[kind], subject=item, at=at, data=data)
    return movement


@transaction.atomic
def stock_receive(*, actor, item: Item, quantity: int, reason: str = "", at=None) -> StockMovement:
    _require_operator(actor, item.site)
    _kind_is(item, ItemKind.CONSUMABLE)
    quantity = _quantity(quantity)
    locked = _locked(item)
    if locked.stock + quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _("A station keeps at most %(max)s of an item.") % {"max": MAX_QUANTITY}})
    movement = _movement(actor=actor, item=locked, kind=MovementKind.RECEIVED, change=quantity, reason=reason, at=at)
    item.stock = locked.stock
    return movement


@transaction.atomic
def stock_give_out(*, actor, item: Item, quantity: int = 1, person=None, recipient: str = "", reason: str = "",
                   at=None) -> StockMovement:
    """Give out `quantity`, to someone on record or named (both optional, private). Falling to the low-stock
    threshold or below alerts the operator (a line in their inbox, a message after the commit; once)."""
    _require_operator(actor, item.site)
    _kind_is(item, ItemKind.CONSUMABLE)
    quantity = _quantity(quantity)
    if person is not None:
        require(actor.has_perm("people.view_person", person), _("You may not open this person's record."))
    locked = _locked(item)
    if not locked.active:
        raise ValidationError(_("%(name)s is no longer offered.") % {"name": locked.name})
    if quantity > locked.stock:
        raise ValidationError({"quantity": _("Only %(count)s %(unit)s left in stock.")
                               % {"count": locked.stock, "unit": locked.unit} if locked.stock
                               else _("%(name)s is out of stock.") % {"name": locked.name}})
    was_low = locked.is_low
    movement = _movement(actor=actor, item=locked, kind=MovementKind.GIVEN_OUT, change=-quantity, reason=reason,
                         person=person, recipient=(recipient or "").strip(), at=at)
    item.stock = locked.stock
    if locked.is_low and not was_low:
        _stock_low_notify(locked, movement)
    return movement


@transaction.atomic
def stock_adjust(*, actor, item: Item, count: int, reason: str, at=None) -> StockMovement:
    """The stock corrected to what was counted on the shelf (a stocktake, breakage, expiry), with the reason."""
    _require_operator(actor, item.site)
    _kind_is(item, ItemKind.CONSUMABLE)
    count = _count(count, "count")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the stock is corrected (e.g. 盘点, 过期, 损坏).")})
    locked = _locked(item)
    if count == locked.stock:
        raise ValidationError({"count": _("The stock is already %(count)s %(unit)s.")
                               % {"count": count, "unit": locked.unit}})
    was_low = locked.is_low
    movement = _movement(actor=actor, item=locked, kind=MovementKind.ADJUSTED, change=count - locked.stock,
                         reason=reason, at=at)
    item.stock = locked.stock
    if locked.is_low and not was_low:
        _stock_low_notify(locked, movement)
    return movement


def _stock_low_notify(item: Item, movement: StockMovement) -> None:
    """The station's operators hear that a consumable's stock fell to its threshold: a line in their inbox that
    opens the desk, a message after the commit (core.notify), in the give-out's or correction's transaction."""
    site = item.site
    text = _("%(site)s: “%(item)s” is running low — %(count)s %(unit)s left.") % {
        "site": site.name, "item": item.name, "count": item.stock, "unit": item.unit}
    notify.notify(users=operator_users(site), subject=item, verb="stock_low", text=text,
                  link=reverse("sites:desk", args=[site.pk]), at=movement.at)


def loans_out(item: Item):
    return Loan.objects.filter(item=item, returned_at=None, lost_at=None)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def loan_create(*, actor, item: Item, person=None, borrower_name: str = "", borrower_phone: str = "", due_on=None,
                note: str = "", at=None) -> Loan:
    """Lend one unit to a person on record, or to a passer-by by the name and phone the operator typed (private).
    Due back on `due_on` (default: the item's loan period from today)."""
    _require_operator(actor, item.site)
    _kind_is(item, ItemKind.LENDABLE)
    at = _when(at)
    today = timezone.localdate(at)
    borrower_name, borrower_phone = (borrower_name or "").strip(), (borrower_phone or "").strip()
    if person is not None:
        require(actor.has_perm("people.view_person", person), _("You may not open this person's record."))
        borrower_name = borrower_phone = ""
    elif not borrower_name or not borrower_phone:
        raise ValidationError({"borrower_name": _("Choose the borrower on record, or type their name and phone.")})
    if due_on is None:
        due_on = today + datetime.timedelta(days=item.loan_days)
    if due_on < today:
        raise ValidationError({"due_on": _("The due date %(date)s has passed: choose today or later.")
                               % {"date": _date(due_on)}})
    if due_on > today + datetime.timedelta(days=MAX_LOAN_DAYS):
        raise ValidationError({"due_on": _("A loan lasts at most %(days)s days.") % {"days": MAX_LOAN_DAYS}})
    locked = _locked(item)
    if not locked.active:
        raise ValidationError(_("%(name)s is no longer offered.") % {"name": locked.name})
    out = loans_out(locked)
    if out.count() >= locked.units:
        first = out.order_by("due_on").values_list("due_on", flat=True).first()
        raise ValidationError(_("All %(name)s are out on loan; the earliest is due back on %(date)s.")
                              % {"name": locked.name, "date": _date(first)} if first
                              else _("The station has no %(name)s to lend.") % {"name": locked.name})
    loan = validated(Loan(item=locked, person=person, borrower_name=borrower_name, borrower_phone=borrower_phone,
                          lent_at=at, due_on=due_on, lent_by=actor if actor.pk else None, note=note))
    loan.save()
    event_append(actor=actor, verb="loan_create", subject=loan, at=at,
                 data={"item": locked.pk, "due_on": due_on.isoformat(),
                       **({"person": person.pk} if person else {"passer_by": True})})
    return loan


def _close(*, actor, loan: Loan, verb: str, field: str, at, note: str) -> Loan:
    _require_operator(actor, loan.item.site)
    _locked(loan.item)
    fresh = Loan.objects.select_for_update().get(pk=loan.pk)
    if not fresh.is_out:
        raise ValidationError(_("This loan was already returned.") if fresh.returned_at
                              else _("This loan was already marked lost."))
    at = _when(at)
    if at < fresh.lent_at:
        raise ValidationError(_("A unit cannot come back before it was lent."))
    setattr(fresh, field, at)
    fresh.closed_by = actor if actor.pk else None
    if note:
        fresh.note = note[:200]
    fresh.save(update_fields=[field, "closed_by", "note"])
    setattr(loan, field, at)
    loan.closed_by = fresh.closed_by
    data = {"item": fresh.item_id, "overdue": fresh.due_on < timezone.localdate(at)}
    if field == "lost_at":
        item = Item.objects.get(pk=fresh.item_id)
        item.units = max(0, item.units - 1)
        item.save(update_fields=["units"])
        loan.item.units = item.units
        data["units"] = item.units
    event_append(actor=actor, verb=verb, subject=fresh, at=at, data=data)
    return loan


@transaction.atomic
def loan_return(*, actor, loan: Loan, at=None, note: str = "") -> Loan:
    return _close(actor=actor, loan=loan, verb="loan_return", field="returned_at", at=at, note=note)


@transaction.atomic
def loan_mark_lost(*, actor, loan: Loan, at=None, note: str = "") -> Loan:
    """The unit will not come back: the loan is closed and the item has one unit fewer."""
    return _close(actor=actor, loan=loan, verb="loan_mark_lost", field="lost_at", at=at, note=note)


@transaction.atomic
def loan_overdue_mark(*, loan: Loan, at=None) -> bool:
    """The sweep's step (sites.tasks): a loan past its due date is marked once and its operators reminded (a line
    in their inbox, a message after the commit). False when it was already marked or is closed."""
    at = _when(at)
    fresh = Loan.objects.select_for_update().get(pk=loan.pk)
    if not fresh.is_out or fresh.overdue_at or fresh.due_on >= timezone.localdate(at):
        return False
    fresh.overdue_at = at
    fresh.save(update_fields=["overdue_at"])
    event_append(actor=None, verb="loan_overdue", subject=fresh, at=at,
                 data={"item": fresh.item_id, "due_on": fresh.due_on.isoformat()})
    site = fresh.item.site
    text = _("%(site)s: a “%(item)s” lent was due back on %(due)s.") % {
        "site": site.name, "item": fresh.item.name, "due": _date(fresh.due_on)}
    notify.notify(users=operator_users(site), subject=fresh, verb="loan_overdue", text=text,
                  link=reverse("sites:desk", args=[site.pk]), at=at)
    return True
