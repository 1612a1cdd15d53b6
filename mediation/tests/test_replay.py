"""A dispute's row checked against its events (`verify_events --state`): every stage replays to the row, a reopened
and a raised case too, and a direct edit of the row (stage, outcome, level, a date) is reported with the field."""


import pytest

from mediation.models import Dispute
from mediation.replay import disputes_check
from mediation.services import (
    dispute_agree,
    dispute_assess,
    dispute_escalate,
    dispute_feed_back,
    dispute_follow_up,
    dispute_mediate,
    dispute_receive,
    dispute_reopen,
    dispute_withdraw,
)
from mediation.tests.conftest import TERMS, later, parties_of

pytestmark = pytest.mark.django_db


def mismatches():
    return [(m.subject_id, m.field, m.row, m.replayed) for m in disputes_check()]


@pytest.fixture
def settled(dispute, pair, accounts, tree, neighbours):
    """The leak: raised to the community, agreed, reopened (terms not performed), agreed again, fed back, followed
    up; and a noise case withdrawn."""
    head, staff = pair["head"], accounts["community_staff"]
    dispute_escalate(actor=head, dispute=dispute, note="楼栋协调不成", at=later(1))
    dispute_assess(actor=staff, dispute=dispute, note="研判", at=later(2))
    dispute_mediate(actor=staff, dispute=dispute, at=later(3))
    dispute_agree(actor=staff, dispute=dispute, at=later(4), **TERMS)
    dispute_feed_back(actor=staff, dispute=dispute, note="已反馈", at=later(5))
    dispute_reopen(actor=staff, dispute=dispute, note="楼上未维修", at=later(6))
    dispute_agree(actor=staff, dispute=dispute, at=later(7), **TERMS)
    dispute_feed_back(actor=staff, dispute=dispute, note="已反馈", at=later(8))
    dispute_follow_up(actor=staff, dispute=dispute, performed=True, note="已修好", at=later(9))
    noise = dispute_receive(actor=head, kind="noise", title="夜间噪音", place=tree["entrance"],
                            parties=parties_of(neighbours), at=later(10))
    dispute_withdraw(actor=head, dispute=noise, note="双方已自行和解", at=later(11))
    return Dispute.objects.get(pk=dispute.pk)


def test_every_dispute_matches_its_events(settled):
    assert settled.state == "closed" and settled.settled_level == "community"
    assert Dispute.objects.count() == 2
    assert mismatches() == []


def test_a_direct_edit_of_the_stage_and_outcome_is_reported_with_the_dispute_and_the_field(settled):
    Dispute.objects.filter(pk=settled.pk).update(state="mediating", outcome="withdrawn")
    assert mismatches() == [(str(settled.pk), "state", "mediating", "closed"),
                            (str(settled.pk), "outcome", "withdrawn", "agreement")]


def test_a_direct_edit_of_the_level_and_a_date_is_reported(settled):
    Dispute.objects.filter(pk=settled.pk).update(settled_level="building", closed_at=later(60))
    assert mismatches() == [(str(settled.pk), "settled_level", "building", "community"),
                            (str(settled.pk), "closed_at", later(60), later(9))]
