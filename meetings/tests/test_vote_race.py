"""Two votes for one member at the same moment — the member's own and the one staff record for them: exactly one
Vote, the other refused in words, and one event. Real threads, each with its own connection, so what decides is
the database: the IMMEDIATE transaction on SQLite, the resolution row's lock on PostgreSQL (and behind it the
unique constraint). Run on both: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/pytest
meetings/tests/test_vote_race.py --create-db`.
"""

import pytest
from django.core.exceptions import ValidationError

from core.events import events_verify
from core.models import Event
from meetings.models import Vote
from meetings.services import resolution_propose, vote_cast
from needs.tests.concurrency import run_together

RACERS = 4


@pytest.mark.django_db(transaction=True)
def test_two_votes_for_one_member_at_once_make_one_vote(held, staff, seat_users):
    motion = resolution_propose(actor=staff, meeting=held, title="同意开展楼道清理", vote_mode="members")
    member = held.attendances.get(member__person__user=seat_users[0]).member
    made, refused = [], []

    def vote(n):
        try:
            if n % 2:
                made.append(vote_cast(actor=staff, resolution=motion, choice="against", member=member).pk)
            else:
                made.append(vote_cast(actor=seat_users[0], resolution=motion, choice="for").pk)
        except ValidationError as refusal:
            refused.append(refusal.messages[0])

    errors = run_together(vote, range(RACERS))

    assert errors == [] and len(made) == 1 and len(refused) == RACERS - 1
    assert all(message == "该成员已对此决议表决。" for message in refused)
    assert Vote.objects.filter(resolution=motion, member=member).count() == 1
    assert Event.objects.filter(verb="vote_cast").count() == 1
    assert events_verify()[1] is None
