"""One rule for what the public reads of a need (needs.public over people.public): the same place and title on its
page, its card, the API and the ledger; published text masked for those outside the area; the text as typed
for staff of the area and the reporter; the whole place for those who work on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs.services import need_act, need_submit
from needs.tests.test_api import call  # noqa: F401 (a fixture)
from people.services import membership_create, person_create

PUBLIC_PLACE = "天庆嘉园社区 › 天庆嘉园第一网格"
FULL_PLACE = "天庆嘉园社区 › 天庆嘉园A区 › 1号楼"  # as the pickers show it
NOTE = "李秀英家门口堆物已清理，电话回访高先生，手机13812345678"
PUBLIC_NOTE = "某某家门口堆物已清理，电话回访某先生，手机138****5678"


@pytest.fixture
def worked(claimed, accounts, root, tree):
    """A claimed need with a staff note naming a neighbour on record (李秀英 lives in its building), a form of
    address and a phone number; its description names the reporter's phone."""
    person_create(actor=root, name="李秀英", phone="13912340000", home=tree["entrance"], room="302",
                  is_resident=True)
    claimed.description = "老人上下楼困难，联系13900000008"
    claimed.save(update_fields=["description"])
    return need_act(actor=accounts["community_staff"], need=claimed, action="progress", note=NOTE)


def _page(client, need, user=None):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(reverse("needs:detail", args=[need.pk])).content.decode()


def test_the_public_reads_the_place_down_to_the_grid_and_the_text_masked(client, worked):
    page = _page(client, worked)
    assert PUBLIC_PLACE in page and "1号楼" not in page and "天庆嘉园A区" not in page
    assert "某楼某单元加装电梯" in page and "4号楼3单元" not in page
    assert PUBLIC_NOTE in page and "李秀英" not in page and "高先生" not in page and "13812345678" not in page
    assert "139****0008" in page and "13900000008" not in page


@pytest.mark.parametrize("role", ["community_staff", "grid_worker", "resident"])  # the resident reported it
def test_staff_of_the_area_and_the_reporter_read_it_as_typed(client, worked, accounts, role):
    page = _page(client, worked, accounts[role])
    assert FULL_PLACE in page and NOTE in page and "4号楼3单元加装电梯" in page


def test_the_unit_holding_it_sees_where_to_go_but_not_the_people(client, worked, accounts):
    page = _page(client, worked, accounts["unit_admin"])
    assert FULL_PLACE in page and PUBLIC_NOTE in page and "李秀英" not in page


def test_staff_of_another_community_read_it_as_the_public(client, worked, accounts):
    page = _page(client, worked, accounts["other_community_staff"])
    assert PUBLIC_PLACE in page and FULL_PLACE not in page and PUBLIC_NOTE in page


def test_the_card_shows_what_the_page_shows(client, worked, accounts):
    board = client.get(reverse("needs:board"), {"tab": "working"}).content.decode()
    assert f'<span class="where">{PUBLIC_PLACE}</span>' in board and "某楼某单元加装电梯" in board
    assert "1号楼" not in board and "4号楼3单元" not in board
    client.force_login(accounts["community_staff"])
    board = client.get(reverse("needs:board"), {"tab": "working"}).content.decode()
    assert f'<span class="where">{FULL_PLACE}</span>' in board and "4号楼3单元加装电梯" in board


def test_the_api_answers_as_the_page_does(call, worked, accounts, tree):  # noqa: F811
    outsider = call(accounts["party_member"], "get", f"/{worked.pk}").json()
    assert (outsider["place"], outsider["place_name"]) == (tree["grid1"].code, "天庆嘉园第一网格")
    assert outsider["place_path"] == PUBLIC_PLACE and outsider["title"] == "某楼某单元加装电梯"
    assert PUBLIC_NOTE in [e["note"] for e in outsider["events"]]
    assert "13900000008" not in outsider["description"]
    listed = call(accounts["party_member"], "get", "").json()["items"]
    assert [(n["place"], n["title"]) for n in listed] == [(tree["grid1"].code, "某楼某单元加装电梯")]
    staff = call(accounts["community_staff"], "get", f"/{worked.pk}").json()
    assert staff["place"] == tree["building"].code and staff["place_path"] == FULL_PLACE
    assert NOTE in [e["note"] for e in staff["events"]]


