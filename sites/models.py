from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import PinyinSearchable
from people.models import validate_phone
from places.models import chain_of


class SiteKind(models.TextChoices):
    STATION = "station", _("Station (便民驿站 / 便民服务点)")
    FACILITY = "facility", _("Facility (便民设施)")
    MICRO_POSITION = "micro_position", _("Micro-position (党建微阵地)")


class Site(PinyinSearchable):
    """A registered place of service: a convenience station, a facility, or a party-building micro-position."""

    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT,
                              related_name="sites")
    operator = models.ForeignKey("people.Organisation", verbose_name=_("operator"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="sites")
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True,
                                     help_text=_("e.g. 周一至周五 9:00–17:00"))
    description = models.TextField(_("description"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="sites/", blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)


class ItemKind(models.TextChoices):
    CONSUMABLE = "consumable", _("Consumable (given out)")
    LENDABLE = "lendable", _("Lendable (lent and returned)")


class Item(models.Model):
    """Something a station keeps for residents: a consumable with a stock count (免洗洗手液, 创可贴) or a
    lendable with a number of units (雨伞, 血压计, 急救包). Counts change only through sites.services, under the
    item's row lock, so the stock is never negative and no unit is lent twice."""

    site = models.ForeignKey(Site, verbose_name=_("station"), on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("counted in"), max_length=10, default="件", help_text=_("e.g. 件, 把, 瓶, 台"))
    stock = models.PositiveIntegerField(_("in stock"), default=0, help_text=_("Consumables: how many are on hand."))
    low_stock = models.PositiveIntegerField(
        _("low-stock threshold"), default=0,
        help_text=_("Consumables: the operator is alerted when the stock falls to this or below."))
    units = models.PositiveIntegerField(
        _("units"), default=0, help_text=_("Lendables: how many units the station has (lost ones not counted)."))
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=7)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("station item")
        verbose_name_plural = _("station items")
        ordering = ["site", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="sites_item_unique_name"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="sites_item_stock_not_negative"),
        ]

    def __str__(self):
        return f"{self.site} · {self.name}"

    @property
    def is_lendable(self) -> bool:
        return self.kind == ItemKind.LENDABLE

    @property
    def is_low(self) -> bool:
        return self.kind == ItemKind.CONSUMABLE and self.active and self.stock <= self.low_stock


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    GIVEN_OUT = "given_out", _("Given out")
    ADJUSTED = "adjusted", _("Adjusted")


class StockMovement(models.Model):
    """One change of a consumable's stock: `change` is signed (given out: negative), `stock_after` what was on
    hand after it. Whom it was given to (a person on record, or a name the operator typed) is private: only the
    station's operators read it, and the event carries neither."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    change = models.IntegerField(_("change"))
    stock_after = models.PositiveIntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    person = models.ForeignKey("people.Person", verbose_name=_("given to"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(_("given to (name)"), max_length=50, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("handled by", "by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.item.name} {self.change:+d}"


class Loan(models.Model):
    """One unit of a lendable item lent to someone: a person on record, or a passer-by whose name and phone the
    operator typed (private: only the station's operators read them). Out until returned or marked lost."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="loans")
    person = models.ForeignKey("people.Person", verbose_name=_("borrower"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    borrower_name = models.CharField(_("borrower's name"), max_length=50, blank=True)
    borrower_phone = models.CharField(_("borrower's phone"), max_length=20, blank=True, validators=[validate_phone])
    lent_at = models.DateTimeField(_("lent at"), db_index=True)
    due_on = models.DateField(_("due back on"))
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("marked lost at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken back by"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    overdue_at = models.DateTimeField(_("overdue reminder sent at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-lent_at", "-id"]
        indexes = [models.Index(fields=["item", "returned_at", "lost_at"]),
                   models.Index(fields=["due_on"], condition=models.Q(returned_at=None, lost_at=None),
                                name="sites_loan_open_due")]
        constraints = [models.CheckConstraint(
            condition=models.Q(person__isnull=False) | ~models.Q(borrower_name=""), name="sites_loan_has_borrower")]

    def __str__(self):
        return f"{self.item.name} #{self.pk}"

    @property
    def is_out(self) -> bool:
        return self.returned_at is None and self.lost_at is None

    def is_overdue(self, today) -> bool:
        return self.is_out and self.due_on < today
