import io

import pytest
from openpyxl import load_workbook

from core.models import Event
from people.models import MemberReport, PartyMembership, Person
from people.services import organisation_create, party_organisation_create
from places.models import Place
from rosters.models import RosterImport
from rosters.tests.helpers import upload, xlsx_file

PLACES = ["编码", "名称", "类型", "上级编码", "面积（平方公里）", "楼栋数", "户数", "人口"]
MEMBERS = ["姓名", "手机号", "性别", "所在党支部", "报到社区", "报到日期", "网格党支部", "专长"]
RESIDENTS = ["姓名", "手机号", "性别", "住址编码", "房号", "专长"]


@pytest.fixture
def grid_branch(root, tree):
    committee = party_organisation_create(actor=root, level="committee", name="天庆嘉园社区党委", place=tree["tqjy"])
    return party_organisation_create(actor=root, level="branch", name="天庆嘉园第一网格党支部", place=tree["grid1"],
                                     parent=committee)


def problems(imp):
    """{row number: [(column, message), ...]} of a checked import, read from its preview data."""
    from rosters.storage import error_rows
    return {row["n"]: [tuple(e) for e in row["e"]] for row in error_rows(imp)}


def confirm(client, imp):
    return client.post(f"/rosters/imports/{imp.pk}/confirm", follow=True)


def test_it_shows_every_place_problem_with_row_and_column_and_writes_nothing(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    places, events = Place.objects.count(), Event.objects.count()
    response, imp = upload(client, "places", [
        PLACES,
        ["620102010001002", "天庆嘉园第二网格", "网格", "620102010001", "0.1", "4", "300", "900"],   # 2 ok
        ["620102010001002001", "天庆嘉园B区", "小区", "620102010001002", "", "", "", ""],          # 3 parent in row 2
        ["62010201000100", "短编码网格", "网格", "620102010001", "", "", "", ""],                  # 4 length
        ["620102010002003", "前缀不对", "网格", "620102010001", "", "", "", ""],                   # 5 prefix
        ["620102010001009001", "孤儿小区", "小区", "620102010001009", "", "", "", ""],             # 6 unknown parent
        ["620102010001002", "重复", "网格", "620102010001", "", "", "", ""],                       # 7 duplicate
        ["620102010001003", "", "网格", "620102010001", "", "", "", ""],                           # 8 no name
        ["620102010002002", "别的社区网格", "网格", "620102010002", "", "", "", ""],               # 9 outside
        ["620102010001004", "错类型", "村子", "620102010001", "abc", "", "", ""],                  # 10 kind, area
    ])
    assert response.status_code == 200
    found = problems(imp)
    assert set(found) == {4, 5, 6, 7, 8, 9, 10}
    assert found[4] == [("编码", "网格的编码必须是 15 位数字（当前为“62010201000100”）。")]
    assert found[5] == [("编码", "编码 620102010002003 不是以天庆嘉园社区的编码（620102010001）开头的。")]
    assert found[6] == [("上级编码", "找不到编码为 620102010001009 的地点：系统中没有，本文件前面的行里也没有。")]
    assert found[7] == [("编码", "与第2行的编码重复；同一文件中每个编码只能出现一次。")]
    assert found[8] == [("名称", "此列必填，不能为空。")]
    assert found[9] == [("编码", "超出您的管辖范围：只能导入您所管辖地区的记录。")]
    assert ("类型", "只能填以下之一：城市、区县、街道、社区、网格、小区、楼院、辖区单位、楼栋、单元"
                    "（填的是“村子”）。") in found[10]
    assert ("面积（平方公里）", "请填 0 或更大的数字，如 0.45（填的是“abc”）。") in found[10]
    assert imp.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 7, "total": 9}
    page = response.content.decode()
    assert "尚未写入任何数据" in page and "找不到编码为 620102010001009 的地点" in page
    assert page.index("孤儿小区") < page.index("天庆嘉园第二网格")   # errors first
    assert Place.objects.count() == places and Event.objects.count() == events