def test_a_name_in_a_title_is_masked_alike_on_card_page_and_ledger(client, accounts, tree, category):
    need = need_submit(actor=accounts["resident"], title="resident用户家楼道灯不亮", place=tree["building"])
    need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                    concern_level="annoyance")
    need_act(actor=accounts["community_staff"], need=need, action="publish")
    client.logout()
    assert "某某家楼道灯不亮" in client.get(reverse("needs:board")).content.decode()
    assert "某某家楼道灯不亮" in _page(client, need)


def test_a_neighbour_named_in_a_title_staff_typed_is_masked_on_card_page_and_ledger(client, accounts, root, tree,
                                                                                     category):
    """Staff record a call without choosing its reporter: the caller, on record in the need's place, is named."""
    person_create(actor=root, name="李秀英", phone="13912340000", home=tree["entrance"], room="302",
                  is_resident=True)
    staff, unit = accounts["community_staff"], accounts["unit_admin"]
    need = need_submit(actor=staff, title="李秀英来电：楼道灯不亮", place=tree["grid1"], channel="walk_in")
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need = need_act(actor=unit, need=need_act(actor=staff, need=need, action="publish"), action="claim")
    need_act(actor=unit, need=need, action="resolve", note="已修好", evidence="居民签字确认")
    client.logout()
    for page in (client.get(reverse("needs:board"), {"tab": "done"}).content.decode(), _page(client, need),
                 client.get(reverse("ledger:public", args=[tree["tqjy"].code])).content.decode()):
        assert "某某来电：楼道灯不亮" in page and "李秀英" not in page


def test_a_member_of_the_unit_holding_it_named_in_a_note_is_masked(client, claimed, accounts, root, unit):
    member = person_create(actor=root, name="赵晶晶", phone="13912340001")
    membership_create(actor=root, person=member, party_organisation=unit["branch"])
    need_act(actor=accounts["unit_admin"], need=claimed, action="progress", note="我单位党员赵晶晶已上门")
    page = _page(client, claimed)
    assert "我单位党员某某已上门" in page and "赵晶晶" not in page


def _board_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("needs:board")).status_code == 200
    return len(queries)


def test_the_cards_cost_the_same_queries_for_two_needs_or_twenty(client, accounts, tree, category):
    def publish(n):
        for i in range(n):
            need = need_submit(actor=accounts["resident"], title=f"楼道灯不亮{i}", place=tree["entrance"])
            need = need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
                            concern_level="annoyance")
            need_act(actor=accounts["community_staff"], need=need, action="publish")

    publish(2)
    few = _board_queries(client)
    publish(18)
    assert _board_queries(client) == few


def test_staff_are_warned_as_they_type_a_name_or_a_phone(client, worked, accounts):
    client.force_login(accounts["community_staff"])
    page = _page(client, worked, accounts["community_staff"])
    check = reverse("needs:text_check", args=[worked.pk])
    assert f'hx-post="{check}"' in page  # under the forms that take a note
    warned = client.post(check, {"progress-note": "李秀英说谢谢", "progress-photos": ""}).content.decode()
    assert "含有姓名或电话" in warned and "某某说谢谢" in warned
    assert "含有姓名或电话" in client.post(check, {"resolve-evidence": "王阿姨签字 13812345678"}).content.decode()
    quiet = client.post(check, {"progress-note": "更换4号楼楼道灯6盏", "progress-title": "高先生"})
    assert quiet.status_code == 200 and quiet.content.decode().strip() == ""  # no person; other fields unread


def test_the_check_answers_only_those_who_may_see_the_need(client, submitted, accounts):
    check = reverse("needs:text_check", args=[submitted.pk])
    client.force_login(accounts["unit_admin"])  # a submitted need is not public yet
    assert client.post(check, {"reject-note": "高先生"}).status_code == 404
    client.logout()
    assert client.post(check, {"reject-note": "高先生"}).status_code == 302  # to the login page


def test_the_duplicate_hint_under_the_public_form_shows_needs_as_the_board_does(client, published, tree):
    hint = client.get(reverse("needs:duplicates"), {"title": "加装电梯", "place": tree["building"].code})
    page = hint.content.decode()
    assert "某楼某单元加装电梯" in page and PUBLIC_PLACE in page
    assert "4号楼3单元" not in page and "1号楼" not in page
