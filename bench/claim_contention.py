"""Time of one claim under contention: `pytest bench/claim_contention.py -s -q` (add DATABASE_URL for
PostgreSQL). Not part of the suite (the file name does not start with test_); it prints a small table."""

import statistics
import time

import pytest
from django.db import connection

from needs.services import NeedConflict, need_act, need_submit
from needs.tests import conftest as needs_fixtures
from needs.tests.concurrency import run_together, unit_admins

CLAIMANTS, ROUNDS = 8, 20
category = needs_fixtures.category   # a fixture: pytest finds it among the module's names


@pytest.mark.django_db(transaction=True)
def test_bench_claims_under_contention(accounts, tree, category, root):
    users = unit_admins(root, CLAIMANTS, prefix="bench")
    timings = {"won": [], "lost": []}
    for _ in range(ROUNDS):
        need = need_submit(actor=accounts["resident"], title="争抢", place=tree["building"])
        need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                        concern_level="worry")
        need = need_act(actor=accounts["community_staff"], need=need, action="publish")

        def claim(user, need=need):
            start = time.perf_counter()
            try:
                need_act(actor=user, need=need, action="claim")
                timings["won"].append(time.perf_counter() - start)
            except NeedConflict:
                timings["lost"].append(time.perf_counter() - start)

        assert run_together(claim, users) == []
    print(f"\n{connection.vendor}: {ROUNDS} needs × {CLAIMANTS} concurrent claimants")
    for outcome, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        print(f"  {outcome:4} n={len(ms):3}  median {statistics.median(ms):6.1f} ms  "
              f"p95 {ms[int(len(ms) * 0.95) - 1]:6.1f} ms  max {ms[-1]:6.1f} ms")
    assert len(timings["won"]) == ROUNDS
