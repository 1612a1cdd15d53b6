"""The ledger is cached under the head of the event chain: a second read without writes costs no section
query, and any write through a service (which appends an event) shows at once."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger import periods
from ledger.sections import built_once, figures_by_key, ledger_build
from people.services import honour_add


def build(place):
    with CaptureQueriesContext(connection) as queries:
        figures = figures_by_key(ledger_build(place, periods.year(2021), public=True))
    return figures, len(queries)


@pytest.mark.django_db
def test_a_second_read_comes_from_the_cache_and_a_write_shows_at_once(accounts, tree):
    community = tree["tqjy"]
    first, first_queries = build(community)
    again, again_queries = build(community)
    assert again == first
    assert again_queries == 1 < first_queries  # only the chain's head is read

    honour_add(actor=accounts["community_staff"], title="全国文明社区", awarded_on=datetime.date(2021, 5, 1),
               awarded_by="中央文明委", place=community)
    after, after_queries = build(community)
    assert after_queries == first_queries
    assert after["honours"] == first["honours"] + 1


@pytest.mark.django_db
def test_the_pages_rendered_sections_follow_a_write_the_audience_and_the_language(client, accounts, tree):
    community = tree["tqjy"]
    public = reverse("ledger:public", args=[community.code])

    def page(url, language="zh-hans", **params):
        return client.get(url, {"period": "2021", **params}, headers={"Accept-Language": language}).content.decode()

    assert "全国文明社区" not in page(public)
    honour_add(actor=accounts["community_staff"], title="全国文明社区", awarded_on=datetime.date(2021, 5, 1),
               awarded_by="中央文明委", place=community)
    assert "全国文明社区" in page(public) and "/ledger/records/" not in page(public)
    english = page(public, language="en")
    assert "Honours" in english and "荣誉" not in english and "荣誉" in page(public)
    client.force_login(accounts["community_staff"])
    staff = page(reverse("ledger:dashboard"), place=community.code)
    assert "全国文明社区" in staff and "/ledger/records/" in staff  # the staff's figures open their records


def test_threads_missing_the_same_ledger_at_once_build_it_once():
    builds, started = [], threading.Barrier(4)

    def build():
        builds.append(1)
        time.sleep(0.3)  # the others ask meanwhile
        return ["built"]

    def ask(results):
        started.wait()
        results.append(built_once("ledger:test:once", build))

    results = []
    threads = [threading.Thread(target=ask, args=(results,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [["built"]] * 4 and len(builds) == 1
