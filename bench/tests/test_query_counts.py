"""No N+1 queries: every list page and API list of the needs loop costs the same number of queries with 3
needs as with 25 (and a need's page the same with one progress note as with eleven)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from needs.services import need_act, need_submit


@pytest.fixture
def grow(accounts, tree, category, unit):
    """Add needs in every list's states: claimed by the unit, published, and waiting for triage."""
    staff = accounts["community_staff"]

    def add(n):
        for i in range(n):
            need = need_submit(actor=accounts["resident"], title=f"路灯不亮{i}", place=tree["building"])
            if i % 3 == 2:
                continue  # left for triage
            need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
            need = need_act(actor=staff, need=need, action="publish")
            if i % 3 == 1:
                need_act(actor=accounts["unit_admin"], need=need, action="claim")
    return add


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def counts(accounts, tree, urls) -> dict:
    result = {}
    for who, url in urls:
        client = Client()
        if who:
            client.force_login(accounts[who])
        queries(client, url)  # the first request also reads sessions and caches
        result[(who, url)] = queries(client, url)
    return result


LISTS = [
    (None, "/needs/"), (None, "/needs/?tab=working"), ("unit_admin", "/needs/?tab=working&page=1"),
    ("community_staff", "/needs/triage/"), ("resident", "/needs/mine/"), ("unit_admin", "/needs/mine/"),
    ("community_staff", "/api/v1/needs?limit=50"), ("unit_admin", "/api/v1/needs?state=claimed"),
    ("resident", "/api/v1/needs"), ("community_staff", "/needs/inbox/"),
    ("community_staff", "/needs/triage/?queue=all&q=路灯&sort=due&size=50"), ("unit_admin", "/needs/triage/"),
    ("community_staff", "/search/?q=路灯"), ("community_staff", "/"), ("unit_admin", "/"),
]


@pytest.mark.django_db
def test_it_reads_every_needs_list_in_a_constant_number_of_queries(accounts, tree, grow):
    grow(3)
    few = counts(accounts, tree, LISTS)
    grow(22)
    assert counts(accounts, tree, LISTS) == few


@pytest.mark.django_db
def test_it_reads_a_need_and_its_timeline_in_a_constant_number_of_queries(accounts, tree, category, unit):
    staff = accounts["community_staff"]
    need = need_submit(actor=accounts["resident"], title="路灯不亮", place=tree["building"])
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
    urls = [(None, f"/needs/{need.pk}/"), ("community_staff", f"/needs/{need.pk}/"),
            ("community_staff", f"/api/v1/needs/{need.pk}")]
    need = need_act(actor=staff, need=need, action="publish")
    need = need_act(actor=accounts["unit_admin"], need=need, action="claim")
    need = need_act(actor=accounts["unit_admin"], need=need, action="progress", note="开始施工")
    few = counts(accounts, tree, urls)
    for i in range(10):
        need = need_act(actor=accounts["unit_admin"], need=need, action="progress", note=f"进展{i}")
    assert counts(accounts, tree, urls) == few
