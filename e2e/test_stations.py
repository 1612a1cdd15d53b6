"""A station's desk on a phone (issue 13, "Done when"): the operator of 兰州电影制片厂's station lends an umbrella to
a passer-by and takes it back, and gives out plasters (创可贴) until the low-stock alert shows — all at 360 px; the
station's public page shows what is available, and no borrower."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def station(root, tree, unit, accounts):
    """兰州电影制片厂便民驿站, run by the unit (accounts["unit_admin"], dy_admin): 6 plasters with a threshold of 3,
    2 umbrellas."""
    from sites.services import item_create, site_create

    site = site_create(actor=root, kind="station", name="兰州电影制片厂便民驿站", place=tree["compound"],
                       operator=unit["organisation"], opening_hours="周一至周五 9:00–17:00")
    plasters = item_create(actor=root, site=site, kind="consumable", name="创可贴", unit="片", stock=6, low_stock=3)
    umbrellas = item_create(actor=root, site=site, kind="lendable", name="雨伞", unit="把", units=2, loan_days=3)
    return {"site": site, "plasters": plasters, "umbrellas": umbrellas}


def test_an_operator_lends_an_umbrella_takes_it_back_and_gives_out_plasters_until_low(
        page, live_server, login, screenshot, station):
    from sites.models import Item, Loan

    site = station["site"]
    page.set_viewport_size(PHONE)
    login("dy_admin")
    page.goto(f"{live_server.url}/sites/{site.pk}/")
    expect(page.get_by_role("heading", name="现在可借可领")).to_be_visible()
    page.get_by_role("link", name="打开驿站工作台").click()
    expect(page.get_by_role("heading", name="兰州电影制片厂便民驿站 工作台")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("station-desk")

    # Lend an umbrella to a passer-by.
    page.get_by_role("link", name="借出雨伞").click()
    page.get_by_label("或：借用人姓名").fill("李建国")
    page.get_by_label("和电话").fill("13800001111")
    assert fits_the_screen(page)
    screenshot("station-lend")
    page.get_by_role("button", name="借出").click()
    expect(page.get_by_text("雨伞已借出")).to_be_visible()
    expect(page.get_by_text("共2把，可借1把")).to_be_visible()
    loans = page.locator("#loans")
    expect(loans.locator("li").filter(has_text="李建国 13800001111")).to_have_count(1)
    loan = Loan.objects.get()
    assert loan.is_out and loan.borrower_name == "李建国"

    # The public page: one umbrella free, no borrower.
    visitor = page.context.browser.new_page(viewport=PHONE, locale="zh-CN")
    visitor.goto(f"{live_server.url}/sites/{site.pk}/")
    expect(visitor.get_by_text("可借1把")).to_be_visible()
    assert "李建国" not in visitor.content() and "1111" not in visitor.content()
    visitor.close()

    # Take it back.
    loans.get_by_role("button", name="已归还").click()
    expect(page.get_by_text("雨伞已归还")).to_be_visible()
    expect(page.get_by_text("目前没有借出的物品")).to_be_visible()
    assert not Loan.objects.get().is_out

    # Give out plasters one by one: 6 → 3 reaches the threshold and the alert shows.
    give = page.locator(".itemgrid li", has_text="创可贴").get_by_role("button", name="发放1片")
    for left in (5, 4):
        give.click()
        expect(page.get_by_text(f"创可贴：现有库存{left}片")).to_be_visible()
        expect(page.get_by_role("heading", name="需要处理")).to_have_count(0)
    give.click()
    expect(page.get_by_text("库存不足：创可贴仅剩3片，请及时补充。")).to_be_visible()
    expect(page.get_by_role("heading", name="需要处理")).to_be_visible()
    expect(page.locator(".low-stock")).to_contain_text("创可贴 仅剩3片")
    assert Item.objects.get(pk=station["plasters"].pk).stock == 3
    assert fits_the_screen(page)
    screenshot("station-desk-low")


def test_community_staff_lend_to_a_resident_found_with_the_picker(page, live_server, login, station, root, tree):
    from people.services import person_create
    from sites.models import Loan

    person = person_create(actor=root, name="王秀英", phone="13912345678", home=tree["entrance"], room="302",
                           is_resident=True)
    page.set_viewport_size(PHONE)
    login("tqjy_staff")
    page.goto(f"{live_server.url}/sites/{station['site'].pk}/desk/")
    page.get_by_role("link", name="借出雨伞").click()
    page.locator("#id_person_q").fill("wxy")  # 王秀英 by her initials
    choice = page.locator(".picker-choice")
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text("王**")
    expect(choice).to_contain_text("139****5678")
    assert "王秀英" not in page.content()  # masked in the picker too
    choice.click()
    assert fits_the_screen(page)
    page.get_by_role("button", name="借出").click()
    expect(page.get_by_text("雨伞已借出")).to_be_visible()
    expect(page.locator("#loans li").filter(has_text="王**")).to_have_count(1)
    assert Loan.objects.get().person == person


def test_giving_out_more_than_in_stock_says_how_many_are_left(page, live_server, login, station):
    page.set_viewport_size(PHONE)
    login("dy_admin")
    page.goto(f"{live_server.url}/sites/{station['site'].pk}/desk/stock/?item={station['plasters'].pk}")
    page.get_by_label("数量").fill("9")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("库存仅剩6片")).to_be_visible()
    assert fits_the_screen(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_screenshots_of_the_station_and_its_desk(page, live_server, login, screenshot, station, viewport):
    from sites.services import loan_create, stock_give_out

    operator = station["site"].operator.role_assignments.first().user
    loan_create(actor=operator, item=station["umbrellas"], borrower_name="王大妈", borrower_phone="13900002222")
    stock_give_out(actor=operator, item=station["plasters"], quantity=3)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/sites/{station['site'].pk}/")
    screenshot("station-page")
    login("dy_admin")
    page.goto(f"{live_server.url}/sites/{station['site'].pk}/desk/")
    screenshot("station-desk-full")
    assert fits_the_screen(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_desk_and_its_forms_have_no_serious_accessibility_violation(browser, live_server, station, viewport):
    from e2e.test_accessibility import BLOCKING, axe_violations, log_in
    from sites.services import loan_create

    site = station["site"]
    loan = loan_create(actor=site.operator.role_assignments.first().user, item=station["umbrellas"],
                       borrower_name="王大妈", borrower_phone="13900002222")
    context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)  # axe's script is inlined
    page = context.new_page()
    log_in(page, live_server.url, "dy_admin")
    blocking = {}
    for path in (f"/sites/{site.pk}/desk/", f"/sites/{site.pk}/desk/lend/?item={station['umbrellas'].pk}",
                 f"/sites/{site.pk}/desk/stock/?item={station['plasters'].pk}", f"/sites/loans/{loan.pk}/lost/",
                 f"/sites/{site.pk}/desk/items/add/", f"/sites/{site.pk}/desk/history/?show=loans",
                 f"/sites/{site.pk}/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found = [v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING]
        if found:
            blocking[path] = found
    context.close()
    assert blocking == {}
