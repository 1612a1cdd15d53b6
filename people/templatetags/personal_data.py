"""Template filters that show personal data masked, and where a person lives without their room."""

from django import template

from people import masking

register = template.Library()

register.filter("mask_name", masking.mask_name)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_room", masking.mask_room)

_LIVING_KINDS = {"compound", "courtyard", "unit_site"}


@register.filter
def home_label(place) -> str:
    """天庆嘉园A区 1号楼 1号楼2单元 → "天庆嘉园A区 · 1号楼2单元": the compound and the place itself.

    Walks up the parents already loaded with select_related("home__parent__parent"), never further.
    """
    if place is None:
        return ""
    if place.kind in _LIVING_KINDS or place.kind not in {"building", "entrance"}:
        return place.name
    up = place.parent if place.kind == "building" else place.parent and place.parent.parent
    return f"{up.name} · {place.name}" if up is not None else place.name
