"""What the apps above needs plug into it; needs may not import them, so they register here in their
AppConfig.ready() (as places.hooks does for places).

- Claimant suggestions (needs.matching.claimant_suggestions): a suggester is function(need) -> a list of
  {"kind": "organisation" | "person", "object": the unit or member, "score": int, "reasons": [str]} — who could
  take the published need and why, in words shown to staff. offers registers one: providers whose offers fit the
  need's category and serve its community.
- Origins (a need's page): an origin is function(need, viewer) -> a list of (text, url) — what raised the need,
  linked as the viewer may open it (url "" when they may not). meetings registers one: the resolutions that
  created or took up the need, linking the meeting's page for its body's members and managers, the public
  meeting page for everyone else.
"""

from collections.abc import Callable

_suggesters: dict[str, Callable] = {}


def suggestions_register(*, key: str, function: Callable) -> None:
    _suggesters[key] = function


def suggesters() -> list[Callable]:
    return list(_suggesters.values())


_origins: dict[str, Callable] = {}


def origins_register(*, key: str, function: Callable) -> None:
    _origins[key] = function


def origins_of(need, viewer) -> list[tuple[str, str]]:
    return [origin for function in _origins.values() for origin in function(need, viewer)]
