"""The lifecycles of a meeting, its minutes and its resolutions, each as a transition table `{(state, action):
next_state}` in the needs loop's pattern (needs.workflow); meetings.services applies them through one function
(`_transition`), which refuses any pair that is not in a table with the same words.

    meeting:     scheduled ─hold─▶ held          scheduled ─cancel─▶ cancelled
    minutes:     draft ─edit─▶ draft ─approve─▶ approved ─publish─▶ published
                 approved / published ─supersede (a new version with a reason)─▶ superseded
    resolution:  proposed ─adopt─▶ adopted ─mark_done (nothing created)─▶ adopted (done_at set)
                 proposed ─reject─▶ rejected      proposed ─withdraw─▶ withdrawn
"""

from meetings.models import MeetingState as M
from meetings.models import MinutesState as N
from meetings.models import ResolutionState as R

MEETING_TRANSITIONS: dict[tuple[str, str], str] = {
    (M.SCHEDULED, "hold"): M.HELD,
    (M.SCHEDULED, "cancel"): M.CANCELLED,
}

MINUTES_TRANSITIONS: dict[tuple[str, str], str] = {
    (N.DRAFT, "edit"): N.DRAFT,
    (N.DRAFT, "approve"): N.APPROVED,
    (N.APPROVED, "publish"): N.PUBLISHED,
    (N.APPROVED, "supersede"): N.SUPERSEDED,
    (N.PUBLISHED, "supersede"): N.SUPERSEDED,
}

RESOLUTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (R.PROPOSED, "adopt"): R.ADOPTED,
    (R.PROPOSED, "reject"): R.REJECTED,
    (R.PROPOSED, "withdraw"): R.WITHDRAWN,
    (R.ADOPTED, "mark_done"): R.ADOPTED,
}

# Minutes that stand (never edited in place): the current approved or published version.
STANDING_MINUTES = (N.APPROVED, N.PUBLISHED)
DECIDED = (R.ADOPTED, R.REJECTED)


def next_state(table: dict, state: str, action: str) -> str | None:
    return table.get((state, action))
