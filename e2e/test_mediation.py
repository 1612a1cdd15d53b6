"""Mediation on a phone (issue 16, "Done when"), at 360 px: the building head of 天庆嘉园A区1号楼 records a leak
dispute between two households of their building (their building preselected); the pair — the head and the
property company's building manager — assess it, mediate, and record the agreement; the agreement's PDF is
downloaded (read, and drawn to PNG to look at); the head feeds back to the parties and the follow-up closes the case,
settled at building level. The list and the case are looked at on a desk too (1280 px)."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from places.tests.qr import pdf_pages

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def building_pair(root, tree, accounts):
    """1号楼's pair: 王楼长 (a resident, account louzhang) and 东湖物业's 李楼长 (account wuye), set by the staff."""
    from django.contrib.auth.models import User

    from mediation.services import building_pair_set
    from people.services import organisation_create, person_account_link, person_create

    company = organisation_create(actor=root, kind="property_company", name="天庆物业", place=tree["compound"])
    people = {}
    for username, name, phone, home in (("louzhang", "王楼长", "13900001111", tree["entrance"]),
                                        ("wuye", "李楼长", "13900002222", tree["building"])):
        user = User.objects.create_user(username, password="pass-12345")
        people[username] = person_create(actor=root, name=name, phone=phone, home=home, is_resident=True)
        person_account_link(actor=root, person=people[username], user=user)
    return building_pair_set(actor=accounts["community_staff"], building=tree["building"], head=people["louzhang"],
                             manager=people["wuye"], property_company=company, since=datetime.date(2021, 1, 1))


def act(page, action: str, fields: dict):
    """Open the action's form on the case page, fill it in and send it."""
    form = page.locator(f"form[action$='/act/{action}/']")
    details = page.locator(f"#act-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in fields.items():
        target = form.locator(f"[name='{action}-{name}']")
        if value is True:
            target.first.check()
        else:
            target.fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages .success")).to_be_visible()


def test_a_building_head_records_a_leak_the_pair_settles_it_and_the_follow_up_closes_it(
        page, live_server, login, screenshot, tree, accounts, building_pair):
    from mediation.models import Dispute

    base = live_server.url
    page.set_viewport_size(PHONE)

    # The building head, in the stairwell: the menu's 调解, then 登记纠纷 with their building filled in.
    login("louzhang")
    page.locator(".navmenu > summary").click()
    page.locator("nav.mainnav").get_by_role("link", name="调解", exact=True).click()
    expect(page.get_by_role("heading", name="调解案件")).to_be_visible()
    page.get_by_role("link", name="登记纠纷").click()
    expect(page.locator("input[name=place]:checked")).to_have_value(tree["building"].code)
    page.select_option("#id_kind", "leak")
    page.fill("#id_title", "楼上漏水")
    page.fill("#id_description", "2单元602卫生间漏水，渗到502的天花板")
    page.fill("#id_p1-name", "张三")
    page.fill("#id_p1-phone", "13598765432")
    page.fill("#id_p1-address", "2单元502")
    page.fill("#id_p2-name", "赵四")
    page.fill("#id_p2-address", "2单元602")
    assert fits_the_screen(page)
    screenshot("mediation-receive")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".messages .success")).to_contain_text("纠纷已登记")
    dispute = Dispute.objects.get()
    assert dispute.level == "building" and dispute.parties.count() == 2
    expect(page.locator(".parties")).to_contain_text("张三 · 2单元502")
    expect(page.locator(".parties")).to_contain_text("135****5432")
    act(page, "assess", {"note": "楼上卫生间防水层老化，需维修"})
    assert fits_the_screen(page)
    screenshot("mediation-assessed")

    # The property company's building manager brings the two households together.
    page.context.clear_cookies()
    login("wuye")
    page.goto(f"{base}/mediation/{dispute.pk}/")
    act(page, "mediate", {"note": "约双方到物业办公室面谈"})
    act(page, "record", {"note": "楼上同意维修防水，并赔偿楼下粉刷费用"})
    today = datetime.date.today()
    act(page, "agree", {"facts": "2单元602卫生间漏水，渗到502天花板，双方就维修和赔偿有争议",
                        "terms": "一、602负责维修卫生间防水；二、602赔偿502粉刷费用500元",
                        "performance": "两周内修好防水，当面付清粉刷费用",
                        "perform_by": (today + datetime.timedelta(days=14)).isoformat(),
                        "signed_on": today.isoformat()})
    expect(page.locator("#agreement")).to_contain_text("天庆调〔")
    assert fits_the_screen(page)
    screenshot("mediation-agreed")

    # The agreement is printed for the parties to sign.
    with page.expect_download() as download:
        page.get_by_role("link", name="打印调解协议书（PDF）").click()
    content = Path(download.value.path()).read_bytes()
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mediation-agreement.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(folder / "mediation-agreement.pdf"),
                    str(folder / "mediation-agreement")], check=True)  # looked at: var/screenshots
    text = "".join(pdf_pages(content)[0].extract_text().split())
    number = dispute.__class__.objects.get().agreement.number
    assert "人民调解协议书" in text and number in text and "张三" in text and "赵四" in text and "500元" in text

    # The head tells the parties; at the follow-up the terms were performed: closed, settled in the building.
    page.context.clear_cookies()
    login("louzhang")
    page.goto(f"{base}/mediation/{dispute.pk}/")
    act(page, "feed_back", {"note": "已把协议内容告知双方"})
    act(page, "follow_up", {"performed": True, "note": "防水已修好，费用已付清，楼下满意"})
    dispute.refresh_from_db()
    assert dispute.state == "closed" and dispute.settled_level == "building" and dispute.performed is True
    expect(page.locator(".badge.state-closed")).to_be_visible()
    expect(page.locator(".outcome")).to_contain_text("楼栋")
    assert fits_the_screen(page)
    screenshot("mediation-closed")
    page.goto(f"{base}/mediation/")
    expect(page.locator(".med-card")).to_contain_text("张* · 2单元***")
    screenshot("mediation-list")

    # On a desk: the list, the case, the building's page with its pair.
    page.set_viewport_size(DESKTOP)
    screenshot("mediation-list")
    page.goto(f"{base}/mediation/{dispute.pk}/")
    screenshot("mediation-closed")
    page.context.clear_cookies()
    login("tqjy_staff")
    page.goto(f"{base}/places/{tree['building'].code}/")
    expect(page.locator("#building-pair")).to_contain_text("王*")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 110
    screenshot("mediation-building")
    page.locator("#building-pair").get_by_role("link", name="更换楼院长/物业楼长").click()
    expect(page.locator("input[name=pair-head]:checked")).to_have_count(1)
    screenshot("mediation-pair")
    page.goto(f"{base}/mediation/new/")
    screenshot("mediation-receive")

    # A 邻里纠纷 need reported by a resident: the staff turn it into a case from the need's page, on a phone.
    from needs.models import Category
    from needs.services import need_submit

    need = need_submit(actor=accounts["resident"], title="楼上狗叫扰民", place=tree["entrance"],
                       category=Category.objects.get_or_create(name="邻里纠纷")[0], description="每天夜里狗叫")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/needs/{need.pk}/")
    page.get_by_role("link", name="转人民调解").click()
    page.select_option("#id_kind", "pet")
    assert fits_the_screen(page)
    screenshot("mediation-from-need")
    page.get_by_role("button", name="转人民调解").click()
    expect(page.locator(".messages .success")).to_contain_text("诉求已转为调解案件")
    assert Dispute.objects.get(need=need).title == "楼上狗叫扰民"
    page.goto(f"{base}/needs/{need.pk}/")
    expect(page.get_by_role("link", name="已转人民调解")).to_be_visible()
