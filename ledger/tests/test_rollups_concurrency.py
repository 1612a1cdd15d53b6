"""Eight units claim, then resolve, eight needs of the same place and day at the same moment: every action
adds to the same roll-up rows from its own transaction, and the figures still equal the direct count.

Real threads, each with its own database connection (as in needs/tests/test_claim_race.py)."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from ledger import periods
from ledger.selectors import LedgerScope, tally
from ledger.tests import direct
from needs.services import need_act, need_submit

WORKERS = 8


def run_together(work, items):
    start, errors = threading.Barrier(len(items)), []

    def run(item):
        try:
            start.wait()
            work(item)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_it_adds_up_concurrent_actions_on_the_same_rows_exactly(root, tree, accounts, category):
    from people.services import organisation_create, role_grant

    staff = accounts["community_staff"]
    pairs = []
    for i in range(WORKERS):
        need = need_submit(actor=accounts["resident"], title=f"路灯不亮{i}", place=tree["building"])
        need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
        need = need_act(actor=staff, need=need, action="publish")
        org = organisation_create(actor=root, kind="co_building_unit", name=f"共建单位{i}")
        user = User.objects.create_user(f"claimant{i}", password="pass-12345")
        role_grant(actor=root, user=user, role="unit_admin", organisation=org)
        pairs.append((user, need))

    run_together(lambda pair: need_act(actor=pair[0], need=pair[1], action="claim"), pairs)
    run_together(lambda pair: need_act(actor=pair[0], need=pair[1], action="resolve", note="已修好", evidence="照片"),
                 pairs)

    day = timezone.localtime(pairs[0][1].accepted_at).date()
    for place in (tree["city"], tree["tqjy"], tree["grid1"]):
        scope = LedgerScope(place, periods.Period(day, day))
        figures = tally(scope.place, scope.period)
        assert figures == direct.tally(scope)
        assert (figures["found"], figures["claimed"], figures["resolved"]) == (WORKERS, WORKERS, WORKERS)
