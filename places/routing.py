"""Point-to-grid routing: a point (longitude, latitude) that falls inside a grid's boundary belongs to it."""

from functools import lru_cache

from django.db.models import Count, Max
from shapely.geometry import Point, shape
from shapely.prepared import prep
from shapely.strtree import STRtree

from places.models import Place, PlaceKind


@lru_cache(maxsize=1)
def _grid_index(version: tuple) -> tuple[STRtree | None, list[tuple[int, object]]]:
    grids = []
    for pk, geometry in (Place.objects.filter(kind=PlaceKind.GRID, geometry__isnull=False)
                         .values_list("pk", "geometry")):
        geom = shape(geometry)
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            grids.append((pk, geom))
    if not grids:
        return None, []
    return STRtree([g for _pk, g in grids]), [(pk, prep(g)) for pk, g in grids]


def _index_version() -> tuple:
    # Any added, edited or removed grid changes the count or the latest edit time, which rebuilds
    # the index in every process; one cheap aggregate query per routing call.
    figures = Place.objects.filter(kind=PlaceKind.GRID, geometry__isnull=False).aggregate(
        n=Count("pk"), latest=Max("updated_at"))
    return figures["n"], figures["latest"]


def grid_for_point(longitude: float, latitude: float) -> Place | None:
    """The grid whose boundary contains the point, or None when no grid's boundary does."""
    tree, prepared = _grid_index(_index_version())
    if tree is None:
        return None
    point = Point(longitude, latitude)
    for i in tree.query(point):
        pk, geom = prepared[int(i)]
        if geom.covers(point):
            return Place.objects.get(pk=pk)
    return None
