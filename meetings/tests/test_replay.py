"""A meeting's and a resolution's rows checked against their events (`verify_events --state`): scheduled, moved,
held or cancelled; proposed, adopted or rejected, withdrawn, marked done — all replay to the rows; a direct edit is
reported with the record and the field."""

import datetime

import pytest

from meetings.models import Meeting, Resolution
from meetings.replay import meetings_check, resolutions_check
from meetings.services import (
    meeting_cancel,
    meeting_schedule,
    meeting_update,
    resolution_decide,
    resolution_mark_done,
    resolution_propose,
    resolution_withdraw,
)

pytestmark = pytest.mark.django_db


def mismatches():
    return [(m.subject_type, m.subject_id, m.field, m.row, m.replayed) for m in (*meetings_check(),
                                                                                  *resolutions_check())]


@pytest.fixture
def decided(held, staff, body, an_hour_ago):
    adopted = resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=held, title="甲"),
                                votes_for=3, votes_against=1)
    resolution_mark_done(actor=staff, resolution=adopted, note="已落实")
    resolution_decide(actor=staff, resolution=resolution_propose(actor=staff, meeting=held, title="乙"),
                      votes_for=2, votes_against=1, votes_abstain=1)
    resolution_withdraw(actor=staff, resolution=resolution_propose(actor=staff, meeting=held, title="丙"))
    later = meeting_schedule(actor=staff, body=body, title="社工委第三次会议",
                             starts_at=an_hour_ago + datetime.timedelta(days=7))
    meeting_update(actor=staff, meeting=later, starts_at=an_hour_ago + datetime.timedelta(days=8),
                   ends_at=an_hour_ago + datetime.timedelta(days=8, hours=2), is_public=False)
    meeting_cancel(actor=staff, meeting=meeting_schedule(actor=staff, body=body, title="临时会议",
                                                         starts_at=an_hour_ago + datetime.timedelta(days=2)),
                   reason="改期")
    return {"held": held, "later": Meeting.objects.get(pk=later.pk), "adopted": Resolution.objects.get(pk=adopted.pk)}


def test_every_meeting_and_resolution_matches_its_events(decided):
    assert Meeting.objects.count() == 3 and Resolution.objects.count() == 3
    assert mismatches() == []


def test_a_direct_edit_is_reported_with_the_record_and_the_field(decided):
    held, later, adopted = decided["held"], decided["later"], decided["adopted"]
    Meeting.objects.filter(pk=held.pk).update(state="cancelled")
    Meeting.objects.filter(pk=later.pk).update(is_public=True)
    Resolution.objects.filter(pk=adopted.pk).update(votes_for=4, done_at=None)
    assert mismatches() == [("meetings.meeting", str(held.pk), "state", "cancelled", "held"),
                            ("meetings.meeting", str(later.pk), "is_public", True, False),
                            ("meetings.resolution", str(adopted.pk), "votes_for", 4, 3),
                            ("meetings.resolution", str(adopted.pk), "done_at", None, adopted.done_at)]
