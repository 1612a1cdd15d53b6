import datetime
import io

import pytest
from openpyxl import load_workbook

from core.models import Event
from people.services import (
    member_place,
    member_report,
    membership_create,
    organisation_report,
    party_organisation_create,
    person_create,
)
from rosters.tests.helpers import upload
from sites.services import site_create


def rows_of(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [["" if v is None else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def records(root, tree, unit):
    """One of everything: a grid branch, a reported and placed member, residents in two communities, a site."""
    day = datetime.date(2021, 6, 1)
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    grid_branch = party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部",
                                            place=tree["grid1"], parent=committee)
    organisation_report(actor=root, party_organisation=unit["branch"], community=tree["tqjy"], reported_on=day)
    member = person_create(actor=root, name="王建国", phone="13912345001", gender="M", skills="法律咨询")
    membership = membership_create(actor=root, person=member, party_organisation=unit["branch"])
    report = member_report(actor=root, membership=membership, community=tree["tqjy"], reported_on=day)
    member_place(actor=root, report=report, grid_branch=grid_branch, placed_on=day)
    person_create(actor=root, name="陈一", phone="13912345021", gender="F", home=tree["entrance"], room="301",
                  is_resident=True)
    person_create(actor=root, name="刘二", phone="13912345022", home=tree["compound2"], room="101", is_resident=True)
    site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                operator=unit["organisation"], opening_hours="周一至周五 9:00–17:00", opened_on=day)
    site_create(actor=root, kind="facility", name="五里铺东充电桩", place=tree["compound2"])


@pytest.mark.parametrize(("role", "slug"), [
    ("subdistrict_admin", "places"), ("community_staff", "places"), ("subdistrict_admin", "units"),
    ("subdistrict_admin", "members"), ("community_staff", "members"), ("unit_admin", "members"),
    ("subdistrict_admin", "residents"), ("community_staff", "residents"), ("community_staff", "sites"),
])
def test_it_reimports_its_own_export_unchanged(client, accounts, records, role, slug):
    client.force_login(accounts[role])
    rows = rows_of(client.get(f"/rosters/{slug}/export.xlsx"))
    assert len(rows) > 1
    events = Event.objects.count()
    _response, imp = upload(client, slug, rows)
    assert imp.counts == {"create": 0, "update": 0, "unchanged": len(rows) - 1, "error": 0, "total": len(rows) - 1}
    client.post(f"/rosters/imports/{imp.pk}/confirm")
    assert Event.objects.count() == events


def test_it_exports_only_the_users_area(client, accounts, records):
    client.force_login(accounts["community_staff"])
    residents = rows_of(client.get("/rosters/residents/export.xlsx"))
    assert residents == [["姓名", "手机号", "性别", "住址编码", "房号", "专长"],
                         ["party_member用户", "13900000002", "", "62010201000100100100102", "101", ""],
                         ["resident用户", "13900000008", "", "62010201000100100100102", "101", ""],
                         ["陈一", "13912345021", "女", "62010201000100100100102", "301", ""]]
    places = [r[0] for r in rows_of(client.get("/rosters/places/export.xlsx"))[1:]]
    assert places[0] == "620102010001" and all(code.startswith("620102010001") for code in places)
    sites = [r[0] for r in rows_of(client.get("/rosters/sites/export.xlsx"))[1:]]
    assert sites == ["天庆嘉园便民驿站"]

    client.force_login(accounts["other_community_staff"])
    assert [r[0] for r in rows_of(client.get("/rosters/residents/export.xlsx"))[1:]] == ["刘二"]
    assert rows_of(client.get("/rosters/members/export.xlsx"))[1:] == []

    client.force_login(accounts["subdistrict_admin"])
    members = rows_of(client.get("/rosters/members/export.xlsx"))
    assert members[1] == ["王建国", "13912345001", "男", "兰州电影制片厂党支部", "天庆嘉园社区", "2021-06-01",
                          "天庆嘉园第一网格党支部", "法律咨询"]
    assert Event.objects.filter(verb="roster_export", actor=accounts["subdistrict_admin"]).get().data == {
        "roster": "members", "rows": 1}


def test_it_offers_a_template_with_headers_example_and_notes(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    response = client.get("/rosters/residents/template.xlsx")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    data, notes = book.worksheets
    assert [list(r) for r in data.values] == [
        ["姓名", "手机号", "性别", "住址编码", "房号", "专长"],
        ["张示例", "13800000000", "女", "62010201000100100100102", "301", "法律咨询"]]
    assert notes.title == "填写说明"
    assert ["手机号", "是"] == [notes["A3"].value, notes["B3"].value]
    assert "11位手机号" in notes["C3"].value
