"""What the apps above places plug into its pages; places may not import them, so they register here in
their AppConfig.ready().

- Panels on a place's page (its organisations, sites, committee …), rendered in order. A panel's context
  function gets the request and the place and returns the panel's template context, or None when it has
  nothing to show for this place.
- Where a user's place tree starts: the places the user administers, which only people's roles know.
- Posters: what else in a place has a poster (sites), printed in a community's batch after the places'
  own; and where a poster's "report a problem here" leads (needs' form, the place filled in).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (request, place) -> dict | None
    order: int


PANELS: dict[str, Panel] = {}


def panel_register(*, key: str, template: str, context: Callable, order: int) -> None:
    PANELS[key] = Panel(key=key, template=template, context=context, order=order)


def panels_for(request, place) -> list[tuple[str, dict]]:
    """(template, context) of every panel with something to show for the place, in order."""
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        context = panel.context(request, place)
        if context is not None:
            shown.append((panel.template, context))
    return shown


_administered_places: Callable = lambda user: []  # noqa: E731  (until people registers its roles)


def administered_places_register(function: Callable) -> None:
    """function(user) -> the places the user administers through their roles."""
    global _administered_places
    _administered_places = function


def administered_places(user) -> list:
    return _administered_places(user)


# --- Posters (places.posters) --------------------------------------------------------------------------------
# What the apps above keep in a place that has a poster of its own (sites: its stations, facilities and
# micro-positions), printed after the places' own in a batch: function(place, base_url) -> iterable of Poster.
_poster_sources: dict[str, Callable] = {}


def poster_source_register(*, key: str, function: Callable) -> None:
    _poster_sources[key] = function


def poster_sources() -> list[Callable]:
    return list(_poster_sources.values())


# Where "report a problem here" leads from a place (the needs app's form, with the place filled in):
# function(place) -> a URL, or None while no app has registered one.
_report_url: Callable = lambda place: None  # noqa: E731


def report_url_register(function: Callable) -> None:
    global _report_url
    _report_url = function


def report_url(place) -> str | None:
    return _report_url(place)
