"""The map of the grids: their boundaries (Place.geometry, GeoJSON in WGS 84) with a figure or two per grid, drawn
by ECharts from places/static/places/map.js (the GeoJSON is registered as a map in the browser: no tile server,
nothing fetched from outside). The apps above give the figures and where a click on a grid leads: the ledger's
dashboard (open and overdue needs), the claim board (its public needs; a click filters the board)."""

from collections.abc import Callable

from places.models import Place, PlaceKind
from places.selectors import within

MAP_GRID_LIMIT = 300  # more grids than this are too many to tell apart on one screen: choose a community first
AREA_TYPES = ("Polygon", "MultiPolygon")


def grid_map(places, *, figures: dict[str, dict[str, int]], metrics: list[tuple[str, str]],
             url: Callable[[str], str], selected: str = "") -> dict | None:
    """The map spec (json_script'ed for map.js) of the grids inside `places` (a place, a code, or several; None:
    everywhere) that have a boundary, or None when none has one or there are more than MAP_GRID_LIMIT.

    figures: grid code → {metric: number} (a grid missing from it counts 0); metrics: (key, label) of each figure,
    the first drawn first (each area's `values` are in this order); url: grid code → where a click on the grid
    leads; selected: a grid's code to outline."""
    grids = Place.objects.filter(kind=PlaceKind.GRID, geometry__isnull=False)
    if places is not None:
        grids = grids.filter(within(places))
    grids = list(grids.select_related("parent").order_by("code")[:MAP_GRID_LIMIT + 1])
    if len(grids) > MAP_GRID_LIMIT:
        return None
    grids = [g for g in grids if g.geometry.get("type") in AREA_TYPES]  # a grid given by a point is no area
    if not grids:
        return None
    keys = [key for key, _label in metrics]
    one_community = len({g.parent_id for g in grids}) == 1  # else 第一网格 would not say whose
    return {
        "features": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": g.code}, "geometry": g.geometry} for g in grids]},
        "areas": [{"code": g.code, "name": g.name, "short": short_name(g) if one_community else g.name,
                   "url": url(g.code), "values": [figures.get(g.code, {}).get(key, 0) for key in keys]} for g in grids],
        "metrics": [{"key": key, "label": str(label)} for key, label in metrics],
        "selected": selected,
    }


def short_name(grid: Place) -> str:
    """天庆嘉园第一网格 → 第一网格: the grid's name without what it shares with its community's (天庆嘉园社区)."""
    community = grid.parent.name if grid.parent else ""
    shared = next((n for n in range(min(len(community), len(grid.name)), 0, -1)
                   if grid.name.startswith(community[:n])), 0)
    return grid.name[shared:] or grid.name
