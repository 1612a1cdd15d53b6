"""Community staff at volume (issue 10, item 3), in a real browser at 1280 and 360 px: record a need choosing its
place by pinyin initials, merge it into the earlier need it duplicates in one click, and dispatch a published need
to a suggested unit in one click. Screenshots: var/screenshots/pickers-*-<width>.png."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from needs.models import Need, State
from needs.services import need_submit
from needs.tests import conftest as needs_fixtures

category, submitted, published = needs_fixtures.category, needs_fixtures.submitted, needs_fixtures.published
pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_it_lets_community_staff_pick_a_place_merge_and_dispatch_in_one_click(
        page, live_server, login, screenshot, accounts, tree, unit, published, viewport):
    page.set_viewport_size(viewport)
    earlier = need_submit(actor=accounts["resident"], title="1号楼2单元楼道灯不亮", place=tree["entrance"])
    login("tqjy_staff")

    page.goto(f"{live_server.url}/needs/submit/")
    page.get_by_label("遇到了什么问题？").fill("1号楼2单元楼道灯又不亮了")
    page.locator("#id_place_q").fill("1hl2dy")  # 1号楼2单元 by its initials
    choice = page.locator(".picker-choice", has_text="1号楼2单元")
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text("天庆嘉园A区 › 1号楼2单元")  # the path, from inside the staff member's community
    choice.click()
    assert fits_the_screen(page)
    screenshot("pickers-place")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="1号楼2单元楼道灯又不亮了")).to_be_visible()
    recorded = Need.objects.get(title="1号楼2单元楼道灯又不亮了")
    assert recorded.place == tree["entrance"]

    merge = page.get_by_role("button", name=f"合并到 #{earlier.pk}")
    expect(merge).to_be_visible()
    assert fits_the_screen(page)
    screenshot("pickers-duplicates")
    merge.click()
    expect(page.locator(".messages")).to_contain_text("合并")
    assert Need.objects.get(pk=recorded.pk).merged_into == earlier

    page.goto(f"{live_server.url}/needs/{published.pk}/")
    dispatch = page.get_by_role("button", name="派单给 兰州电影制片厂")
    expect(dispatch).to_be_visible()
    assert fits_the_screen(page)
    screenshot("pickers-suggestions")
    dispatch.click()
    expect(page.locator(".messages")).to_contain_text("派单")
    need = Need.objects.get(pk=published.pk)
    assert need.state == State.CLAIMED and need.lead_organisation == unit["organisation"]
    screenshot("pickers-dispatched")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_it_filters_the_claim_board_by_a_click_on_the_map_and_maps_the_dashboard(
        page, live_server, login, screenshot, accounts, tree, published, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/needs/")
    page.locator(".board-map summary").click()
    canvas = page.locator(".grid-map-canvas[data-drawn]")
    expect(canvas).to_be_visible()  # ECharts loaded on demand, nothing from outside
    assert fits_the_screen(page)
    screenshot("map-board")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the one grid with a boundary
    page.wait_for_url(f"**/needs/?*grid={tree['grid1'].code}*")
    expect(page.locator("#id_grid")).to_have_value(tree["grid1"].code)
    expect(page.locator(f"a[href='/needs/{published.pk}/']")).to_be_visible()

    login("tqjy_staff")
    page.goto(f"{live_server.url}/ledger/dashboard/")
    expect(page.locator(".ledger-map .grid-map-canvas[data-drawn]")).to_be_visible()
    page.get_by_role("button", name="当前超期").click()
    expect(page.get_by_role("button", name="当前超期")).to_have_attribute("aria-pressed", "true")
    assert fits_the_screen(page)
    screenshot("map-dashboard")
