"""One rule for what the public sees, on a 360 px phone: a need's public page, its card on the claim board and the
public ledger show the same place (community › grid) and title, and no name or phone — while the notes named
the reporter, a neighbour and a phone; staff are warned as they type a name. Screenshots go to
var/screenshots/public-*.png."""

import pytest

from e2e.conftest import PHONE
from needs.models import Category
from needs.services import need_act, need_submit
from people.services import person_create

pytestmark = pytest.mark.django_db(transaction=True)
PLACE = "天庆嘉园社区 › 天庆嘉园第一网格"
TITLE = "某楼某单元楼道灯不亮"
HIDDEN = ("resident用户", "李秀英", "高先生", "13812345678", "1号楼", "天庆嘉园A区", "4号楼3单元")


@pytest.fixture
def deed(accounts, tree, root):
    """A need at an entrance, walked to closed: its notes name a neighbour, a form of address and a phone."""
    person_create(actor=root, name="李秀英", phone="13912340000", home=tree["entrance"], room="302",
                  is_resident=True)
    category = Category.objects.get_or_create(name="设施维修")[0]
    staff, unit = accounts["community_staff"], accounts["unit_admin"]
    need = need_submit(actor=accounts["resident"], title="4号楼3单元楼道灯不亮", place=tree["entrance"],
                       description="晚上漆黑，联系13812345678")
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need = need_act(actor=staff, need=need, action="publish")
    need = need_act(actor=unit, need=need, action="claim")
    need = need_act(actor=unit, need=need, action="progress", note="李秀英帮忙开了楼道门")
    need = need_act(actor=unit, need=need, action="resolve", note="更换声控灯，电话回访高先生", evidence="居民签字")
    return need_act(actor=accounts["resident"], need=need, action="rate", rating="satisfied",
                    comment="谢谢李秀英和王师傅")


def _no_personal_data(text):
    assert [word for word in HIDDEN if word in text] == []


def test_the_page_the_card_and_the_ledger_show_the_same(page, live_server, deed, tree, screenshot):
    page.set_viewport_size(PHONE)
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/needs/?tab=done")
    card = page.locator(".need-card", has_text=TITLE)
    assert card.locator(".where").inner_text() == PLACE
    _no_personal_data(page.locator("main").inner_text())
    screenshot("public-card")

    card.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE and page.locator("dd.where").inner_text() == PLACE
    body = page.locator("main").inner_text()
    assert "某某帮忙开了楼道门" in body and "电话回访某先生" in body and "谢谢某某和某师傅" in body
    _no_personal_data(body)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("public-need")

    page.goto(f"{live_server.url}/ledger/{tree['tqjy'].code}/")
    row = page.locator("table[data-table=deeds] tr", has_text=TITLE)
    cells = row.locator("td").all_inner_texts()
    assert "天庆嘉园社区" in cells and "天庆嘉园第一网格" in cells
    _no_personal_data(page.locator("main").inner_text())
    # A card per deed: the title takes the card's width, not one or two characters a line.
    title = row.locator("th").bounding_box()
    assert title["width"] > PHONE["width"] * 0.6 and title["height"] < 40
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row.scroll_into_view_if_needed()
    screenshot("public-ledger")


def test_staff_are_warned_as_they_type_a_name(page, live_server, login, accounts, tree, screenshot):
    category = Category.objects.get_or_create(name="设施维修")[0]
    staff = accounts["community_staff"]
    need = need_submit(actor=accounts["resident"], title="楼道堆物", place=tree["entrance"])
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
    need = need_act(actor=accounts["unit_admin"], need=need_act(actor=staff, need=need, action="publish"),
                    action="claim")
    page.set_viewport_size(PHONE)
    login("tqjy_staff")
    page.goto(f"{live_server.url}/needs/{need.pk}/")
    page.locator("summary", has_text="进展").first.click()
    page.locator("details[open] textarea").first.fill("已电话回访高先生，13812345678")
    warning = page.locator("details[open] .text-check-warning")
    warning.wait_for()
    assert "含有姓名或电话" in warning.inner_text() and "回访某先生，138****5678" in warning.inner_text()
    screenshot("public-staff-warning")
