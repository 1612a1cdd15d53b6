"""Hand-built needs for the ledger's known-answer tests, each walked through `need_act` with its dates.

The scenario, in 天庆嘉园社区 (tqjy) unless said otherwise; the period under test is 2021 Q3:

    A  accepted 07-05, claimed by the unit at once, resolved the same day, rated 很满意
    B  accepted 07-10, claimed late (07-20), resolved late (09-28), rated 基本满意 on a follow-up call
    C  submitted 07-12 and rejected                                     → never found
    D  submitted 07-13 and merged into A                                 → never found; A affects 2
    E  accepted 07-15, escalated 07-16, dispatched by the subdistrict     → claimed, escalated
    F  accepted 07-20, claimed by a member, resolved, rated 不满意, reopened → claimed, not resolved
    G  accepted 06-30 23:30, resolved in July                            → before the period
    H  accepted 09-30 23:59, published, flagged overdue in October       → found, overdue
    I  accepted 10-01 00:30 Beijing time (still 09-30 in UTC)             → after the period
    J  in 五里铺东社区, accepted 07-05                                     → the subdistrict's only
    K  private, accepted 07-06, dispatched, resolved, verified           → counted, never a public deed
"""

import datetime
import zoneinfo

import pytest

from needs.models import Category
from needs.permissions import system_user
from needs.services import need_act, need_submit

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    """'2021-07-05 10:00' in Beijing time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="加装电梯", defaults={"keywords": "电梯"})[0]


@pytest.fixture
def member(accounts):
    from people.scopes import person_of

    return person_of(accounts["party_member"])


class Walk:
    """Shorthands for walking one need through the workflow on given dates."""

    def __init__(self, accounts, tree, category):
        self.a, self.tree, self.category = accounts, tree, category

    def submit(self, when, title, place=None, **fields):
        return need_submit(actor=self.a["resident"], at=at(when), title=title, place=place or self.tree["building"],
                           category=self.category, **fields)

    def accept(self, when, title, place=None, staff="community_staff", **fields):
        need = self.submit(when, title, place, **fields)
        return need_act(actor=self.a[staff], need=need, action="accept", at=at(when), category=self.category,
                        concern_level="worry")

    def act(self, need, action, when, actor="community_staff", **fields):
        user = system_user() if actor == "system" else self.a[actor]
        return need_act(actor=user, need=need, action=action, at=at(when), **fields)

    def claimed(self, when_accept, when_claim, title, **fields):
        need = self.act(self.accept(when_accept, title, **fields), "publish", when_accept)
        return self.act(need, "claim", when_claim, "unit_admin")

    def resolved(self, need, when):
        return self.act(need, "resolve", when, "unit_admin", note="已办结", evidence="居民签字")


@pytest.fixture
def walk(accounts, tree, category):
    return Walk(accounts, tree, category)


@pytest.fixture
def scenario(walk, tree, accounts):
    n = {}
    n["A"] = walk.claimed("2021-07-05 10:00", "2021-07-05 10:30", "A 楼道灯不亮")
    n["A"] = walk.resolved(n["A"], "2021-07-05 15:00")
    n["A"] = walk.act(n["A"], "rate", "2021-07-06 09:00", "resident", rating="very_satisfied")

    n["B"] = walk.claimed("2021-07-10 10:00", "2021-07-20 10:00", "B 小区路面破损")
    n["B"] = walk.resolved(n["B"], "2021-09-28 10:00")
    n["B"] = walk.act(n["B"], "follow_up", "2021-09-29 10:00", "grid_worker", rating="fairly_satisfied")

    n["C"] = walk.act(walk.submit("2021-07-12 10:00", "C 广告"), "reject", "2021-07-12 11:00", note="不属于社区")
    n["D"] = walk.act(walk.submit("2021-07-13 10:00", "D 楼道灯坏了"), "merge", "2021-07-13 11:00", into=n["A"].pk)

    n["E"] = walk.act(walk.accept("2021-07-15 10:00", "E 违章搭建"), "escalate", "2021-07-16 10:00",
                      note="需要城管执法")
    n["E"] = walk.act(n["E"], "dispatch", "2021-07-16 11:00", "subdistrict_admin",
                      organisation=walk.a["unit_admin"].role_assignments.get().organisation)

    n["F"] = walk.act(walk.accept("2021-07-20 10:00", "F 电梯咨询"), "publish", "2021-07-20 10:00")
    n["F"] = walk.act(n["F"], "claim", "2021-07-20 11:00", "party_member")
    n["F"] = walk.act(n["F"], "resolve", "2021-07-21 10:00", "party_member", note="已解答", evidence="记录")
    n["F"] = walk.act(n["F"], "rate", "2021-07-22 10:00", "resident", rating="unsatisfied")
    n["F"] = walk.act(n["F"], "reopen", "2021-07-23 10:00", "resident", note="还没说清楚")

    n["G"] = walk.claimed("2021-06-30 23:30", "2021-07-01 10:00", "G 六月的需求")
    n["G"] = walk.resolved(n["G"], "2021-07-02 10:00")

    n["H"] = walk.act(walk.accept("2021-09-30 23:59", "H 九月末的需求"), "publish", "2021-09-30 23:59")
    n["H"] = walk.act(n["H"], "flag_overdue", "2021-10-20 10:00", "system")

    n["I"] = walk.accept("2021-10-01 00:30", "I 十月的需求")

    n["J"] = walk.accept("2021-07-05 10:00", "J 五里铺东的需求", place=tree["compound2"],
                         staff="other_community_staff")

    n["K"] = walk.accept("2021-07-06 10:00", "K 邻里纠纷", is_public=False)
    n["K"] = walk.act(n["K"], "dispatch", "2021-07-06 10:30", organisation=walk.a["unit_admin"].role_assignments
                      .get().organisation)
    n["K"] = walk.resolved(n["K"], "2021-07-07 10:00")
    n["K"] = walk.act(n["K"], "verify", "2021-07-08 10:00")
    return n
