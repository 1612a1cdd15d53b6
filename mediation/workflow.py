"""A dispute's stages on one screen, in the needs loop's pattern (needs.workflow): which action leads from which
stage to which (TRANSITIONS) and one record per action (ACTIONS); mediation.services.dispute_act is the only code
that applies them and writes a Step (the stage's record) and an event for each.

    (new) ─receive─▶ received 受理 ─assess─▶ assessed 研判 ─mediate─▶ mediating 调解 ─agree / no_agreement─▶
    concluded ─feed_back─▶ fed_back 反馈 ─follow_up─▶ closed 回访
    received / assessed / mediating ─withdraw─▶ concluded      received / assessed ─refuse─▶ concluded
    received / assessed / mediating ─escalate─▶ the same stage, one level up (building → community → subdistrict)
    mediating ─record (a session's record)─▶ mediating      fed_back ─reopen (terms not performed)─▶ mediating
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mediation.models import DisputeState as S

NEW = ""  # a dispute not yet saved

OPEN = (S.RECEIVED, S.ASSESSED, S.MEDIATING)  # still to settle: counts against the deadline
ESCALATABLE = OPEN

TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "receive"): S.RECEIVED,
    (S.RECEIVED, "assess"): S.ASSESSED,
    (S.ASSESSED, "mediate"): S.MEDIATING,
    (S.MEDIATING, "record"): S.MEDIATING,
    (S.MEDIATING, "agree"): S.CONCLUDED,
    (S.MEDIATING, "no_agreement"): S.CONCLUDED,
    (S.RECEIVED, "refuse"): S.CONCLUDED,
    (S.ASSESSED, "refuse"): S.CONCLUDED,
    **{(state, "withdraw"): S.CONCLUDED for state in OPEN},
    **{(state, "escalate"): state for state in ESCALATABLE},
    (S.CONCLUDED, "feed_back"): S.FED_BACK,
    (S.FED_BACK, "follow_up"): S.CLOSED,
    (S.FED_BACK, "reopen"): S.MEDIATING,
}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def actions_from(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


# The five stages of the case file; each action writes the record of one.
STAGES = {
    "intake": _("Intake (受理)"),
    "assessment": _("Assessment (研判)"),
    "mediation": _("Mediation (调解)"),
    "feedback": _("Feedback (反馈)"),
    "follow_up": _("Follow-up (回访)"),
}


@dataclass(frozen=True)
class Action:
    label: str
    stage: str  # a key of STAGES: whose record it writes


ACTIONS: dict[str, Action] = {
    "receive": Action(_("Receive"), "intake"),
    "assess": Action(_("Assess"), "assessment"),
    "mediate": Action(_("Start mediation"), "mediation"),
    "record": Action(_("Record a session"), "mediation"),
    "agree": Action(_("Record the agreement"), "mediation"),
    "no_agreement": Action(_("No agreement: refer"), "mediation"),
    "refuse": Action(_("A party refuses mediation"), "intake"),
    "withdraw": Action(_("Withdrawn"), "mediation"),
    "escalate": Action(_("Raise to the next level"), "assessment"),
    "feed_back": Action(_("Feed back to the parties"), "feedback"),
    "follow_up": Action(_("Follow up (回访)"), "follow_up"),
    "reopen": Action(_("Terms not performed: mediate again"), "follow_up"),
}
