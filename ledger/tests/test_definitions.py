"""Known answers for every definition of ledger.selectors, on the hand-built scenario of conftest.py."""

import pytest

from ledger import periods
from ledger.exports import deed_rows
from ledger.sections import figures_by_key, ledger_build
from ledger.selectors import NEED_FIGURES, deeds, found_needs, rates, records, tally
from ledger.tests.conftest import at
from needs.services import need_act

Q3 = periods.quarter(2021, 3)


def figures(place, period=Q3, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def test_it_counts_found_claimed_resolved_and_the_rest_by_definition(scenario, tree):
    t = tally(tree["tqjy"], Q3)
    # found: A B E F H K (C rejected, D merged, G before, I after, J elsewhere)
    assert set(found_needs(tree["tqjy"], Q3).values_list("title", flat=True)) == {
        "A 楼道灯不亮", "B 小区路面破损", "E 违章搭建", "F 电梯咨询", "H 九月末的需求", "K 邻里纠纷"}
    assert (t["found"], t["claimed"], t["resolved"], t["on_time"]) == (6, 5, 3, 2)
    assert (t["responded"], t["rated"], t["escalated"], t["overdue"]) == (4, 2, 1, 1)
    assert (t["rating_very_satisfied"], t["rating_fairly_satisfied"], t["rating_unsatisfied"]) == (1, 1, 0)
    assert t["affected"] == 7  # D merged into A: A affects 2


def test_it_counts_reopened_rejected_and_merged_apart(scenario, tree):
    f = figures(tree["tqjy"])
    assert (f["reopened"], f["rejected"], f["merged"]) == (1, 1, 1)


def test_it_computes_the_three_rates_and_the_composite(scenario, tree, settings):
    r = rates(tally(tree["tqjy"], Q3))
    assert r["claim_rate"] == round(5 / 6, 4) and r["resolution_rate"] == 0.5
    assert r["on_time_rate"] == round(2 / 3, 4) and r["response_rate"] == round(4 / 6, 4)
    assert r["satisfaction_rate"] == 0.95  # (1 very satisfied + 0.9 × 1 fairly satisfied) / 2 rated
    assert r["composite"] == round(0.1 * (4 / 6) + 0.45 * 0.5 + 0.45 * 0.95, 4)
    settings.LEDGER_WEIGHTS = "0.2,0.3,0.5"
    assert rates(tally(tree["tqjy"], Q3))["composite"] == round(0.2 * 0.6667 + 0.3 * 0.5 + 0.5 * 0.95, 4)


def test_it_refuses_weights_that_do_not_add_up(settings):
    from django.core.exceptions import ImproperlyConfigured

    from ledger.conf import composite_weights

    settings.LEDGER_WEIGHTS = "0.5,0.5,0.5"
    with pytest.raises(ImproperlyConfigured):
        composite_weights()


def test_it_has_no_rate_when_nothing_is_counted(tree):
    r = rates(tally(tree["tqjy"], Q3))
    assert set(r.values()) == {None}


def test_it_cuts_periods_at_midnight_beijing_time(scenario, tree):
    june, october = periods.month(2021, 6), periods.month(2021, 10)
    assert list(found_needs(tree["tqjy"], june).values_list("title", flat=True)) == ["G 六月的需求"]
    assert list(found_needs(tree["tqjy"], october).values_list("title", flat=True)) == ["I 十月的需求"]
    # G was accepted in June and resolved in July: it is June's, resolved.
    assert tally(tree["tqjy"], june)["resolved"] == 1
    assert tally(tree["tqjy"], periods.year(2021))["found"] == 8


def test_it_scopes_by_place_code(scenario, tree):
    assert tally(tree["subdistrict"], Q3)["found"] == 7  # J is in 五里铺东社区
    assert tally(tree["wlpd"], Q3)["found"] == 1
    assert tally(tree["grid1"], Q3)["found"] == 6
    built = {b.key: b for b in ledger_build(tree["subdistrict"], Q3, public=False)}
    by_community = {t.key: t for t in built["breakdowns"].data.tables}["community"].rows
    assert [(r["label"], r["found"]) for r in by_community] == [("天庆嘉园社区", 6), ("五里铺东社区", 1)]


def test_it_follows_needs_as_they_move_on(scenario, tree, accounts):
    """A reopened need counts as resolved again once it is resolved again, whenever that is."""
    need_act(actor=accounts["party_member"], need=scenario["F"], action="resolve", at=at("2022-01-05 10:00"),
             note="再次解答", evidence="记录")
    t = tally(tree["tqjy"], Q3)
    assert (t["found"], t["resolved"], t["on_time"]) == (6, 4, 2)  # late: the deadline after reopening passed


def test_it_stops_counting_a_returned_need_as_claimed(scenario, tree, accounts):
    need_act(actor=accounts["unit_admin"], need=scenario["E"], action="return", at=at("2021-07-17 10:00"),
             note="不属于我们")
    assert tally(tree["tqjy"], Q3)["claimed"] == 4


def test_it_trends_by_month_found(scenario, tree):
    built = {b.key: b for b in ledger_build(tree["tqjy"], Q3, public=True)}
    rows = built["trend"].data.tables[0].rows
    assert [(r["label"], r["found"], r["claimed"], r["resolved"]) for r in rows] == [
        ("2021-07", 5, 5, 3), ("2021-08", 0, 0, 0), ("2021-09", 1, 0, 0)]


def test_it_ranks_active_units_and_masks_members_for_the_public(scenario, tree, member):
    public = {t.key: t for b in ledger_build(tree["tqjy"], Q3, public=True) for t in b.data.tables}
    staff = {t.key: t for b in ledger_build(tree["tqjy"], Q3, public=False) for t in b.data.tables}
    assert [(r["label"], r["claimed"], r["resolved"]) for r in public["active_units"].rows] == [
        ("兰州电影制片厂", 4, 3)]
    assert public["active_members"].rows[0]["label"] == member.name[0] + "*" * (len(member.name) - 1)
    assert staff["active_members"].rows[0]["label"] == member.name


def test_it_lists_public_deeds_only_for_the_public(scenario, tree):
    assert [n.title for n in deeds(tree["tqjy"], Q3, public=True)] == ["B 小区路面破损", "A 楼道灯不亮"]
    assert "K 邻里纠纷" in [n.title for n in deeds(tree["tqjy"], Q3, public=False)]
    # K is still counted
    assert tally(tree["tqjy"], Q3)["resolved"] == 3


@pytest.mark.parametrize("figure", [*NEED_FIGURES, "reopened", "rejected", "merged"])
def test_it_lists_exactly_the_records_behind_each_need_figure(scenario, tree, figure):
    f = {**figures(tree["tqjy"]), **tally(tree["tqjy"], Q3)}
    kind, qs = records(tree["tqjy"], Q3, figure, {})
    assert kind == "need" and qs.count() == f[figure]


def test_it_lists_the_records_behind_a_breakdown_row(scenario, tree):
    kind, qs = records(tree["subdistrict"], Q3, "resolved", {"community": tree["tqjy"].code, "month": "2021-07"})
    # by the month found: B was found in July and resolved in September
    assert sorted(qs.values_list("title", flat=True)) == ["A 楼道灯不亮", "B 小区路面破损", "K 邻里纠纷"]


def test_it_tells_the_public_where_only_in_general_terms(walk, tree, accounts):
    need = walk.claimed("2021-07-05 10:00", "2021-07-05 10:30", "天庆嘉园1号楼2单元楼道堆物")
    walk.resolved(need, "2021-07-05 15:00")
    public = list(deed_rows(deeds(tree["tqjy"], Q3, public=True), public=True))
    assert public[0]["label"] == "天庆嘉园某楼某单元楼道堆物"
    assert (public[0]["community"], public[0]["grid"]) == ("天庆嘉园社区", "天庆嘉园第一网格")  # not the entrance
    assert list(deed_rows(deeds(tree["tqjy"], Q3, public=False), public=False))[0]["label"] == need.title
