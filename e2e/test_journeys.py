"""What people do first: log in, see their home, find a place by pinyin initials, stay inside their scope."""

import pytest

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
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="天庆嘉园社区").is_visible()
    assert fits_the_screen(page)
    screenshot("home-community-staff")

    page.locator("nav.mainnav").get_by_role("link", name="辖区").click()
    page.get_by_role("searchbox").fill("tqjy")
    page.get_by_role("searchbox").press("Enter")
    results = page.locator("section.card").first
    assert results.get_by_role("link", name="天庆嘉园社区").is_visible()
    screenshot("places-search-tqjy")

    page.goto(f"{live_server.url}/people/organisations/?q=tqjy")
    assert page.get_by_role("link", name="天庆嘉园社区居民委员会").is_visible()
    assert not page.get_by_role("link", name="兰州电影制片厂").count()
    assert fits_the_screen(page)
    screenshot("organisations-search-tqjy")


def test_it_shows_a_resident_their_home_on_a_phone(page, login, screenshot, accounts):
    page.set_viewport_size(PHONE)
    login("resident1")
    assert page.get_by_role("heading", name="resident用户").is_visible()
    assert page.get_by_text("1号楼2单元").is_visible()
    assert fits_the_screen(page)
    screenshot("home-resident")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_it_shows_staff_of_another_community_the_chinese_403_page(
        page, live_server, login, screenshot, accounts, viewport):
    page.set_viewport_size(viewport)
    login("wlpd_staff")
    resident = accounts["resident"].person
    response = page.goto(f"{live_server.url}/people/{resident.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="您无权访问此页面").is_visible()
    assert "resident用户" not in page.content()
    assert fits_the_screen(page)
    screenshot("forbidden-other-community")


def test_it_switches_to_english(page, live_server, login, screenshot, accounts):
    login("tqjy_staff")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My work").is_visible()
    assert page.get_by_role("link", name="Places").is_visible()
    screenshot("home-community-staff-english")
