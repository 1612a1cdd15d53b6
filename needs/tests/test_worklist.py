"""The worklist (needs:triage): queues, search, filters, order, page numbers; who sees which queues."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from needs import selectors
from needs.models import Category, Need, State
from needs.services import need_act, need_submit

pytestmark = pytest.mark.django_db
URL = reverse("needs:triage")


def listed(client, **params) -> list[str]:
    """The titles of the worklist's rows, in order."""
    response = client.get(URL, params)
    assert response.status_code == 200
    return re.findall(r'<td class="lead"><a href="/needs/\d+/">([^<]+)</a>', response.content.decode())


def total(client, **params) -> int:
    page = client.get(URL, params).content.decode()
    return int(re.search(r'data-count="(\d+)"', page)[1])


@pytest.fixture
def staff_client(client, accounts):
    client.force_login(accounts["community_staff"])
    return client


@pytest.fixture
def make(accounts, tree, category):
    """make(title, state=…, **fields): a need of 天庆嘉园 walked to the state through need_act."""
    staff = accounts["community_staff"]

    def need(title, state=State.SUBMITTED, place=None, **fields):
        n = need_submit(actor=staff, title=title, place=place or tree["building"], reporter=None, **fields)
        if state in (State.ACCEPTED, State.PUBLISHED, State.ESCALATED):
            n = need_act(actor=staff, need=n, action="accept", category=category,
                         concern_level=fields.get("concern_level") or "worry")
        if state == State.PUBLISHED:
            n = need_act(actor=staff, need=n, action="publish")
        if state == State.ESCALATED:
            n = need_act(actor=staff, need=n, action="escalate", note="社区解决不了")
        return n

    return need


def test_it_lists_each_queue_of_the_area(staff_client, make, accounts, tree):
    make("新的需求")
    make("已受理公开", State.ACCEPTED)
    make("已受理私密", State.ACCEPTED, is_public=False)
    make("在认领大厅", State.PUBLISHED)
    make("已吹哨", State.ESCALATED)
    need_submit(actor=accounts["other_community_staff"], title="别的社区", place=tree["compound2"])
    assert set(listed(staff_client)) == {"新的需求", "已受理公开", "已受理私密"}  # to triage
    assert listed(staff_client, queue="accept") == ["新的需求"]
    assert listed(staff_client, queue="publish") == ["已受理公开"]
    assert listed(staff_client, queue="dispatch") == ["已受理私密"]  # a private need is dispatched
    assert listed(staff_client, queue="escalated") == ["已吹哨"]
    assert "别的社区" not in listed(staff_client, queue="all") and len(listed(staff_client, queue="all")) == 5


def test_it_puts_a_published_need_nobody_claimed_in_time_in_to_dispatch(staff_client, make):
    need = make("没人认领", State.PUBLISHED)
    assert listed(staff_client, queue="dispatch") == []
    Need.objects.filter(pk=need.pk).update(claim_due=timezone.now() - datetime.timedelta(minutes=1))
    assert listed(staff_client, queue="dispatch") == ["没人认领"]


def test_it_shows_the_subdistrict_what_was_escalated_in_its_triage(client, make, accounts):
    make("已吹哨", State.ESCALATED)
    client.force_login(accounts["subdistrict_admin"])
    assert listed(client) == ["已吹哨"]


def test_it_finds_a_need_by_number_title_or_text(staff_client, make):
    lamp = make("10号楼1单元楼道灯不亮", description="晚上看不见台阶")
    make("垃圾桶满了")
    assert listed(staff_client, queue="all", q=str(lamp.pk)) == [lamp.title]
    assert listed(staff_client, queue="all", q=f"#{lamp.pk}") == [lamp.title]
    assert listed(staff_client, queue="all", q="楼道灯") == [lamp.title]
    assert listed(staff_client, queue="all", q="台阶") == [lamp.title]
    assert listed(staff_client, queue="all", q="没有这个") == []


def test_it_filters_by_category_concern_channel_grid_and_date(staff_client, make, root, tree, category):
    from places.services import place_create

    repairs = Category.objects.get_or_create(name="设施维修")[0]
    make("电梯", category=category, concern_level="anguish", channel="hotline")
    make("路灯", category=repairs, concern_level="annoyance", channel="walk_in")
    other_grid = place_create(actor=root, kind="grid", name="天庆嘉园第二网格", code="620102010001002",
                              parent=tree["tqjy"])
    make("第二网格的事", place=other_grid)
    old = make("去年的事")
    Need.objects.filter(pk=old.pk).update(submitted_at=timezone.make_aware(datetime.datetime(2020, 5, 1, 10)))
    assert listed(staff_client, category=repairs.pk) == ["路灯"]
    assert listed(staff_client, concern_level="anguish") == ["电梯"]
    assert listed(staff_client, channel="walk_in") == ["路灯"]
    assert listed(staff_client, grid=other_grid.code) == ["第二网格的事"]
    assert listed(staff_client, until="2020-05-01") == ["去年的事"]
    assert "去年的事" not in listed(staff_client, since="2020-05-02")


