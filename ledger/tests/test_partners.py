"""Known answers for units, members, coverage, sites, community figures and honours, as of the period's end."""

import datetime

from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from people import selectors
from people.models import MemberReport, MemberReportState
from people.services import (
    agreement_sign,
    committee_member_add,
    honour_add,
    member_place,
    member_report,
    membership_create,
    organisation_create,
    organisation_report,
    party_organisation_create,
    person_create,
)
from places.services import coverage_create
from sites.services import site_create

D = datetime.date


def figures(place, period):
    return figures_by_key(ledger_build(place, period, public=True))


def test_it_counts_partners_coverage_and_sites_as_of_the_periods_end(root, tree, unit):
    agreement_sign(actor=root, organisation=unit["organisation"], place=tree["subdistrict"], signed_on=D(2021, 3, 26))
    # A unit with no party organisation is not counted, agreement or not.
    bare = organisation_create(actor=root, kind="co_building_unit", name="无党组织单位")
    agreement_sign(actor=root, organisation=bare, place=tree["subdistrict"], signed_on=D(2021, 3, 26))
    # A unit that only reported to 五里铺东社区, in May.
    taxi = organisation_create(actor=root, kind="non_public_enterprise", name="大桥出租车公司")
    taxi_branch = party_organisation_create(actor=root, level="branch", name="大桥出租车公司党支部", organisation=taxi)
    organisation_report(actor=root, party_organisation=taxi_branch, community=tree["wlpd"], reported_on=D(2021, 5, 1))

    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    grid_branch = party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部",
                                            place=tree["grid1"], parent=committee)
    for i, reported in enumerate((D(2021, 4, 20), D(2021, 8, 1))):
        person = person_create(actor=root, name=f"党员{i}", phone=f"1380000000{i}", home=tree["entrance"])
        membership = membership_create(actor=root, person=person, party_organisation=unit["branch"], in_service=True)
        report = member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=reported)
        member_place(actor=root, report=report, grid_branch=grid_branch, placed_on=reported)
    coverage_create(actor=root, place=tree["grid1"], organisation=unit["organisation"], since=D(2021, 5, 1))
    coverage_create(actor=root, place=tree["compound"], organisation=unit["organisation"], since=D(2021, 5, 1))
    coverage_create(actor=root, place=tree["compound"], person=person, since=D(2021, 8, 1))  # same place: once
    coverage_create(actor=root, place=tree["compound2"], organisation=taxi, since=D(2021, 9, 1))
    site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"], opened_on=D(2021, 6, 1))
    site_create(actor=root, kind="facility", name="充电桩", place=tree["grid2"])
    site_create(actor=root, kind="micro_position", name="党建文化长廊", place=tree["compound"], opened_on=D(2022, 1, 1))

    june, year = periods.month(2021, 6), periods.year(2021)
    f = figures(tree["subdistrict"], june)
    assert (f["units"], f["members"]) == (2, 1)  # the film studio by agreement, the taxi company by report
    assert (f["covered_grid"], f["covered_compound"], f["covered_courtyard"], f["covered_unit_site"]) == (1, 1, 0, 0)
    assert (f["stations"], f["facilities"], f["micro_positions"]) == (1, 1, 0)
    f = figures(tree["subdistrict"], year)
    assert (f["units"], f["members"], f["covered_compound"], f["micro_positions"]) == (2, 2, 2, 0)
    f = figures(tree["tqjy"], year)  # the film studio's agreement is with the subdistrict, not with tqjy
    assert (f["units"], f["members"], f["covered_compound"], f["stations"], f["facilities"]) == (0, 2, 1, 1, 0)
    assert figures(tree["wlpd"], year)["units"] == 1
    f = figures(tree["grid1"], year)
    assert f["members"] == 2 and f["covered_grid"] == 1


def test_it_shows_a_communitys_branches_members_figures_committee_and_honours(root, tree):
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    branches = [party_organisation_create(actor=root, level="branch", name=f"天庆嘉园第{i}党支部", parent=committee,
                                          place=tree["tqjy"]) for i in range(1, 5)]
    for i in range(6):
        person = person_create(actor=root, name=f"老党员{i}", phone=f"1370000000{i}", home=tree["entrance"])
        membership_create(actor=root, person=person, party_organisation=branches[i % 4], in_service=False)
        if i < 3:
            committee_member_add(actor=root, community=tree["tqjy"], person=person, since=D(2021, 9, 10),
                                 represents="居委会")
    honour_add(actor=root, title="全国文明单位", awarded_on=D(2015, 2, 1), awarded_by="中央文明委", place=tree["tqjy"])
    honour_add(actor=root, title="先进基层党组织", awarded_on=D(2021, 6, 1), awarded_by="城关区委", place=tree["tqjy"])

    f = figures(tree["tqjy"], periods.year(2021))
    assert (f["branches"], f["party_members"], f["committee_members"], f["honours"]) == (4, 6, 3, 2)
    assert (f["area_km2"], f["buildings"], f["households"], f["residents"]) == (0.45, 52, 2465, 7792)
    f = figures(tree["tqjy"], periods.year(2020))
    assert (f["committee_members"], f["honours"]) == (0, 1)
    assert "branches" not in figures(tree["subdistrict"], periods.year(2021))


def test_a_member_who_withdrew_and_reported_elsewhere_counts_where_they_are_now(root, tree, unit):
    person = person_create(actor=root, name="党员甲", phone="13800000009", home=tree["entrance"])
    membership = membership_create(actor=root, person=person, party_organisation=unit["branch"], in_service=True)
    first = member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=D(2021, 3, 1))
    MemberReport.objects.filter(pk=first.pk).update(state=MemberReportState.WITHDRAWN)  # no service withdraws yet
    member_report(actor=root, membership=membership, community=tree["wlpd"], reported_on=D(2021, 6, 1))
    # The withdrawn report counts nowhere; the open one counts, on the ledger as on the home page.
    for place, expected in ((tree["tqjy"], 0), (tree["wlpd"], 1), (tree["subdistrict"], 1)):
        assert figures(place, periods.year(2021))["members"] == expected
        assert selectors.dual_reported_members(place).count() == expected
        assert sum(selectors.report_state_counts(community=place).values()) == expected
    assert figures(tree["wlpd"], periods.month(2021, 5))["members"] == 0  # reported in June
