"""Eight accounts claim one need at the same moment: exactly one wins, the others are told who has it.

Real threads, each with its own database connection, so the lock that decides is the database's:
IMMEDIATE transactions on SQLite, the row lock of select_for_update on PostgreSQL.
"""

import pytest

from core.events import events_verify
from core.models import Event
from needs.models import Need, State
from needs.services import NeedConflict, need_act
from needs.tests.concurrency import run_together, unit_admins

CLAIMANTS = 8


@pytest.fixture
def claimants(root):
    return unit_admins(root, CLAIMANTS)


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_eight_concurrent_claims_win(published, claimants):
    wins, conflicts = [], []

    def claim(user):
        try:
            wins.append(need_act(actor=user, need=published, action="claim").lead_organisation.name)
        except NeedConflict as conflict:
            conflicts.append(conflict)

    errors = run_together(claim, claimants)

    assert errors == []
    assert len(wins) == 1 and len(conflicts) == CLAIMANTS - 1
    assert {c.holder for c in conflicts} == set(wins)
    assert all(f"已被 {wins[0]} 认领" in c.message for c in conflicts)
    need = Need.objects.get(pk=published.pk)
    assert need.state == State.CLAIMED and need.lead_organisation.name == wins[0]
    assert Event.objects.filter(subject_type="needs.need", subject_id=str(need.pk), verb="need.claim").count() == 1
    assert events_verify()[1] is None
