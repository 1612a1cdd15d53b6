from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from core.events import CITY_CHAIN
from core.models import PinyinSearchable


class PlaceKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    COURTYARD = "courtyard", _("Courtyard")
    UNIT_SITE = "unit_site", _("Unit site")
    BUILDING = "building", _("Building")
    ENTRANCE = "entrance", _("Entrance")


# Each kind: the kinds it may sit under, and the length of its code. Codes extend the parent's code,
# so "is inside" is a prefix test and a whole subtree is one indexed range query.
# City 4 + district 2 (GB/T 2260 county) + subdistrict 3 + community 3 = the 12-digit division code;
# + grid 3 = 15 digits; + compound / courtyard / unit site 3; + building 3; + entrance 2.
PLACE_RULES: dict[str, tuple[tuple[str, ...], int]] = {
    PlaceKind.CITY: ((), 4),
    PlaceKind.DISTRICT: ((PlaceKind.CITY,), 6),
    PlaceKind.SUBDISTRICT: ((PlaceKind.DISTRICT,), 9),
    PlaceKind.COMMUNITY: ((PlaceKind.SUBDISTRICT,), 12),
    PlaceKind.GRID: ((PlaceKind.COMMUNITY,), 15),
    PlaceKind.COMPOUND: ((PlaceKind.GRID,), 18),
    PlaceKind.COURTYARD: ((PlaceKind.GRID,), 18),
    PlaceKind.UNIT_SITE: ((PlaceKind.GRID,), 18),
    PlaceKind.BUILDING: ((PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE), 21),
    PlaceKind.ENTRANCE: ((PlaceKind.BUILDING,), 23),
}
COVERABLE_KINDS = (PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.COURTYARD, PlaceKind.UNIT_SITE)


class Place(PinyinSearchable):
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=23, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=9, decimal_places=3, null=True, blank=True)
    buildings = models.PositiveIntegerField(_("buildings"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    geometry = models.JSONField(_("GeoJSON geometry"), null=True, blank=True,
                                help_text=_("A GeoJSON Point or Polygon in WGS 84 (longitude, latitude)."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self):
        return self.name

    def clean(self):
        errors = validate_place_code(kind=self.kind, code=self.code, parent=self.parent)
        try:
            validate_geometry(self.geometry)
        except ValidationError as exc:
            errors["geometry"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)

    @property
    def events_chain(self) -> str:
        return chain_of(self)

    def contains(self, other: "Place") -> bool:
        return other.code.startswith(self.code)

    def ancestors(self) -> list["Place"]:
        """From the root down to the parent, found by code prefixes in one query."""
        return list(Place.objects.filter(code__in=containing_codes(self.code)[:-1]).order_by("code"))


def chain_of(place: "Place | None") -> str:
    """The event chain (core.events) of a record placed here: its subdistrict's, named by the subdistrict's code;
    the city's for a place above the subdistricts and for a record with no place."""
    length = PLACE_RULES[PlaceKind.SUBDISTRICT][1]
    return place.code[:length] if place is not None and len(place.code) >= length else CITY_CHAIN


def chains_under(place: "Place") -> str:
    """The prefix of the names of the chains of records placed in or under the place (core.events.chains_version)."""
    return place.code[:PLACE_RULES[PlaceKind.SUBDISTRICT][1]]


def containing_codes(code: str) -> list[str]:
    """The codes of the places that contain the place with this code, from the root, itself last."""
    return sorted({code[:n] for _kinds, n in PLACE_RULES.values() if n <= len(code)}, key=len)


def validate_place_code(*, kind: str, code: str, parent: Place | None) -> dict[str, str]:
    """Field → message for every way the code and parent break the tree's rules."""
    errors: dict[str, str] = {}
    if kind not in PLACE_RULES:
        return {"kind": _("Unknown kind of place.")}
    allowed_parents, length = PLACE_RULES[kind]
    label = PlaceKind(kind).label
    if not (code or "").isdigit() or len(code) != length:
        errors["code"] = _("The code of a %(kind)s must be %(n)d digits (got “%(code)s”).") % {
            "kind": label, "n": length, "code": code or ""}
    if allowed_parents:
        if parent is None:
            errors["parent"] = _("A %(kind)s must belong to a %(parents)s.") % {
                "kind": label, "parents": " / ".join(str(PlaceKind(p).label) for p in allowed_parents)}
        elif parent.kind not in allowed_parents:
            errors["parent"] = _("A %(kind)s cannot belong to a %(parent_kind)s; it must belong to a "
                                 "%(parents)s.") % {
                "kind": label, "parent_kind": PlaceKind(parent.kind).label,
                "parents": " / ".join(str(PlaceKind(p).label) for p in allowed_parents)}
        elif "code" not in errors and not code.startswith(parent.code):
            errors["code"] = _("The code %(code)s does not start with the code of %(parent)s "
                               "(%(parent_code)s).") % {
                "code": code, "parent": parent.name, "parent_code": parent.code}
    elif parent is not None:
        errors["parent"] = _("A %(kind)s has no parent place.") % {"kind": label}
    return errors


def validate_geometry(geometry: dict | None) -> None:
    """A GeoJSON Point or Polygon / MultiPolygon that shapely can read, with a valid polygon."""
    if not geometry:
        return
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several kinds for malformed GeoJSON
        raise ValidationError(_("The boundary is not valid GeoJSON.")) from exc
    if geom.geom_type not in ("Point", "Polygon", "MultiPolygon") or not geom.is_valid:
        raise ValidationError(_("The boundary must be a GeoJSON point or a valid polygon."))


class Coverage(models.Model):
    """包抓 / 四进: a unit (its party organisation) or a member takes responsibility for a place."""

    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT,
                              related_name="coverages")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="coverages")
    person = models.ForeignKey("people.Person", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="coverages")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        ordering = ["place__code", "since"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False, person__isnull=True)
                           | models.Q(organisation__isnull=True, person__isnull=False)),
                name="coverage_by_unit_or_member",
            ),
        ]

    def __str__(self):
        return f"{self.organisation or self.person} → {self.place}"

    @property
    def events_chain(self) -> str:  # core.events: the chain of its events
        return chain_of(self.place)

    def clean(self):
        if self.place_id and self.place.kind not in COVERABLE_KINDS:
            raise ValidationError({"place": _("Coverage is of a grid, compound, courtyard or unit site.")})
        if bool(self.organisation_id) == bool(self.person_id):
            raise ValidationError(_("Coverage is taken by exactly one unit or one member."))