def test_it_imports_the_valid_rows_and_reports_the_invalid_ones(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "places", [
        PLACES,
        ["620102010001002", "天庆嘉园第二网格", "网格", "620102010001", "0.1", "4", "300", "900"],
        ["620102010001002001", "天庆嘉园B区", "小区", "620102010001002", "", "", "", ""],
        ["620102010001009001", "孤儿小区", "小区", "620102010001009", "", "", "", ""],
    ])
    response = confirm(client, imp)
    page = response.content.decode()
    assert "导入结果" in page and "孤儿小区" in page and "天庆嘉园B区" not in page   # only the rows not imported
    b = Place.objects.get(code="620102010001002001")
    assert b.parent.code == "620102010001002" and b.pinyin.startswith("tianqingjiayuan")
    assert Place.objects.get(code="620102010001002").households == 300
    assert not Place.objects.filter(code="620102010001009001").exists()
    imp.refresh_from_db()
    assert imp.state == "imported" and imp.counts["create"] == 2 and imp.counts["error"] == 1
    event = Event.objects.filter(verb="roster_import").get()
    assert event.data["roster"] == "places" and event.data["sha256"] == imp.sha256
    assert event.data["counts"]["create"] == 2

    report = client.get(f"/rosters/imports/{imp.pk}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0].values)
    assert rows[0] == (*PLACES, "错误说明")
    assert rows[1][:4] == ("620102010001009001", "孤儿小区", "小区", "620102010001009")
    assert rows[1][-1].startswith("第4行：上级编码：找不到编码为 620102010001009 的地点")
    assert len(rows) == 2

    # The fixed report goes back in as it is, 错误说明 column and all.
    fixed = [list(rows[0]), ["620102010001002002", "孤儿小区", "小区", "620102010001002", None, None, None, None,
                             rows[1][-1]]]
    _response, again = upload(client, "places", fixed)
    assert again.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 0, "total": 1}


def test_it_changes_nothing_when_the_same_members_file_is_imported_twice(client, accounts, tree, unit, grid_branch):
    client.force_login(accounts["community_staff"])
    rows = [MEMBERS,
            ["王建国", "13912345001", "男", "兰州电影制片厂党支部", "天庆嘉园社区", "2021-05-20",
             "天庆嘉园第一网格党支部", "法律咨询"],
            ["李秀英", "13912345002", "女", "兰州电影制片厂党支部", "620102010001", "", "", ""]]
    _response, first = upload(client, "members", rows)
    assert first.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 0, "total": 2}
    confirm(client, first)
    wang = Person.objects.get(phone="13912345001")
    assert wang.name == "王建国" and wang.gender == "M" and wang.pinyin.startswith("wangjianguo")
    report = MemberReport.objects.get(membership__person=wang)
    assert report.community == tree["tqjy"] and report.state == "placed" and report.grid_branch == grid_branch
    assert str(report.reported_on) == "2021-05-20"
    assert MemberReport.objects.get(membership__person__phone="13912345002").state == "reported"
    events = Event.objects.count()

    _response, second = upload(client, "members", rows)
    assert second.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0, "total": 2}
    confirm(client, second)
    assert Event.objects.count() == events
    assert Person.objects.count() == 4 and PartyMembership.objects.count() == 2 and MemberReport.objects.count() == 2


def test_it_shows_member_problems(client, accounts, tree, unit, grid_branch):
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "members", [
        MEMBERS,
        ["张三", "1391234", "", "兰州电影制片厂党支部", "", "", "", ""],               # 2 phone
        ["张四", "13912345004", "", "不存在的支部", "", "", "", ""],                   # 3 branch
        ["张五", "13912345005", "", "兰州电影制片厂党支部", "不存在社区", "", "", ""],  # 4 community
        ["张六", "13912345006", "", "兰州电影制片厂党支部", "五里铺东社区", "", "天庆嘉园第一网格党支部", ""],  # 5 grid
        ["张七", "13912345007", "男", "兰州电影制片厂党支部", "天庆嘉园社区", "2021-13-01", "", ""],  # 6 date
        ["", "13912345007", "", "", "", "", "", ""],                                   # 7 dup + required
    ])
    found = problems(imp)
    assert found[2] == [("手机号", "“1391234”不是电话号码：请填写 11 位手机号（如 13812345678），或带区号的固定电话"
                                 "（如 0931-8123456）。")]
    assert found[3] == [("所在党支部", "没有名为“不存在的支部”的单位党支部。请先导入共建单位名册，或核对名称。")]
    assert found[4] == [("报到社区", "没有名称（或编码）为“不存在社区”的社区。")]
    assert found[5] == [("网格党支部", "请选择五里铺东社区的网格党支部。")]
    assert found[6] == [("报到日期", "请按 2021-06-01 的格式填日期（填的是“2021-13-01”）。")]
    assert ("姓名", "此列必填，不能为空。") in found[7] and ("所在党支部", "此列必填，不能为空。") in found[7]
    assert ("手机号", "与第6行的手机号重复；同一文件中每个手机号只能出现一次。") in found[7]
    assert Person.objects.count() == 2


