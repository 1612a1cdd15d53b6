"""What the apps above needs plug into it; needs may not import them, so they register here in their
AppConfig.ready() (as places.hooks does for places).

- Claimant suggestions (needs.matching.claimant_suggestions): a suggester is function(need) -> a list of
  {"kind": "organisation" | "person", "object": the unit or member, "score": int, "reasons": [str]} — who could
  take the published need and why, in words shown to staff. offers registers one: providers whose offers fit the
  need's category and serve its community.
"""

from collections.abc import Callable

_suggesters: dict[str, Callable] = {}


def suggestions_register(*, key: str, function: Callable) -> None:
    _suggesters[key] = function


def suggesters() -> list[Callable]:
    return list(_suggesters.values())
