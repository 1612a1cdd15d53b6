"""sites' panel on a place's page (places.panels): the stations, facilities and micro-positions in it."""

from places.selectors import within
from sites.models import Site

PLACE_LIST_LIMIT = 100  # sites listed on a place's page; the directory has the rest


def sites_panel(request, place) -> dict | None:
    sites = list(Site.objects.filter(within(place, "place"))[:PLACE_LIST_LIMIT])
    return {"sites": sites} if sites else None