def test_it_lets_unit_admins_register_their_own_members_but_not_place_them(client, accounts, tree, unit, grid_branch,
                                                                          root):
    property_company = organisation_create(actor=root, kind="property_company", name="东湖物业")
    other = party_organisation_create(actor=root, level="branch", name="东湖物业党支部", organisation=property_company)
    client.force_login(accounts["unit_admin"])
    _response, imp = upload(client, "members", [
        MEMBERS,
        ["赵一", "13912345011", "", "兰州电影制片厂党支部", "天庆嘉园社区", "", "", ""],
        ["赵二", "13912345012", "", other.name, "", "", "", ""],
        ["赵三", "13912345013", "", "兰州电影制片厂党支部", "天庆嘉园社区", "", "天庆嘉园第一网格党支部", ""],
    ])
    found = problems(imp)
    assert set(found) == {3, 4}
    assert found[3] == [("所在党支部", "您只能登记本党组织的党员。")]
    assert found[4] == [("网格党支部", "只有社区工作人员可以将党员编入网格党支部。")]
    confirm(client, imp)
    assert MemberReport.objects.get(membership__person__phone="13912345011").community == tree["tqjy"]


def test_it_refuses_residents_outside_the_users_area(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "residents", [
        RESIDENTS,
        ["陈一", "13912345021", "女", "62010201000100100100102", "301", ""],
        ["陈二", "13912345022", "", "620102010002001001", "101", ""],
        ["陈三", "13912345023", "", "62010201000100100100199", "", ""],
        ["陈四", "13900000002", "", "62010201000100100100102", "101", ""],   # the fixture's resident: an update
    ])
    found = problems(imp)
    assert found == {3: [("住址编码", "超出您的管辖范围：只能导入您所管辖地区的记录。")],
                     4: [("住址编码", "找不到编码为 62010201000100100100199 的地点。")]}
    assert imp.counts["create"] == 1 and imp.counts["update"] == 1
    confirm(client, imp)
    assert Person.objects.get(phone="13912345021").home == tree["entrance"]
    assert Person.objects.get(phone="13900000002").name == "陈四"


