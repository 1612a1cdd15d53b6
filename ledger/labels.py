"""The names of the ledger's figures, as every page and download shows them (English msgids, translated in
ledger/locale)."""

import functools

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ledger.conf import FAIRLY_SATISFIED_WEIGHT, composite_weights
from ledger.selectors import SITE_FIGURES
from mediation.models import Level, Outcome
from needs.models import Rating
from places.models import PlaceKind
from sites.models import SiteKind

NEED_LABELS = {
    "found": _("Needs found"), "claimed": _("Claimed"), "resolved": _("Resolved"),
    "on_time": _("Resolved on time"), "responded": _("Responded in time"),
    "rated": _("Rated"), "escalated": _("Escalated"), "overdue": _("Overdue now"),
    "reopened": _("Reopened"), "rejected": _("Rejected"), "merged": _("Merged"),
    "affected": _("People affected"),
}
RATE_LABELS = {
    "claim_rate": _("Claim rate"), "resolution_rate": _("Resolution rate"),
    "on_time_rate": _("On-time rate"), "response_rate": _("Response rate"),
    "satisfaction_rate": _("Satisfaction rate"), "composite": _("Composite score"),
}
COVERAGE_LABELS = {PlaceKind.GRID: _("Grids covered"), PlaceKind.COMPOUND: _("Compounds covered"),
                   PlaceKind.COURTYARD: _("Courtyards covered"), PlaceKind.UNIT_SITE: _("Unit sites covered")}
SITE_LABELS = {SiteKind.STATION: _("Stations"), SiteKind.FACILITY: _("Facilities"),
               SiteKind.MICRO_POSITION: _("Micro-positions")}
# The figures defined in people.selectors, by the records they list. "members" and "party_members" are
# different people (members dual-reported from their units; the community's own members): never one name.
PEOPLE_LABELS = {
    "units": _("Co-building units"), "members": _("In-service members dual-reported"),
    "branches": _("Party branches"), "party_members": _("Members of the community's party organisations"),
    "committee": _("Committee members"), "honours": _("Honours"),
}

# The offers' figures (defined in offers.figures) and the stations' (sites.figures).
OFFER_LABELS = {
    "bookings_fulfilled": _("Bookings fulfilled"), "residents_served": _("Residents served"),
    "no_shows": _("No-shows"), "no_show_rate": _("No-show rate"),
}
STATION_LABELS = {
    "items_lent": _("Items lent"), "items_given_out": _("Items given out"), "station_uses": _("Station uses"),
}
# The volunteering figures (defined in volunteering.figures).
VOLUNTEERING_LABELS = {
    "activities_held": _("Volunteer activities held"), "volunteers_active": _("Volunteers active"),
    "hours_served": _("Volunteer hours served"),
}

# The mediation figures (defined in mediation.figures).
MEDIATION_LABELS = {
    "disputes_received": _("Disputes received"), "disputes_concluded": _("Disputes concluded"),
    "disputes_settled": _("Disputes settled by agreement"),
    "community_settle_rate": _("Settled within the community"),
    "subdistrict_settle_rate": _("Settled within the subdistrict"),
    "median_days_to_settle": _("Median days to settle"),
}

# The meetings figures (defined in meetings.figures).
MEETING_LABELS = {
    "meetings_held": _("Meetings held"), "attendance_rate": _("Attendance rate"),
    "resolutions_adopted": _("Resolutions adopted"), "resolutions_done": _("Resolutions carried out"),
    "council_needs": _("Needs raised by councils"), "council_needs_resolved": _("Council needs resolved"),
    "members_invited": _("Members invited"), "members_present": _("Members present"),
}


def figure_label(figure: str) -> str:
    """The name of a figure: the title of the records view behind it."""
    labels = {
        **NEED_LABELS, **PEOPLE_LABELS, **OFFER_LABELS, **STATION_LABELS, **VOLUNTEERING_LABELS, **MEETING_LABELS,
        **{key: SITE_LABELS[kind] for key, kind in SITE_FIGURES.items()},
        **{f"covered_{kind}": label for kind, label in COVERAGE_LABELS.items()},
        **{f"rating_{grade}": label for grade, label in Rating.choices},
    }
    return str(labels.get(figure, figure))


def rate_definitions() -> dict[str, str]:
    """Each rate as a formula of the figures it is counted from (ledger/README.md's definitions), in the reader's
    language, with the weights in force: shown where the rates are (the rates section, the big screen)."""
    return dict(_rate_definitions(get_language(), repr(settings.LEDGER_WEIGHTS)))


# Kept per language and weights: a ledger page asks for a definition per rate it shows, and formatting the lazy
# labels each time was a third of the page's time.
@functools.lru_cache(maxsize=64)
def _rate_definitions(_language: str, _weights: str) -> dict[str, str]:
    n, r, grade = NEED_LABELS, RATE_LABELS, dict(Rating.choices)
    m, level, withdrawn = MEDIATION_LABELS, dict(Level.choices), Outcome.WITHDRAWN.label
    w_response, w_resolution, w_satisfaction = composite_weights()
    return {
        "claim_rate": f"{n['claimed']} ÷ {n['found']}",
        "resolution_rate": f"{n['resolved']} ÷ {n['found']}",
        "on_time_rate": f"{n['on_time']} ÷ {n['resolved']}",
        "response_rate": f"{n['responded']} ÷ {n['found']}",
        "satisfaction_rate": f"({grade['very_satisfied']} + {grade['satisfied']} + {FAIRLY_SATISFIED_WEIGHT:g} × "
                             f"{grade['fairly_satisfied']}) ÷ {n['rated']}",
        "no_show_rate": f"{OFFER_LABELS['no_shows']} ÷ ({OFFER_LABELS['bookings_fulfilled']} + "
                        f"{OFFER_LABELS['no_shows']})",
        "community_settle_rate": f"{m['disputes_settled']} ({level['building']} + {level['community']}) ÷ "
                                 f"({m['disputes_concluded']} − {withdrawn})",
        "subdistrict_settle_rate": f"{m['disputes_settled']} ({level['building']} + {level['community']} + "
                                   f"{level['subdistrict']}) ÷ ({m['disputes_concluded']} − {withdrawn})",
        "attendance_rate": f"{MEETING_LABELS['members_present']} ÷ {MEETING_LABELS['members_invited']}",
        "composite": f"{w_response:g} × {r['response_rate']} + {w_resolution:g} × {r['resolution_rate']} + "
                     f"{w_satisfaction:g} × {r['satisfaction_rate']}",
    }
