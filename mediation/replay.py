"""A dispute's row replayed from its `dispute.<action>` events (`manage.py verify_events --state`, core.replay):
the stage by mediation.workflow's TRANSITIONS, the level every event names, what the intake recorded (kind, the
need it came from, when received and the settle-by date), the outcome and where it was settled, and the time of
each stage (mediation.services._open and dispute_act, mediation.actions).

Not replayed: the texts (title, description, the place referred to: in the case file's steps), the parties and
mediators (rows of their own), and the overdue flag (the sweep's `dispute_overdue` event, outside the workflow).
"""

from core.replay import UNKNOWN, lifecycle_replay, moment, state_compare
from mediation import workflow
from mediation.models import Dispute, Outcome

FIELDS = ("state", "level", "kind", "need_id", "outcome", "settled_level", "performed", "received_at", "due_at",
          "assessed_at", "concluded_at", "fed_back_at", "closed_at")
START = {**dict.fromkeys(FIELDS), "state": workflow.NEW, "outcome": "", "settled_level": ""}


def _every(dispute: dict, at, data: dict, before: str):
    dispute["level"] = data.get("level", UNKNOWN)  # every action's event names the level it leaves the case at


def _receive(dispute, at, data, before):
    dispute["received_at"] = at
    dispute["kind"] = data.get("kind", UNKNOWN)
    dispute["need_id"] = data.get("need", UNKNOWN)
    dispute["due_at"] = moment(data["due_at"]) if "due_at" in data else UNKNOWN


def _conclude(dispute, at, data, before):
    dispute["outcome"] = data.get("outcome", UNKNOWN)
    dispute["concluded_at"] = at
    if dispute["outcome"] == Outcome.AGREEMENT:
        dispute["settled_level"] = data.get("settled_level", UNKNOWN)
    elif dispute["outcome"] is not UNKNOWN:
        dispute["settled_level"] = ""


def _follow_up(dispute, at, data, before):
    dispute["performed"], dispute["closed_at"] = data.get("performed", UNKNOWN), at


def _reopen(dispute, at, data, before):
    dispute.update(outcome="", settled_level="", concluded_at=None, fed_back_at=None, performed=None)


EFFECTS = {
    "receive": _receive,
    "assess": lambda dispute, at, data, before: dispute.update(assessed_at=at),
    "agree": _conclude,
    "no_agreement": _conclude,
    "refuse": _conclude,
    "withdraw": _conclude,
    "feed_back": lambda dispute, at, data, before: dispute.update(fed_back_at=at),
    "follow_up": _follow_up,
    "reopen": _reopen,
}
assert set(EFFECTS) <= set(workflow.ACTIONS)


def dispute_replay(events) -> dict:
    return lifecycle_replay(events, prefix="dispute.", next_state=workflow.next_state, start=START, effects=EFFECTS,
                            every=_every)


def disputes_check():
    return state_compare("mediation.dispute", Dispute.objects.all(), FIELDS, dispute_replay)
