"""Eight units claim, then resolve, eight needs of the same place and day at the same moment: every action
adds to the same roll-up rows from its own transaction, and the figures still equal the direct count.

Real threads, each with its own database connection (needs/tests/concurrency.py)."""

import pytest
from django.utils import timezone

from ledger import periods
from ledger.builders import LedgerScope
from ledger.selectors import tally
from ledger.tests import direct
from needs.services import need_act, need_submit
from needs.tests.concurrency import run_together, unit_admins

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_it_adds_up_concurrent_actions_on_the_same_rows_exactly(root, tree, accounts, category):
    staff = accounts["community_staff"]
    pairs = []
    for i, user in enumerate(unit_admins(root, WORKERS)):
        need = need_submit(actor=accounts["resident"], title=f"路灯不亮{i}", place=tree["building"])
        need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
        need = need_act(actor=staff, need=need, action="publish")
        pairs.append((user, need))

    assert run_together(lambda pair: need_act(actor=pair[0], need=pair[1], action="claim"), pairs) == []
    assert run_together(lambda pair: need_act(actor=pair[0], need=pair[1], action="resolve", note="已修好",
                                              evidence="照片"), pairs) == []

    day = timezone.localtime(pairs[0][1].accepted_at).date()
    for place in (tree["city"], tree["tqjy"], tree["grid1"]):
        scope = LedgerScope(place, periods.Period(day, day))
        figures = tally(scope.place, scope.period)
        assert figures == direct.tally(scope)
        assert (figures["found"], figures["claimed"], figures["resolved"]) == (WORKERS, WORKERS, WORKERS)
