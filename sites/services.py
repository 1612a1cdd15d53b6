"""Every write to stations, facilities and micro-positions."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.events import event_append, verbs_declare
from core.services import require, validated
from sites.models import Site

SITE_FIELDS = ("kind", "name", "place", "operator", "opening_hours", "description", "photo", "opened_on")


verbs_declare({
    "site_create": "a station, facility or micro-position registered",
    "site_update": "a site's details changed",
})


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
