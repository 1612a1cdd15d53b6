"""Community staff with 500+ open needs, in a real browser at 1280 and 360 px: the home page's counts, finding a
need by the header's search, and rejecting 20 spam needs at once from the worklist.
Screenshots: var/screenshots/worklist-*.png."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from needs.models import Need, State
from needs.services import need_submit

pytestmark = pytest.mark.django_db(transaction=True)
OPEN_NEEDS = 520


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def crowded(accounts, tree):
    """520 needs waiting to be accepted (rows only: the worklist reads nothing else), one street lamp to find,
    and 20 spam needs sent through the public form's service."""
    now = timezone.now()
    Need.objects.bulk_create([Need(title=f"{i % 30 + 1}号楼楼道堆物", place=tree["building"], submitted_at=now,
                                   description="居民反映楼道堆放杂物") for i in range(OPEN_NEEDS)])
    lamp = need_submit(actor=accounts["resident"], title="10号楼1单元楼道灯不亮", place=tree["entrance"])
    spam = [need_submit(actor=accounts["resident"], title=f"低价代开发票 加微信{i}", place=tree["building"])
            for i in range(20)]
    return {"lamp": lamp, "spam": spam}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_community_staff_find_a_need_and_reject_twenty_spam_needs(page, live_server, login, screenshot, crowded,
                                                                   viewport):
    page.set_viewport_size(viewport)
    login("tqjy_staff")
    work = page.locator("section.workload")
    expect(work.locator("a.figure", has_text="待受理").locator(".n")).to_have_text(str(OPEN_NEEDS + 21))
    assert fits_the_screen(page)
    screenshot("worklist-home")
    # The header: on a phone two short lines (brand, notifications, menu; the search box), the links in the menu.
    header = page.locator("header.topbar").bounding_box()
    nav = page.locator("nav.mainnav")
    if viewport is PHONE:
        assert header["height"] < 100 and not nav.is_visible()
        page.locator(".navmenu > summary").click()
        expect(nav.get_by_role("link", name="辖区")).to_be_visible()
        screenshot("worklist-menu")
        page.locator(".navmenu > summary").click()
    else:
        assert header["height"] < 110 and nav.is_visible()

    # The header's search finds the lamp by its number.
    lamp = crowded["lamp"]
    page.locator(".topsearch input[type=search]").fill(str(lamp.pk))
    page.locator(".topsearch input[type=search]").press("Enter")
    expect(page.locator("#found-needs")).to_be_visible()
    page.get_by_role("link", name=f"#{lamp.pk} 10号楼1单元楼道灯不亮").click()
    expect(page.get_by_role("heading", name="10号楼1单元楼道灯不亮")).to_be_visible()

    # The worklist: 541 waiting, in numbered pages; the spam found by its words, ticked at once, rejected.
    if viewport is PHONE:
        page.locator(".navmenu > summary").click()
    page.locator("nav.mainnav").get_by_role("link", name="待办").click()
    page.locator("nav.queues").get_by_role("link", name=re.compile("待受理")).click()
    expect(page.locator("#worklist-total")).to_contain_text(str(OPEN_NEEDS + 21))
    expect(page.locator("nav.pager")).to_contain_text("共 28 页")
    search = page.locator(".worklist-search input[name=q]")
    search.fill("代开发票")
    search.press("Enter")
    expect(page.locator("#worklist-total")).to_contain_text("共 20 条")
    page.get_by_label("勾选本页全部").check()
    expect(page.locator("input[name=need]:checked")).to_have_count(20)
    page.locator("select[name=action]").select_option("reject")
    page.locator("input[name=note]").fill("广告信息，不属于民生需求")
    assert fits_the_screen(page)
    screenshot("worklist-spam-ticked")
    page.get_by_role("button", name="对勾选的需求执行").click()
    expect(page.locator(".bulk-summary")).to_contain_text("已完成 20 条")
    expect(page.locator(".bulk-results li.ok")).to_have_count(20)
    assert fits_the_screen(page)
    screenshot("worklist-spam-rejected")
    assert Need.objects.filter(pk__in=[n.pk for n in crowded["spam"]], state=State.REJECTED).count() == 20

    page.get_by_role("link", name="返回待办").click()
    expect(page.locator("#worklist-total")).to_contain_text("共 0 条")
    page.goto(f"{live_server.url}/needs/triage/?queue=accept&page=14")
    expect(page.locator(".pager .current")).to_have_text("14")
    assert fits_the_screen(page)
    screenshot("worklist-page-14")
