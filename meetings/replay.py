"""A meeting's and a resolution's rows replayed from their events (`manage.py verify_events --state`, core.replay):
the state by meetings.workflow's tables (the verb names the action: meeting_hold → hold; a resolution's decision
adopts or rejects it as its event says), and what meetings.services writes with each — the body and the meeting
the record belongs to, the start, public or not, when held; the votes, decided and done at.

Not replayed: the texts (titles, agenda, minutes, reasons), a meeting's end as scheduled (its event does not record
it: compared only after an update that does), and a resolution's agenda item (emptied when the item is deleted).
"""

from core.replay import UNKNOWN, moment, state_compare
from meetings import workflow
from meetings.models import Meeting, MeetingState, Resolution, ResolutionState

MEETING_FIELDS = ("state", "body_id", "starts_at", "ends_at", "is_public", "held_at", "created_at")
RESOLUTION_FIELDS = ("state", "meeting_id", "number", "vote_mode", "votes_for", "votes_against", "votes_abstain",
                     "present_at_decision", "decided_at", "done_at", "created_at")


def _moved(record: dict, action: str, table: dict) -> bool:
    """Move the replayed state by the table; False (the state saying why) when the table does not allow it."""
    after = workflow.next_state(table, record["state"], action)
    if after is None:
        record["state"] = f"{action} from {record['state']}: not in the transition table"
        return False
    record["state"] = after
    return True


def meeting_replay(events) -> dict:
    meeting = {**dict.fromkeys(MEETING_FIELDS), "ends_at": UNKNOWN}
    for verb, at, data in events:
        if verb == "meeting_schedule":
            meeting.update(state=MeetingState.SCHEDULED, body_id=data.get("body", UNKNOWN), created_at=at,
                           starts_at=moment(data["starts_at"]) if "starts_at" in data else UNKNOWN,
                           is_public=data.get("is_public", UNKNOWN))
        elif verb == "meeting_update":
            meeting.update({f: moment(data[f]) for f in ("starts_at", "ends_at") if f in data})
            if "is_public" in data:
                meeting["is_public"] = data["is_public"]
        elif verb in ("meeting_hold", "meeting_cancel"):
            if not _moved(meeting, verb.removeprefix("meeting_"), workflow.MEETING_TRANSITIONS):
                return {"state": meeting["state"]}
            if verb == "meeting_hold":
                meeting["held_at"] = at
    return {field: value for field, value in meeting.items() if value is not UNKNOWN}


def resolution_replay(events) -> dict:
    resolution = dict.fromkeys(RESOLUTION_FIELDS)
    for verb, at, data in events:
        if verb == "resolution_propose":
            resolution.update(state=ResolutionState.PROPOSED, meeting_id=data.get("meeting", UNKNOWN),
                              number=data.get("number", UNKNOWN), vote_mode=data.get("vote_mode", UNKNOWN),
                              created_at=at)
            continue
        if verb == "resolution_decide":
            action = "adopt" if data.get("state") == ResolutionState.ADOPTED else "reject"
        elif verb in ("resolution_withdraw", "resolution_mark_done"):
            action = verb.removeprefix("resolution_")
        else:
            continue  # votes cast, needs and activities created or linked: no field of the row
        if not _moved(resolution, action, workflow.RESOLUTION_TRANSITIONS):
            return {"state": resolution["state"]}
        if verb == "resolution_decide":
            resolution.update(votes_for=data.get("for", UNKNOWN), votes_against=data.get("against", UNKNOWN),
                              votes_abstain=data.get("abstain", UNKNOWN),
                              present_at_decision=data.get("present", UNKNOWN), decided_at=at)
        elif verb == "resolution_mark_done":
            resolution["done_at"] = at
    return {field: value for field, value in resolution.items() if value is not UNKNOWN}


def meetings_check():
    return state_compare("meetings.meeting", Meeting.objects.all(), MEETING_FIELDS, meeting_replay)


def resolutions_check():
    return state_compare("meetings.resolution", Resolution.objects.all(), RESOLUTION_FIELDS, resolution_replay)
