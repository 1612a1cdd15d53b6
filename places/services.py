"""Every write to places and coverage."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.events import event_append, verbs_declare
from core.services import require, validated
from places.models import Coverage, Place

FIGURE_FIELDS = ("area_km2", "buildings", "households", "residents")


verbs_declare({
    "place_create": "a place added to the tree",
    "place_update": "a place's name, code or figures changed",
    "coverage_create": "a unit or member took responsibility for a place (包抓)",
})


@transaction.atomic
def place_create(*, actor, kind: str, name: str, code: str, parent: Place | None = None, area_km2=None,
                 buildings=None, households=None, residents=None, geometry=None) -> Place:
    require(actor.has_perm("places.add_place", parent),
            _("You may only add places inside your own area."))
    place = validated(Place(kind=kind, name=name, code=code, parent=parent, area_km2=area_km2,
                            buildings=buildings, households=households, residents=residents,
                            geometry=geometry))
    place.save()
    event_append(actor=actor, verb="place_create", subject=place,
                 data={"code": code, "kind": kind, "name": name})
    return place


@transaction.atomic
def place_update(*, actor, place: Place, **changes) -> Place:
    require(actor.has_perm("places.change_place", place), _("You may only change places in your own area."))
    changed = {}
    for field, value in changes.items():
        if getattr(place, field) != value:
            setattr(place, field, value)
            changed[field] = value
    if not changed:
        return place
    validated(place)
    place.save()
    event_append(actor=actor, verb="place_update", subject=place, data=changed)
    return place


@transaction.atomic
def coverage_create(*, actor, place: Place, since, organisation=None, person=None) -> Coverage:
    require(actor.has_perm("places.change_place", place),
            _("You may only record coverage of places in your own area."))
    existing = Coverage.objects.filter(place=place, organisation=organisation, person=person,
                                       until__isnull=True).first()
    if existing:
        return existing
    coverage = validated(Coverage(place=place, organisation=organisation, person=person, since=since))
    coverage.save()
    event_append(actor=actor, verb="coverage_create", subject=coverage,
                 data={"place": place.code, "organisation": organisation and organisation.pk,
                       "person": person and person.pk, "since": since})
    return coverage
