"""Time of one claim under contention: `pytest needs/tests/bench_claim.py -s -q` (add DATABASE_URL for
PostgreSQL). Not part of the suite (the file name does not start with test_); it prints a small table."""

import statistics
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection

from needs.services import NeedConflict, need_act, need_submit

CLAIMANTS, ROUNDS = 8, 20


@pytest.mark.django_db(transaction=True)
def test_bench_claims_under_contention(accounts, tree, category, root):
    from people.services import organisation_create, role_grant

    users = []
    for i in range(CLAIMANTS):
        org = organisation_create(actor=root, kind="co_building_unit", name=f"单位{i}")
        user = User.objects.create_user(f"bench{i}", password="x")
        role_grant(actor=root, user=user, role="unit_admin", organisation=org)
        users.append(user)
    timings = {"won": [], "lost": []}
    for _ in range(ROUNDS):
        need = need_submit(actor=accounts["resident"], title="争抢", place=tree["building"])
        need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                        concern_level="worry")
        need = need_act(actor=accounts["community_staff"], need=need, action="publish")
        barrier = threading.Barrier(CLAIMANTS)

        def claim(user, need=need, barrier=barrier):
            barrier.wait()
            start = time.perf_counter()
            try:
                need_act(actor=user, need=need, action="claim")
                timings["won"].append(time.perf_counter() - start)
            except NeedConflict:
                timings["lost"].append(time.perf_counter() - start)
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"\n{connection.vendor}: {ROUNDS} needs × {CLAIMANTS} concurrent claimants")
    for outcome, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        print(f"  {outcome:4} n={len(ms):3}  median {statistics.median(ms):6.1f} ms  "
              f"p95 {ms[int(len(ms) * 0.95) - 1]:6.1f} ms  max {ms[-1]:6.1f} ms")
    assert len(timings["won"]) == ROUNDS
