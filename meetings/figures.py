"""The meetings figures for the happiness ledger (ledger.builders.meetings_section): meetings held, the attendance
rate, resolutions adopted and done, by kind of body and by community.

A module of its own beside meetings/selectors.py (which serves the app's pages and API) so that the ledger's
definitions sit in one place; written for the ledger, read by nothing else. Counts only: no member, title or minute
leaves this module. The definitions (copied into ledger/README.md):

- A meeting belongs to a **scope** by its body's place (Body.place inside the scope: the subdistrict's joint
  meeting counts for the subdistrict and above, not for its communities; a council of a compound counts for its
  grid and community) and to a **period** by the moment it was marked held (Meeting.held_at, local time).
- **meetings held** (召开会议): meetings marked held in the period; scheduled and cancelled ones are not.
- **attendance rate** (出席率): members recorded present ÷ members invited, over the meetings held; absent and
  excused (请假) members are not present.
- **resolutions adopted** (通过决议): resolutions adopted (decided_at in the period) by bodies in the scope;
  rejected and withdrawn ones are not.
- **resolutions done** (决议已落实): of those, the ones done now (meetings.progress: every need they created
  resolved and every activity held, or — having created nothing — marked done with a note).
- **needs raised by councils** (议事会提出需求): needs found in the period (the ledger's definition of found) at
  places in the scope whose channel is 居民议事会 or 党建联席会 (`COUNCIL_CHANNELS`; a 社工委 raises its needs
  through the council channel), and **of them resolved**: counted by the ledger from its roll-ups
  (ledger.selectors.channel_counts), as every need figure is.
"""

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from meetings.models import Attendance, Meeting, MeetingState, Presence, Resolution, ResolutionState
from meetings.progress import progress_for
from needs.models import Channel
from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import within

COMMUNITY_CODE = PLACE_RULES[PlaceKind.COMMUNITY][1]
COUNCIL_CHANNELS = (Channel.COUNCIL, Channel.JOINT_MEETING)
COUNTS = ("held", "invited", "present", "adopted", "done")


def meetings_held(place: Place, period) -> QuerySet:
    """`period` is a ledger.periods.Period, read through its bounds() (this app sits below the ledger)."""
    start, stop = period.bounds()
    return Meeting.objects.filter(within(place, "body__place"), state=MeetingState.HELD, held_at__gte=start,
                                  held_at__lt=stop)


def resolutions_adopted(place: Place, period) -> QuerySet:
    start, stop = period.bounds()
    return Resolution.objects.filter(within(place, "meeting__body__place"), state=ResolutionState.ADOPTED,
                                     decided_at__gte=start, decided_at__lt=stop)


def _groups(through: str) -> dict:
    """The kind of body and the community (the code of the body's place's community, or of its place if above one)
    of a meeting (through "") or of a row of a meeting (through "meeting__")."""
    return {"kind": F(f"{through}body__kind"), "community": Substr(f"{through}body__place__code", 1, COMMUNITY_CODE)}


def meeting_figures(place: Place, period) -> dict:
    """{"total": counts, "by_kind": [counts with "kind"], "by_community": [counts with "community"]}, the counts
    being held, invited, present, adopted and done: three GROUP BYs and the progress of the resolutions adopted
    (meetings.progress.progress_for, a fixed number of queries), whatever the scope."""
    cells: dict[tuple[str, str], dict] = {}

    def cell(kind, community):
        return cells.setdefault((kind, community), dict.fromkeys(COUNTS, 0))

    for row in meetings_held(place, period).annotate(**_groups("")).values("kind", "community").annotate(
            n=Count("pk")):
        cell(row["kind"], row["community"])["held"] = row["n"]
    invitations = Attendance.objects.filter(meeting__in=meetings_held(place, period))
    for row in invitations.annotate(**_groups("meeting__")).values("kind", "community").annotate(
            invited=Count("pk"), present=Count("pk", filter=Q(presence=Presence.PRESENT))):
        c = cell(row["kind"], row["community"])
        c["invited"], c["present"] = row["invited"], row["present"]
    adopted = list(resolutions_adopted(place, period).annotate(**_groups("meeting__")))
    progress = progress_for(adopted)
    for resolution in adopted:
        c = cell(resolution.kind, resolution.community)
        c["adopted"] += 1
        c["done"] += progress[resolution.pk].status == "done"
    return {"total": _sum(cells.values()), "by_kind": _by(cells, 0, "kind"), "by_community": _by(cells, 1, "community")}


def _sum(rows) -> dict:
    total = dict.fromkeys(COUNTS, 0)
    for row in rows:
        for key in COUNTS:
            total[key] += row[key]
    return total


def _by(cells: dict, index: int, name: str) -> list[dict]:
    """The cells summed by the kind (index 0) or the community (1), most meetings first."""
    keys = sorted({key[index] for key in cells})
    rows = [{name: k, **_sum(c for key, c in cells.items() if key[index] == k)} for k in keys]
    return sorted(rows, key=lambda r: (-r["held"], -r["adopted"], r[name]))