def test_it_filters_overdue_and_escalated_and_pins_them_first(staff_client, make, client, accounts):
    first = make("最早的")
    late = make("超期的")
    Need.objects.filter(pk=late.pk).update(overdue=True)
    make("最新的")
    assert listed(staff_client, queue="all") == ["超期的", "最早的", "最新的"]
    assert listed(staff_client, queue="all", sort="newest") == ["超期的", "最新的", "最早的"]
    assert listed(staff_client, overdue="on") == ["超期的"]
    raised = make("吹哨的", State.ESCALATED)
    assert listed(staff_client, queue="all", escalated="on") == ["吹哨的"]
    assert listed(staff_client, queue="all")[:2] == ["超期的", "吹哨的"]  # pinned, then oldest first
    assert first.pk < raised.pk


def test_it_orders_by_urgency_and_by_due_time(staff_client, make):
    make("烦心", concern_level="annoyance")
    make("揪心", concern_level="anguish")
    make("忧心", concern_level="worry")
    assert listed(staff_client, sort="concern") == ["揪心", "忧心", "烦心"]
    assert listed(staff_client, sort="due") == ["烦心", "揪心", "忧心"]  # accept due in the order submitted


def test_it_numbers_the_pages_and_jumps_to_one(staff_client, make):
    for i in range(45):
        make(f"需求{i:02d}")
    page = staff_client.get(URL, {"size": 20}).content.decode()
    assert '?size=20&amp;page=3"' in page and 'name="page"' in page  # page numbers and "go to page"
    assert listed(staff_client, size=20, page=3) == [f"需求{i}" for i in range(40, 45)]
    assert listed(staff_client, size=20, page=99) == [f"需求{i}" for i in range(40, 45)]  # past the end: the last
    assert len(listed(staff_client, size=50)) == 45


def test_it_answers_bad_filters_with_a_message_not_an_error(staff_client, make):
    make("一件事")
    response = staff_client.get(URL, {"since": "昨天", "grid": "999", "sort": "x", "size": "7", "page": "abc"})
    page = response.content.decode()
    assert response.status_code == 200 and "一件事" in page and "form-errors" in page


def test_it_gives_units_and_members_the_queues_of_what_they_hold(client, published, accounts):
    client.force_login(accounts["unit_admin"])
    assert client.get(URL).status_code == 200 and listed(client) == []
    need_act(actor=accounts["unit_admin"], need=published, action="claim")
    assert listed(client) == ["某楼某单元加装电梯"]  # my claims, titled as needs.public shows a holder
    assert "bulkbar" not in client.get(URL).content.decode()
    assert client.get(URL, {"queue": "all"}).content.decode().count('class="lead"') == 1  # not a staff queue


def test_it_counts_the_claims_due_this_week(client, published, accounts):
    need = need_act(actor=accounts["unit_admin"], need=published, action="claim")
    client.force_login(accounts["unit_admin"])
    now = timezone.now()
    Need.objects.filter(pk=need.pk).update(resolve_due=selectors.week_end(now) + datetime.timedelta(hours=1))
    assert listed(client, queue="due_week") == []
    Need.objects.filter(pk=need.pk).update(resolve_due=selectors.week_end(now) - datetime.timedelta(hours=1))
    assert len(listed(client, queue="due_week")) == 1


@pytest.mark.parametrize("role", ["resident", "committee_member"])
def test_it_keeps_the_worklist_from_those_without_one(client, accounts, role):
    client.force_login(accounts[role])
    assert client.get(URL).status_code == 403


def test_it_reads_the_worklist_in_a_constant_number_of_queries(accounts, make, django_assert_max_num_queries):
    client = Client()
    client.force_login(accounts["community_staff"])
    url = f"{URL}?queue=all&q=需求&sort=due&size=50"

    def grow(n):
        for i in range(n):
            make(f"需求{i}", State.ACCEPTED if i % 2 else State.SUBMITTED)

    grow(3)
    client.get(url)  # sessions and caches
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert total(client, queue="all", q="需求", sort="due", size=50) == 23
