"""Deciding a motion: only at a held meeting whose quorum is met (refused saying how many are present and needed,
nothing written), by the counts given (at most those present) or by the members' votes; adopted or rejected by
the body's rule, which is data — a body that needs at least two thirds present and two thirds for."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from meetings.models import Presence, ResolutionState
from meetings.services import (
    body_update,
    meeting_hold,
    resolution_decide,
    resolution_propose,
    resolution_withdraw,
    vote_cast,
)
from meetings.tests.conftest import events_count, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_without_quorum_a_decision_is_refused_saying_how_many(meeting, staff):
    record(meeting, staff, 2, rest=Presence.ABSENT)  # 2 of 4: not more than half
    meeting_hold(actor=staff, meeting=meeting)
    motion = resolution_propose(actor=staff, meeting=meeting, title="通过社工委章程")
    before = events_count()
    with pytest.raises(ValidationError) as refusal:
        resolution_decide(actor=staff, resolution=motion, votes_for=2)
    assert refusal.value.messages == ["出席2人，应到4人：须超过半数（至少3人）出席方可表决。"]
    motion.refresh_from_db()
    assert motion.state == ResolutionState.PROPOSED and motion.decided_at is None and events_count() == before


def test_a_motion_is_decided_at_a_held_meeting(meeting, staff):
    record(meeting, staff, 4)
    motion = resolution_propose(actor=staff, meeting=meeting, title="议案")
    with pytest.raises(ValidationError, match="请先登记出席情况并标记会议已举行"):
        resolution_decide(actor=staff, resolution=motion, votes_for=4)


def test_by_counts_a_majority_of_those_present_adopts(held, staff):
    adopted = resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=held, title="甲"),
                                votes_for=3, votes_against=1)
    assert (adopted.state, adopted.votes_for, adopted.present_at_decision) == (ResolutionState.ADOPTED, 3, 4)
    rejected = resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=held, title="乙"),
                                 votes_for=2, votes_against=1, votes_abstain=1)
    assert rejected.state == ResolutionState.REJECTED  # 2 of 4 is not more than half
    with pytest.raises(ValidationError, match="已表决或已撤回"):
        resolution_decide(actor=staff, resolution=rejected, votes_for=4)
    too_many = resolution_propose(actor=staff, meeting=held, title="丙")
    with pytest.raises(ValidationError, match="共5票，但出席4人"):
        resolution_decide(actor=staff, resolution=too_many, votes_for=3, votes_against=2)
    with pytest.raises(ValidationError, match="整数"):
        resolution_decide(actor=staff, resolution=too_many, votes_for=-1)
    too_many.refresh_from_db()
    assert too_many.state == ResolutionState.PROPOSED


def test_by_members_votes_the_votes_are_counted(held, staff, seat_users, accounts):
    motion = resolution_propose(actor=staff, meeting=held, title="同意开展楼道清理", vote_mode="members")
    for user, choice in zip(seat_users, ("for", "for", "against"), strict=True):
        vote_cast(actor=user, resolution=motion, choice=choice)
    vote_cast(actor=accounts["unit_admin"], resolution=motion, choice="for")
    decided = resolution_decide(actor=staff, resolution=motion, votes_for=0)  # counts given are not used
    assert (decided.state, decided.votes_for, decided.votes_against, decided.votes_abstain) == ("adopted", 3, 1, 0)


def test_the_rules_are_the_bodys_data(meeting, staff, body):
    body_update(actor=staff, body=body, quorum_numerator=2, quorum_denominator=3, quorum_strict=False,
                pass_numerator=2, pass_denominator=3, pass_strict=False)
    record(meeting, staff, 3, rest=Presence.EXCUSED)  # 3 of 4: at least two thirds
    meeting_hold(actor=staff, meeting=meeting)
    narrow = resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=meeting, title="甲"),
                               votes_for=2, votes_against=1)
    assert narrow.state == ResolutionState.ADOPTED  # 2 of 3 present: at least two thirds
    short = resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=meeting, title="乙"),
                              votes_for=1, votes_abstain=2)
    assert short.state == ResolutionState.REJECTED


def test_a_quorum_of_two_thirds_refuses_half(meeting, staff, body):
    body_update(actor=staff, body=body, quorum_numerator=2, quorum_denominator=3, quorum_strict=False)
    record(meeting, staff, 2, rest=Presence.ABSENT)
    meeting_hold(actor=staff, meeting=meeting)
    motion = resolution_propose(actor=staff, meeting=meeting, title="议案")
    with pytest.raises(ValidationError) as refusal:
        resolution_decide(actor=staff, resolution=motion, votes_for=2)
    assert refusal.value.messages == ["出席2人，应到4人：须至少2/3（至少3人）出席方可表决。"]


def test_a_motion_is_withdrawn_before_it_is_decided(held, staff):
    motion = resolution_propose(actor=staff, meeting=held, title="议案")
    resolution_withdraw(actor=staff, resolution=motion)
    with pytest.raises(ValidationError, match="已表决或已撤回"):
        resolution_decide(actor=staff, resolution=motion, votes_for=4)
    with pytest.raises(ValidationError, match="不能撤回"):
        resolution_withdraw(actor=staff, resolution=motion)
