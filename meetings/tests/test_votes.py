"""Votes member by member: a member present votes once — their own vote, or staff record it for them; a unit's
seat votes through its admin. Refused in words with nothing written: a non-member, a second vote, a member not
present, a motion decided by counts or already decided."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from meetings.models import Presence, Vote
from meetings.services import meeting_hold, resolution_decide, resolution_propose, vote_cast
from meetings.tests.conftest import events_count, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def motion(held, staff):
    return resolution_propose(actor=staff, meeting=held, title="同意开展楼道清理", vote_mode="members")


def test_members_vote_for_themselves_a_unit_through_its_admin(motion, seat_users, accounts, body):
    vote = vote_cast(actor=seat_users[0], resolution=motion, choice="for")
    assert vote.member.person.user == seat_users[0] and vote.cast_by == seat_users[0]
    unit_vote = vote_cast(actor=accounts["unit_admin"], resolution=motion, choice="abstain")
    assert unit_vote.member.organisation == body.members.get(organisation__isnull=False).organisation


def test_staff_record_a_members_vote(motion, staff, body):
    member = body.members.order_by("pk")[1]
    vote = vote_cast(actor=staff, resolution=motion, choice="against", member=member)
    assert vote.member == member and vote.cast_by == staff


def test_a_non_member_cannot_vote(motion, accounts, body, seat_users):
    before = events_count()
    for who in ("resident", "party_member", "other_community_staff"):
        with pytest.raises(PermissionDenied, match="您不是本议事机构的成员，不能表决。"):
            vote_cast(actor=accounts[who], resolution=motion, choice="for")
    with pytest.raises(PermissionDenied):  # a member may not cast another member's vote
        vote_cast(actor=seat_users[0], resolution=motion, choice="for", member=body.members.order_by("pk")[1])
    assert not Vote.objects.exists() and events_count() == before


def test_a_second_vote_is_refused(motion, seat_users, staff):
    vote_cast(actor=seat_users[0], resolution=motion, choice="for")
    before = events_count()
    with pytest.raises(ValidationError, match="该成员已对此决议表决。"):
        vote_cast(actor=seat_users[0], resolution=motion, choice="against")
    first = Vote.objects.get()
    with pytest.raises(ValidationError, match="该成员已对此决议表决。"):
        vote_cast(actor=staff, resolution=motion, choice="against", member=first.member)
    assert Vote.objects.get().choice == "for" and events_count() == before


def test_only_those_present_vote(meeting, staff, seat_users):
    record(meeting, staff, 2, rest=Presence.EXCUSED)  # by member id: the first two seats present
    meeting_hold(actor=staff, meeting=meeting)
    motion = resolution_propose(actor=staff, meeting=meeting, title="议案", vote_mode="members")
    with pytest.raises(ValidationError, match="未登记出席"):
        vote_cast(actor=seat_users[2], resolution=motion, choice="for")
    assert not Vote.objects.exists()


def test_no_votes_on_a_motion_by_counts_or_once_decided(held, staff, seat_users, motion):
    by_hands = resolution_propose(actor=staff, meeting=held, title="举手表决的议案")
    with pytest.raises(ValidationError, match="按票数"):
        vote_cast(actor=seat_users[0], resolution=by_hands, choice="for")
    with pytest.raises(ValidationError, match="同意、反对或弃权"):
        vote_cast(actor=seat_users[0], resolution=motion, choice="yes")
    for user in seat_users:
        vote_cast(actor=user, resolution=motion, choice="for")
    resolution_decide(actor=staff, resolution=motion)
    with pytest.raises(ValidationError, match="表决已结束"):
        vote_cast(actor=staff, resolution=motion, choice="for", member=motion.meeting.body.members.get(
            organisation__isnull=False))
    assert Vote.objects.count() == 3
