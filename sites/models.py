from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PinyinSearchable


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
