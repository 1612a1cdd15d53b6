"""What people do first: log in, see their home, find a place by pinyin initials, stay inside their scope."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def community_office(root, tree):
    from people.services import organisation_create

    return organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会",
                               place=tree["tqjy"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_it_lets_community_staff_find_tianqing_jiayuan_by_initials(
        page, live_server, login, screenshot, accounts, community_office, viewport):
    page.set_viewport_size(viewport)
    login("tqjy_staff")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".role-label").first).to_have_text("社区工作者")
    expect(page.get_by_role("heading", name="天庆嘉园社区")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("home-community-staff")

    if viewport is PHONE:
        page.locator(".navmenu > summary").click()  # the header's menu on a phone
    page.locator("nav.mainnav").get_by_role("link", name="辖区").click()
    page.get_by_role("searchbox", name="搜索地点").fill("tqjy")
    page.get_by_role("searchbox", name="搜索地点").press("Enter")
    results = page.locator("section.card").first
    expect(results.get_by_role("heading")).to_contain_text("tqjy")
    expect(results.get_by_role("link", name="天庆嘉园社区")).to_be_visible()
    screenshot("places-search-tqjy")

    page.goto(f"{live_server.url}/people/organisations/?q=tqjy")
    expect(page.get_by_role("link", name="天庆嘉园社区居民委员会")).to_be_visible()
    expect(page.get_by_role("link", name="兰州电影制片厂")).to_have_count(0)
    assert fits_the_screen(page)
    screenshot("organisations-search-tqjy")


def test_it_shows_a_resident_their_home_on_a_phone(page, login, screenshot, accounts):
    page.set_viewport_size(PHONE)
    login("resident1")
    expect(page.get_by_role("heading", name="resident用户")).to_be_visible()
    expect(page.get_by_role("link", name="1号楼2单元")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("home-resident")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_it_shows_staff_of_another_community_a_person_as_missing_in_chinese(
        page, live_server, login, screenshot, accounts, viewport):
    # A person outside one's scope answers as a missing one (404): a 403 would tell that they are on record.
    page.set_viewport_size(viewport)
    login("wlpd_staff")
    resident = accounts["resident"].person
    response = page.goto(f"{live_server.url}/people/{resident.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面没有找到")).to_be_visible()
    assert "resident用户" not in page.content()
    assert fits_the_screen(page)
    screenshot("forbidden-other-community")


def test_it_switches_to_english(page, live_server, login, screenshot, accounts):
    login("tqjy_staff")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".role-label").first).to_have_text("Community staff")
    expect(page.locator("nav.mainnav").get_by_role("link", name="Places")).to_be_visible()
    screenshot("home-community-staff-english")