def test_it_refuses_a_file_with_wrong_columns(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    response, imp = upload(client, "places", [["编码", "地名", "类型", "类型"], ["620102010001002", "x", "网格", ""]])
    assert imp.state == "failed"
    page = response.content.decode()
    assert "第1行（表头）与“辖区”模板不符" in page
    assert "有不认识的列“地名”" in page and "列“类型”出现了两次" in page and "缺少必填列“名称”" in page


@pytest.mark.parametrize("content", [b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "姓名,手机号\n张三,138".encode(),
                                     b"PK\x03\x04 not really a zip"])
def test_it_refuses_files_that_are_not_xlsx(client, accounts, tree, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(accounts["community_staff"])
    response = client.post("/rosters/places/upload", {"file": SimpleUploadedFile("名册.xlsx", content)}, follow=True)
    assert "这个文件不是 Excel 工作簿（.xlsx）" in response.content.decode()
    assert RosterImport.objects.get().state == "failed"


def test_it_refuses_too_many_rows(client, accounts, tree, settings):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(accounts["community_staff"])
    response, imp = upload(client, "places", [PLACES] + [
        [f"62010201000100{i}", f"网格{i}", "网格", "620102010001"] for i in range(5, 8)])
    assert imp.state == "failed" and not Place.objects.filter(code="620102010001005").exists()
    assert "文件超过 2 行数据" in response.content.decode()


def test_it_cancels_without_writing(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "places", [PLACES, ["620102010001002", "二网格", "网格", "620102010001"]])
    client.post(f"/rosters/imports/{imp.pk}/cancel")
    assert confirm(client, imp).status_code == 200
    imp.refresh_from_db()
    assert imp.state == "cancelled" and not Place.objects.filter(code="620102010001002").exists()


@pytest.mark.parametrize("role", ["grid_worker", "party_member", "resident", "committee_member"])
def test_it_forbids_roles_without_rosters(client, accounts, tree, role):
    client.force_login(accounts[role])
    assert client.get("/rosters/").status_code == 403
    assert client.get("/rosters/members/template.xlsx").status_code == 403
    assert client.get("/rosters/residents/export.xlsx").status_code == 403
    response = client.post("/rosters/places/upload", {"file": xlsx_file([PLACES])})
    assert response.status_code == 403 and "您无权访问此页面" in response.content.decode()


def test_it_gives_each_role_only_its_rosters(client, accounts, tree):
    client.force_login(accounts["unit_admin"])
    page = client.get("/rosters/").content.decode()
    assert "roster-members" in page and "roster-places" not in page
    assert client.post("/rosters/places/upload", {"file": xlsx_file([PLACES])}).status_code == 403
    assert client.get("/rosters/units/export.xlsx").status_code == 403
    client.force_login(accounts["community_staff"])
    assert client.get("/rosters/units/template.xlsx").status_code == 403


def test_it_shows_an_import_only_to_its_uploader(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "places", [PLACES, ["620102010001002", "二网格", "网格", "620102010001"]])
    client.force_login(accounts["subdistrict_admin"])
    assert client.get(f"/rosters/imports/{imp.pk}/").status_code == 404
    assert client.post(f"/rosters/imports/{imp.pk}/confirm").status_code == 404
    assert not Place.objects.filter(code="620102010001002").exists()


def test_it_paginates_the_preview_with_errors_first(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    rows = [PLACES] + [[f"620102010001{i:03d}", f"网格{i}", "网格", "620102010001"] for i in range(2, 80)]
    rows.append(["620102010001999001", "坏小区", "小区", "620102010001998"])
    _response, imp = upload(client, "places", rows)
    first = client.get(f"/rosters/imports/{imp.pk}/").content.decode()
    assert "坏小区" in first and "第 1 页，共 2 页" in first
    second = client.get(f"/rosters/imports/{imp.pk}/?page=2").content.decode()
    assert "网格79" in second and "坏小区" not in second


def test_it_skips_the_template_example_row(client, accounts, tree):
    client.force_login(accounts["subdistrict_admin"])
    template = client.get("/rosters/sites/template.xlsx")
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    rows = [list(r) for r in book.worksheets[0].values]
    assert book.sheetnames[1] == "填写说明"
    _response, imp = upload(client, "sites", rows + [["天庆嘉园便民驿站", "便民驿站", "620102010001001001"]])
    assert imp.counts["total"] == 1 and imp.counts["create"] == 1



def test_it_checks_and_writes_big_files_in_a_background_task(client, accounts, tree, monkeypatch):
    from rosters import tasks

    monkeypatch.setattr(tasks, "INLINE_ROWS", 2)
    client.force_login(accounts["community_staff"])
    rows = [PLACES] + [[f"620102010001{i:03d}", f"网格{i}", "网格", "620102010001"] for i in range(2, 6)]
    response, imp = upload(client, "places", rows)
    assert imp.state == "previewed" and imp.progress == 4 and imp.counts["create"] == 4
    confirm(client, imp)
    imp.refresh_from_db()
    assert imp.state == "imported" and Place.objects.filter(code__startswith="620102010001", kind="grid").count() == 5


def test_it_lets_community_staff_register_members_of_any_unit_who_report_to_their_community(client, accounts, tree,
                                                                                          root):
    outside = organisation_create(actor=root, kind="property_company", name="东湖物业")
    party_organisation_create(actor=root, level="branch", name="东湖物业党支部", organisation=outside)
    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "members", [
        MEMBERS,
        ["钱一", "13912345031", "", "东湖物业党支部", "天庆嘉园社区", "", "", ""],
        ["钱二", "13912345032", "", "东湖物业党支部", "", "", "", ""],
        ["钱三", "13912345033", "", "东湖物业党支部", "五里铺东社区", "", "", ""],
    ])
    assert problems(imp) == {3: [("所在党支部", "您只能登记本党组织的党员。")],
                             4: [("所在党支部", "您只能登记本党组织的党员。"),
                                 ("报到社区", "超出您的管辖范围：只能导入您所管辖地区的记录。")]}


def test_it_asks_for_the_file_again_once_an_unconfirmed_upload_was_swept(client, accounts, tree):
    import os

    from rosters import storage

    client.force_login(accounts["community_staff"])
    _response, imp = upload(client, "places", [PLACES, ["620102010001002", "二网格", "网格", "620102010001"]])
    for path in storage.directory().iterdir():
        os.utime(path, (0, 0))
    storage.sweep()
    assert client.get(f"/rosters/imports/{imp.pk}/").status_code == 200
    page = confirm(client, imp).content.decode()
    assert "请重新上传" in page and not Place.objects.filter(code="620102010001002").exists()
