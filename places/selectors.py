"""Reads of the places tree that pages, API and ledger share."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Length

from places.models import COVERABLE_KINDS, PLACE_RULES, Coverage, Place, PlaceKind, containing_codes

TREE_NODE_LIMIT = 1500  # below this many places a subtree is sent whole; deeper levels open on their own page
FIGURES = ("area_km2", "buildings", "households", "residents")


def within(places, through: str = "") -> Q:
    """Rows placed inside any of the places (their whole subtrees): the one definition of "is inside".

    A place's code extends its parent's, so a subtree is the range of codes from the place's code up to the
    next code of its length — written as a range (codes are digits), which an index on the code serves on
    SQLite as on PostgreSQL, unlike LIKE 'prefix%'. `places` is a Place, a code, or several of either;
    `through` the path from the row to its place ("" for places themselves, "place", "home", "community",
    "grid_branch__place", …). No places: no rows."""
    if isinstance(places, Place | str):
        places = [places]
    field = f"{through}__code" if through else "code"
    q = Q(pk__in=[])
    for place in places:
        code = place if isinstance(place, str) else place.code
        q |= Q(**{f"{field}__gte": code, f"{field}__lt": code[:-1] + chr(ord(code[-1]) + 1)})
    return q


def chain_labels(names: list[str]) -> dict[str, str]:
    """The subdistricts whose event chains these are (a chain is named by its subdistrict's code,
    places.models.chain_of), for the checkpoints page (core.views.chain_labels_register)."""
    return dict(Place.objects.filter(code__in=names).values_list("code", "name"))


def place_search(q: str, *, limit: int = 50):
    return Place.objects.filter(Place.search_q(q)).select_related("parent")[:limit]


def place_tree(roots: list[Place]) -> tuple[list[Place], bool]:
    """The roots with `.subplaces` filled down as many levels as fit TREE_NODE_LIMIT, in three queries.

    Each place gets `child_count`; a place whose children were cut off has `more = True` and its
    subtree opens as a tree of its own. Returns (roots, whether anything was cut off).
    """
    if not roots:
        return [], False
    below = Place.objects.filter(within(roots)).exclude(pk__in=[p.pk for p in roots])
    per_level = (below.annotate(n=Length("code")).values("n").annotate(count=Count("id")).order_by("n"))
    levels, total, cut = [], 0, False
    for row in per_level:
        if levels and total + row["count"] > TREE_NODE_LIMIT:
            cut = True
            break
        levels.append(row["n"])
        total += row["count"]
    nodes = list(below.annotate(n=Length("code")).filter(n__in=levels)
                 .annotate(child_count=Count("children")).order_by("code"))
    counts = dict(Place.objects.filter(pk__in=[p.pk for p in roots]).annotate(c=Count("children"))
                  .values_list("pk", "c"))
    by_id = {}
    for place in [*roots, *nodes]:
        place.subplaces = []
        by_id[place.pk] = place
    for place in roots:
        place.child_count = counts[place.pk]
    for place in nodes:
        if place.parent_id in by_id:
            by_id[place.parent_id].subplaces.append(place)
    for place in by_id.values():
        place.more = place.child_count > len(place.subplaces)
    return roots, cut


def children_with_counts(place: Place):
    return place.children.annotate(child_count=Count("children")).order_by("code")


def place_figures(place: Place) -> dict:
    """Area, buildings, households, residents: the place's own figures, else the sum of its children's."""
    own = {f: getattr(place, f) for f in FIGURES}
    missing = [f for f, v in own.items() if v is None]
    if missing:
        sums = place.children.aggregate(**{f: Sum(f) for f in missing})
        own.update({f: v for f, v in sums.items() if v is not None})
    return own


def kind_counts(place: Place) -> dict[str, int]:
    """How many places of each kind lie inside the place."""
    rows = (Place.objects.filter(within(place)).exclude(pk=place.pk)
            .values("kind").annotate(n=Count("id")))
    return {row["kind"]: row["n"] for row in rows}


def coverage_counts(place: Place) -> dict[str, int]:
    """Grids, compounds, courtyards and unit sites inside the place that someone covers now."""
    rows = (Coverage.objects.filter(within(place, "place"), until__isnull=True)
            .values("place__kind").annotate(n=Count("place", distinct=True)))
    counts = {row["place__kind"]: row["n"] for row in rows}
    return {kind: counts.get(kind, 0) for kind in COVERABLE_KINDS}


def coverages_of(place: Place):
    return (Coverage.objects.filter(place=place).select_related("organisation", "person")
            .order_by("-until", "since"))


COMMUNITY_CODE_LENGTH = 12
GRID_CODE_LENGTH = 15


def place_paths(places, *, scopes=()) -> dict[int, list[str]]:
    """The names that lead to each place, itself last (天庆嘉园社区 › 天庆嘉园A区 › 4号楼3单元), in one query.

    A path starts at the community (the city, district and subdistrict are the same for everyone who uses
    one), or below the deepest of `scopes` (place codes: where the viewer's own area starts) that holds the
    place. A grid above a compound is left out (residents know the compound, not the grid), and so is a name
    the next one repeats (4号楼 › 4号楼3单元 reads 4号楼3单元)."""
    places = list(places)
    starts = {}
    for place in places:
        holding = [len(s) for s in scopes if place.code.startswith(s) and len(s) < len(place.code)]
        starts[place.pk] = max([COMMUNITY_CODE_LENGTH - 1, *holding])
    above = {p.pk: [c for c in containing_codes(p.code)[:-1] if len(c) > starts[p.pk]
                    and not (len(c) == GRID_CODE_LENGTH < len(p.code))] for p in places}
    codes = {c for chain in above.values() for c in chain}
    names = dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    paths = {}
    for place in places:
        chain = [names[c] for c in above[place.pk] if c in names] + [place.name]
        paths[place.pk] = [name for name, after in zip(chain, [*chain[1:], None], strict=True)
                           if after is None or not after.startswith(name)]
    return paths


AREA_CODE_LENGTHS = (PLACE_RULES[PlaceKind.DISTRICT][1], PLACE_RULES[PlaceKind.SUBDISTRICT][1])


def place_areas(places) -> dict[int, list[str]]:
    """The district and subdistrict each place lies in (城关区, 拱星墩街道), by pk, in one query whatever the number
    of places: what tells apart the communities of one name that a city of hundreds has, where place_paths (which
    starts at the community) reads the same for each. The city is left out, the same for everyone."""
    places = list(places)
    above = {p.pk: [p.code[:n] for n in AREA_CODE_LENGTHS if n < len(p.code)] for p in places}
    codes = {c for chain in above.values() for c in chain}
    names = dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return {pk: [names[c] for c in chain if c in names] for pk, chain in above.items()}
