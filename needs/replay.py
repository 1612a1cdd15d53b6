"""A need's row replayed from its `need.<action>` events (`manage.py verify_events --state`, core.replay): the
state by needs.workflow's TRANSITIONS, and the fields each action writes to the row (needs.actions) from the
event's time and data — the holder, the level, the merge, the rating, the times of each step and the deadlines.

A deadline is worked out from the deadline policy and the holiday calendar as they were then, so it is replayed
from the event that set it, which records it (since December 2026 submit, escalate, return and reopen too; after an
older one of those, that deadline is not compared until a later event records it again). Not replayed: the texts
(notes, the completion note, the rating comment: in the progress notes and the events), and what other needs
change (a merge adds to its target's `affected`).
"""

from core.replay import UNKNOWN, lifecycle_replay, moment, state_compare
from needs import workflow
from needs.models import Level, Need

FIELDS = ("state", "level", "lead_organisation_id", "lead_person_id", "merged_into_id", "rating",
          "rated_by_follow_up", "overdue", "resolved_on_time", "submitted_at", "accepted_at", "published_at",
          "claimed_at", "reported_in_at", "resolved_at", "closed_at", "rated_at", "accept_due", "claim_due",
          "report_in_due", "resolve_due", "reminded_due")


def _recorded(data: dict, key: str):
    """A deadline the event's data records (ISO text or None), or UNKNOWN where an older event left it out."""
    return moment(data[key]) if key in data else UNKNOWN


def _claim_due(need: dict, value):
    """needs.actions._set_claim_due: a new claim deadline, not overdue, not reminded."""
    need["claim_due"], need["overdue"], need["reminded_due"] = value, False, None


def _take(need: dict, at, data):
    """needs.actions._take: the holder, claimed now, a new resolve deadline."""
    need["lead_organisation_id"] = data.get("organisation", UNKNOWN)
    need["lead_person_id"] = data.get("person", UNKNOWN)
    need["claimed_at"], need["reported_in_at"] = at, None
    need["resolve_due"], need["overdue"], need["reminded_due"] = _recorded(data, "resolve_due"), False, None


def _close(need: dict, at):
    need["closed_at"] = need["closed_at"] or at


def _grade(need: dict, at, data):
    need["rating"], need["rated_at"] = data.get("rating", UNKNOWN), at
    _close(need, at)


def _accept(need, at, data, before):
    need["accepted_at"] = at
    _claim_due(need, _recorded(data, "claim_due"))


def _publish(need, at, data, before):
    need["accepted_at"] = need["accepted_at"] or at
    need["published_at"] = need["published_at"] or at
    need["lead_organisation_id"] = need["lead_person_id"] = None
    if before == workflow.S.ESCALATED:  # a new claim deadline; from accepted the event repeats the one it has
        _claim_due(need, _recorded(data, "claim_due"))


def _dispatch(need, at, data, before):
    need["accepted_at"] = need["accepted_at"] or at
    _take(need, at, data)
    if "report_in_due" in data:  # only a dispatch to a government department sets one
        need["level"], need["report_in_due"] = Level.DEPARTMENT, moment(data["report_in_due"])


def _return(need, at, data, before):
    need["lead_organisation_id"] = need["lead_person_id"] = need["claimed_at"] = None
    need["resolve_due"] = need["report_in_due"] = None
    _claim_due(need, _recorded(data, "claim_due"))


def _escalate(need, at, data, before):
    need["level"] = Level.SUBDISTRICT
    need["overdue"] = data.get("overdue", UNKNOWN)
    need["claim_due"], need["reminded_due"] = _recorded(data, "claim_due"), None


def _resolve(need, at, data, before):
    need["resolved_at"], need["overdue"] = at, False
    need["resolved_on_time"] = data.get("on_time", UNKNOWN)


def _follow_up(need, at, data, before):
    _grade(need, at, data)
    need["rated_by_follow_up"] = True


def _reopen(need, at, data, before):
    need["closed_at"] = need["resolved_at"] = need["resolved_on_time"] = need["rated_at"] = None
    need["rating"], need["rated_by_follow_up"] = "", False
    need["resolve_due"], need["overdue"], need["reminded_due"] = _recorded(data, "resolve_due"), False, None


# What each action writes to the fields replayed (needs.actions: the same names); the others write none of them.
EFFECTS = {
    "submit": lambda need, at, data, before: need.update(submitted_at=at, accept_due=_recorded(data, "accept_due")),
    "accept": _accept,
    "reject": lambda need, at, data, before: need.update(closed_at=at),
    "merge": lambda need, at, data, before: need.update(merged_into_id=data.get("into", UNKNOWN), closed_at=at),
    "publish": _publish,
    "claim": lambda need, at, data, before: _take(need, at, data),
    "dispatch": _dispatch,
    "return": _return,
    "report_in": lambda need, at, data, before: need.update(reported_in_at=at),
    "escalate": _escalate,
    "resolve": _resolve,
    "verify": lambda need, at, data, before: _close(need, at),
    "close_unrated": lambda need, at, data, before: _close(need, at),
    "rate": lambda need, at, data, before: _grade(need, at, data),
    "follow_up": _follow_up,
    "reopen": _reopen,
    "remind": lambda need, at, data, before: need.update(reminded_due=_recorded(data, "due")),
    "flag_overdue": lambda need, at, data, before: need.update(overdue=True),
}
assert set(EFFECTS) <= set(workflow.ACTIONS)

START = {**dict.fromkeys(FIELDS), "state": workflow.NEW, "level": Level.COMMUNITY, "rating": "",
         "rated_by_follow_up": False, "overdue": False}


def need_replay(events) -> dict:
    """The row a need's events give: {field: value} for the fields they determine."""
    return lifecycle_replay(events, prefix="need.", next_state=workflow.next_state, start=START, effects=EFFECTS)


def needs_check():
    return state_compare("needs.need", Need.objects.all(), FIELDS, need_replay)
