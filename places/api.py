"""Places in the API: search the tree by name, full pinyin or pinyin initials, read one place and walk the tree
down (subdistrict → community → grid → building: `/places/{code}/children`) or up (`parent`).

Places are not personal data, but the API still needs a token (the default auth of minsheng.api).
"""

from typing import Annotated

from django.db.models import F
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from core.api import Detail, Offset
from places.models import Place, PlaceKind

router = Router(tags=["places"])

# A place's code is digits (places.models: 12 for a community, + 3 a level below): a pattern the document
# states, so that text no code can be (a NUL, a word) is refused as a field error, never looked up.
CODE = r"^[0-9]{1,23}$"


class PlaceOut(Schema):
    code: str
    kind: PlaceKind
    name: str
    parent: str | None = Field(None, description="the parent place's code")
    area_km2: float | None
    buildings: int | None
    households: int | None
    residents: int | None

    @staticmethod
    def resolve_parent(place) -> str | None:
        return place.parent_code


class PlacePage(Schema):
    count: int
    items: list[PlaceOut]


class PageFilters(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


class PlaceFilters(Schema):
    q: str = Field("", max_length=100, description="part of the name, its pinyin or its pinyin initials (tqjy)")
    kind: PlaceKind | None = None
    parent: str | None = Field(None, pattern=CODE, description="only the children of the place with this code")
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def places_with_parent_code():
    # The parent's code comes in the same query, so a page costs the same number of queries at any size.
    return Place.objects.annotate(parent_code=F("parent__code"))


@router.get("", response=PlacePage, summary="Search places")
def place_list(request, filters: Query[PlaceFilters]):
    places = places_with_parent_code().filter(Place.search_q(filters.q)).order_by("code")
    if filters.kind:
        places = places.filter(kind=filters.kind)
    if filters.parent:
        places = places.filter(parent__code=filters.parent)
    return {"count": places.count(),
            "items": list(places[filters.offset:filters.offset + filters.limit])}


def _place(code: str) -> Place:
    place = places_with_parent_code().filter(code=code).first()
    if place is None:
        raise Http404(f"找不到编码为 {code} 的地点 / No place has the code {code}")
    return place


@router.get("/{code}", response=PlaceOut, summary="One place by its code")
def place_detail(request, code: Annotated[str, Path(pattern=CODE)]):
    return _place(code)


@router.get("/{code}/children", response={200: PlacePage, 404: Detail},
            summary="A place's children, by code (the next level down the tree)")
def place_children(request, code: Annotated[str, Path(pattern=CODE)], page: Query[PageFilters]):
    children = places_with_parent_code().filter(parent=_place(code)).order_by("code")  # none such: 404
    return {"count": children.count(), "items": list(children[page.offset:page.offset + page.limit])}
