"""people's panels on a place's page (places.panels): who covers it, the community's party organisations,
teams, committee and honours, and the organisations located in it."""

from people import selectors
from people.models import Organisation
from places import selectors as place_selectors
from places.models import COVERABLE_KINDS, PlaceKind
from places.selectors import within

PLACE_LIST_LIMIT = 100  # organisations listed on a place's page; the directory has the rest


def coverage_panel(request, place) -> dict | None:
    if place.kind not in COVERABLE_KINDS:
        return None
    return {"place": place, "coverages": place_selectors.coverages_of(place),
            "can_change": request.user.has_perm("places.change_place", place)}


def community_panel(request, place) -> dict | None:
    if place.kind != PlaceKind.COMMUNITY:
        return None
    return {"party_tree": selectors.party_organisation_tree(list(selectors.party_organisations_in(place))),
            "teams": selectors.teams_of(place), "committee": selectors.committee_of(place),
            "honours": selectors.honours_of(place=place),
            "report_counts": selectors.report_state_counts(community=place)}


def organisations_panel(request, place) -> dict | None:
    organisations = list(Organisation.objects.filter(within(place, "place"))[:PLACE_LIST_LIMIT])
    return {"organisations": organisations} if organisations else None
