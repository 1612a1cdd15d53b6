"""The home page's counts of each role's work: each links to the list it counts, and the list is that long."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from needs.models import Category, Need
from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db


def workload(client) -> dict[str, tuple[int, str]]:
    """label → (count, link) of the home page's "Waiting for me" card."""
    page = client.get(reverse("home")).content.decode()
    card = re.search(r'<section class="card workload".*?</section>', page, re.S)
    if card is None:
        return {}
    found = re.findall(r'<a class="figure[^"]*" href="([^"]+)"><span class="n">(\d+)</span><span class="l">([^<]+)',
                       card[0])
    return {label: (int(n), href.replace("&amp;", "&")) for href, n, label in found}


def list_length(client, url) -> int:
    page = client.get(url).content.decode()
    if "/needs/triage/" in url:
        return int(re.search(r'data-count="(\d+)"', page)[1])
    return page.count('<article class="card callback"')  # the call-back list (needs:callbacks), one page


@pytest.fixture
def busy(accounts, tree, unit):
    """天庆嘉园 with needs in every queue: new, accepted (public and private), published and unclaimed past its
    deadline, escalated, overdue, claimed by the unit and due this week, resolved and waiting for a call."""
    staff, resident = accounts["community_staff"], accounts["resident"]
    category = Category.objects.get_or_create(name="加装电梯")[0]

    def new(title, **kw):
        return need_submit(actor=resident, title=title, place=tree["building"], **kw)

    def accepted(title, **kw):
        return need_act(actor=staff, need=new(title, **kw), action="accept", category=category,
                        concern_level="worry")

    new("新的一")
    late = new("新的超期")
    Need.objects.filter(pk=late.pk).update(overdue=True)
    accepted("待发布")
    accepted("私密待派", is_public=False)
    stale = need_act(actor=staff, need=accepted("没人认领"), action="publish")
    Need.objects.filter(pk=stale.pk).update(claim_due=timezone.now() - datetime.timedelta(hours=1))
    need_act(actor=staff, need=accepted("吹哨的"), action="escalate", note="需要街道协调")
    claimed = need_act(actor=accounts["unit_admin"], need=need_act(actor=staff, need=accepted("已认领"),
                                                                      action="publish"), action="claim")
    resolved = need_act(actor=accounts["unit_admin"], need=claimed, action="resolve", note="已完成", evidence="签字")
    Need.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - datetime.timedelta(days=8))
    working = need_act(actor=accounts["unit_admin"], need=need_act(actor=staff, need=accepted("处理中"),
                                                                      action="publish"), action="claim")
    Need.objects.filter(pk=working.pk).update(resolve_due=timezone.now() + datetime.timedelta(minutes=1))
    return accounts


@pytest.mark.parametrize("role, expected", [
    ("community_staff", {"待受理": 2, "待发布": 1, "待派单": 2, "吹哨": 1, "逾期": 1, "待回访": 1}),
    ("subdistrict_admin", {"待受理": 2, "待发布": 1, "待派单": 2, "吹哨待我处理": 1, "逾期": 1}),
    ("grid_worker", {"待受理": 2, "逾期": 1, "待回访": 1}),
    ("unit_admin", {"我的接单": 1, "本周到期的接单": 1}),
])
def test_each_roles_counts_match_the_lists_they_link_to(busy, role, expected):
    client = Client()
    client.force_login(busy[role])
    counts = workload(client)
    assert {label: n for label, (n, _url) in counts.items()} == expected
    for label, (n, url) in counts.items():
        assert list_length(client, url) == n, (label, url)


def test_a_resident_has_no_work_counts(client, busy):
    client.force_login(busy["resident"])
    assert workload(client) == {}


def test_the_counts_cost_the_same_queries_however_many_needs(busy, accounts, tree, django_assert_max_num_queries):
    client = Client()
    client.force_login(accounts["community_staff"])
    client.get(reverse("home"))
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("home"))
    for i in range(15):
        need_submit(actor=accounts["resident"], title=f"又一件{i}", place=tree["building"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert workload(client)["待受理"][0] == 17
