"""Eight accounts claim one need at the same moment: exactly one wins, the others are told who has it.

Real threads, each with its own database connection, so the lock that decides is the database's:
IMMEDIATE transactions on SQLite, the row lock of select_for_update on PostgreSQL.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from core.events import events_verify
from core.models import Event
from needs.models import Need, State
from needs.services import NeedConflict, need_act

CLAIMANTS = 8


@pytest.fixture
def claimants(root):
    from people.services import organisation_create, role_grant

    users = []
    for i in range(CLAIMANTS):
        org = organisation_create(actor=root, kind="co_building_unit", name=f"共建单位{i}")
        user = User.objects.create_user(f"claimant{i}", password="pass-12345")
        role_grant(actor=root, user=user, role="unit_admin", organisation=org)
        users.append(user)
    return users


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_eight_concurrent_claims_win(published, claimants):
    start = threading.Barrier(CLAIMANTS)
    wins, conflicts, errors = [], [], []

    def claim(user):
        try:
            start.wait()
            need = need_act(actor=user, need=published, action="claim")
            wins.append(need.lead_organisation.name)
        except NeedConflict as conflict:
            conflicts.append(conflict)
        except Exception as exc:  # anything else is a failure of the test, reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert len(wins) == 1 and len(conflicts) == CLAIMANTS - 1
    assert {c.holder for c in conflicts} == set(wins)
    assert all(f"已被 {wins[0]} 认领" in c.message for c in conflicts)
    need = Need.objects.get(pk=published.pk)
    assert need.state == State.CLAIMED and need.lead_organisation.name == wins[0]
    assert Event.objects.filter(subject_type="needs.need", subject_id=str(need.pk), verb="need.claim").count() == 1
    assert events_verify()[1] is None
