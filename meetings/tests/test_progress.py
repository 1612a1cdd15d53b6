"""A resolution's progress from what it created: a need counts done once resolved or closed, a merged need as the
one it was merged into, a rejected need leaves the total; an activity is done once it has ended, a cancelled one
leaves the total. Status and percent follow; the history holds the events behind them; a list costs a fixed
number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from meetings.progress import history_of, progress_for, progress_of
from meetings.services import (
    resolution_activity_create,
    resolution_decide,
    resolution_mark_done,
    resolution_need_create,
    resolution_need_link,
    resolution_propose,
)
from needs.models import Category
from needs.services import need_accept, need_claim, need_merge, need_publish, need_reject, need_resolve, need_submit
from people.services import team_create
from volunteering.services import activity_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="环境卫生")[0]


@pytest.fixture
def adopted(held, staff):
    return resolution_decide(actor=staff, votes_for=4,
                             resolution=resolution_propose(actor=staff, meeting=held, title="3号楼楼道清理"))


def raise_need(adopted, staff, tree, title="楼道清理"):
    return resolution_need_create(actor=staff, resolution=adopted, title=title, place=tree["compound"])


def resolve(need, staff, accounts, category):
    need = need_accept(actor=staff, need=need, category=category, concern_level="annoyance")
    need = need_publish(actor=staff, need=need)
    need = need_claim(actor=accounts["unit_admin"], need=need)
    return need_resolve(actor=accounts["unit_admin"], need=need, note="已清理完毕", evidence="居民已签字确认")


def test_a_resolved_need_makes_the_resolution_done(adopted, staff, tree, accounts, category):
    first, second = raise_need(adopted, staff, tree), raise_need(adopted, staff, tree, "楼道灯维修")
    p = progress_of(adopted)
    assert (p.status, p.label, p.percent, p.done, p.total) == ("in_progress", "推进中", 0, 0, 2)
    resolve(first, staff, accounts, category)
    p = progress_of(adopted)
    assert (p.status, p.percent, p.done, p.total) == ("in_progress", 50, 1, 2)
    resolve(second, staff, accounts, category)
    p = progress_of(adopted)
    assert (p.status, p.label, p.percent, p.done) == ("done", "已落实", 100, 2)
    assert [(kind, obj.pk, done) for kind, obj, done in p.items] == [("need", first.pk, True),
                                                                      ("need", second.pk, True)]


def test_a_merged_need_counts_as_the_one_it_was_merged_into(adopted, staff, tree, accounts, category):
    raised = raise_need(adopted, staff, tree)
    existing = need_submit(actor=accounts["resident"], title="楼道堆物", place=tree["building"])
    existing = need_accept(actor=staff, need=existing, category=category, concern_level="annoyance")
    need_merge(actor=staff, need=raised, into=existing)
    p = progress_of(adopted)
    assert (p.total, p.done, p.items[0][1].pk) == (1, 0, existing.pk)
    existing = need_claim(actor=accounts["unit_admin"], need=need_publish(actor=staff, need=existing))
    need_resolve(actor=accounts["unit_admin"], need=existing, note="已清理", evidence="居民已签字确认")
    assert progress_of(adopted).status == "done"
    assert {e.subject_id for e in history_of(adopted) if e.subject_type == "needs.need"} == {
        str(raised.pk), str(existing.pk)}


def test_a_rejected_need_leaves_the_total(adopted, staff, tree, accounts, category):
    kept, dropped = raise_need(adopted, staff, tree), raise_need(adopted, staff, tree, "重复的事")
    need_reject(actor=staff, need=dropped, note="与另一件重复")
    assert (progress_of(adopted).total, progress_of(adopted).status) == (1, "in_progress")
    resolve(kept, staff, accounts, category)
    assert progress_of(adopted).percent == 100


def test_activities_count_once_ended_and_a_cancelled_one_leaves(adopted, staff, tree, root):
    team = team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])
    start = timezone.now() + datetime.timedelta(days=1)
    made = [resolution_activity_create(actor=staff, resolution=adopted, kind="clean_up", name=f"楼道清理{n}",
                                       place=tree["compound"], starts_at=start + datetime.timedelta(days=n),
                                       ends_at=start + datetime.timedelta(days=n, hours=2), team=team)
            for n in range(2)]
    assert progress_of(adopted).percent == 0
    later = start + datetime.timedelta(hours=3)
    assert (progress_of(adopted, now=later).done, progress_of(adopted, now=later).percent) == (1, 50)
    activity_cancel(actor=staff, activity=made[1], reason="下雨")
    p = progress_of(adopted, now=later)
    assert (p.status, p.total, p.percent) == ("done", 1, 100)


def test_nothing_created_stays_adopted_until_marked_done(adopted, staff, held):
    rejected = resolution_decide(actor=staff, votes_for=1,
                                 resolution=resolution_propose(actor=staff, meeting=held, title="乙"))
    proposed = resolution_propose(actor=staff, meeting=held, title="丙")
    found = progress_for([adopted, rejected, proposed])
    assert [(p.status, p.percent) for p in found.values()] == [("adopted", None), ("rejected", None),
                                                               ("proposed", None)]
    assert found[rejected.pk].label == "未通过" and found[proposed.pk].label == "待表决"
    resolution_mark_done(actor=staff, resolution=adopted, note="已张贴公告")
    adopted.refresh_from_db()
    assert (progress_of(adopted).status, progress_of(adopted).percent) == ("done", 100)
    assert [e.verb for e in history_of(adopted)] == ["resolution_propose", "resolution_decide",
                                                     "resolution_mark_done"]


def test_a_list_costs_a_fixed_number_of_queries(adopted, staff, tree, held):
    resolutions = [adopted] + [resolution_decide(actor=staff, votes_for=4, resolution=resolution_propose(
        actor=staff, meeting=held, title=f"决议{n}")) for n in range(5)]
    shared = need_submit(actor=staff, title="共用的需求", place=tree["compound"])
    for r in resolutions:
        raise_need(r, staff, tree)
        resolution_need_link(actor=staff, resolution=r, need=shared)
    with CaptureQueriesContext(connection) as queries:
        found = progress_for(resolutions)
    assert len(queries) <= 3 and all(p.total >= 2 for p in found.values())
