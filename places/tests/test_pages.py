import pytest
from django.urls import reverse

from places.models import Place
from places.services import place_create

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_it_shows_the_tree_with_figures_down_to_entrances(client, accounts, tree):
    body = login(client, accounts["subdistrict_admin"]).get(reverse("places:tree")).content.decode()
    assert "天庆嘉园社区" in body and "1号楼2单元" in body
    assert "7792" in body and "<details" in body


def test_it_finds_a_community_by_pinyin_initials(client, accounts, tree):
    response = login(client, accounts["resident"]).get(reverse("places:tree"), {"q": "tqjy"})
    results = response.content.decode().split("</section>")[0]
    assert "天庆嘉园社区" in results and "五里铺东社区" not in results


def test_it_opens_a_deep_subtree_on_its_own_page(client, accounts, tree, monkeypatch):
    monkeypatch.setattr("places.selectors.TREE_NODE_LIMIT", 3)
    client = login(client, accounts["subdistrict_admin"])
    body = client.get(reverse("places:tree")).content.decode()
    assert "1号楼2单元" not in body and "?root=" in body
    body = client.get(reverse("places:tree"), {"root": tree["compound"].code}).content.decode()
    assert "1号楼2单元" in body


def test_it_shows_a_community_with_its_committee_and_honours(client, accounts, tree, unit, root, today):
    from people.services import committee_member_add, honour_add, team_create

    honour_add(actor=root, title="全国民主法治示范社区", awarded_on=today, awarded_by="司法部", place=tree["tqjy"])
    committee_member_add(actor=root, community=tree["tqjy"], since=today, organisation=unit["organisation"],
                         represents="驻区单位")
    team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])
    body = login(client, accounts["committee_member"]).get(
        reverse("places:detail", args=[tree["tqjy"].code])).content.decode()
    for text in ("拱星墩街道", "0.45", "2465", "全国民主法治示范社区", "司法部", "2021-06-01", "红色长城护卫队",
                 "兰州电影制片厂", "天庆嘉园第一网格"):
        assert text in body


def test_it_adds_a_child_place_for_the_community_staff(client, accounts, tree):
    response = login(client, accounts["community_staff"]).post(
        reverse("places:place_create", args=[tree["grid1"].code]),
        {"kind": "courtyard", "name": "铁路新村楼院", "code": "620102010001001002"})
    place = Place.objects.get(code="620102010001001002")
    assert response.status_code == 302 and place.parent == tree["grid1"]


def test_it_shows_a_wrong_place_code_in_chinese_next_to_the_field(client, accounts, tree):
    response = login(client, accounts["community_staff"]).post(
        reverse("places:place_create", args=[tree["grid1"].code]),
        {"kind": "compound", "name": "新小区", "code": "620102010002001009"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "id_code_error" in body and "不是以" in body
    assert not Place.objects.filter(name="新小区").exists()


def test_it_refuses_to_add_places_in_another_community(client, accounts, tree):
    response = login(client, accounts["other_community_staff"]).get(
        reverse("places:place_create", args=[tree["grid1"].code]))
    assert response.status_code == 403 and "无权" in response.content.decode()


def test_it_edits_a_place_and_records_coverage(client, accounts, tree, unit):
    client = login(client, accounts["community_staff"])
    client.post(reverse("places:place_update", args=[tree["compound"].code]),
                {"name": "天庆嘉园A区", "code": tree["compound"].code, "households": "800"})
    tree["compound"].refresh_from_db()
    assert tree["compound"].households == 800
    client.post(reverse("people:coverage_create", args=[tree["compound"].code]),
                {"organisation": unit["organisation"].pk, "since": "2021-05-01"})
    body = client.get(reverse("places:detail", args=[tree["compound"].code])).content.decode()
    assert "兰州电影制片厂" in body and "2021-05-01" in body


def test_it_keeps_the_tree_query_count_constant(client, accounts, tree, root, django_assert_max_num_queries):
    client = login(client, accounts["subdistrict_admin"])
    with django_assert_max_num_queries(12):
        client.get(reverse("places:tree"))
    for n in range(20):
        place_create(actor=root, kind="building", name=f"{n + 2}号楼", code=f"620102010001001001{n + 2:03}",
                     parent=tree["compound"])
    with django_assert_max_num_queries(12):
        assert "21号楼" in client.get(reverse("places:tree")).content.decode()
