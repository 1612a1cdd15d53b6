"""A community worker prints the community's QR posters (issue 13, "Done when"): from the community's page, at
360 px as at 1280, the batch PDF downloads, one page per place down to the building and per site, each page's
code the place's own short address; a visitor scanning a building's code reaches the need form, the place
filled in."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from places.tests import qr

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_a_community_worker_prints_the_communitys_posters(page, live_server, login, screenshot, root, tree,
                                                          accounts, viewport, tmp_path):
    from sites.services import site_create

    site = site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"])
    page.set_viewport_size(viewport)
    login("tqjy_staff")
    page.goto(f"{live_server.url}/places/{tree['tqjy'].code}/")
    card = page.locator(".qr-card")
    expect(card.get_by_role("heading", name="二维码")).to_be_visible()
    expect(card.get_by_role("img", name="天庆嘉园社区的二维码")).to_be_visible()
    expect(card.get_by_role("link", name="在这里反映问题")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("place-qr")
    with page.expect_download() as download:
        card.get_by_role("link", name="打印本社区全部海报").click()
    path = tmp_path / "posters.pdf"
    download.value.save_as(path)
    pages = qr.pdf_pages(path.read_bytes())
    places = [tree[k] for k in ("tqjy", "grid1", "compound", "building")]
    urls = [f"{live_server.url}/p/{p.code}" for p in places] + [f"{live_server.url}/s/{site.pk}"]
    assert len(pages) == len(urls)
    for pdf_page, url in zip(pages, urls, strict=True):
        assert url in qr.text(pdf_page) and qr.page_modules(pdf_page) == qr.expected(url)
    assert "扫码查看可借物品" in qr.text(pages[-1])


def test_a_visitor_scanning_a_buildings_code_reaches_the_form_with_the_place(page, live_server, tree, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/p/{tree['building'].code}")
    expect(page.get_by_text("您扫描了")).to_be_visible()
    assert page.locator("input[name=place]").input_value() == tree["building"].code
    assert fits_the_screen(page)
    screenshot("qr-report-form")


def test_the_building_page_shows_its_code_at_both_widths(page, live_server, login, screenshot, tree, accounts):
    login("tqjy_staff")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/places/{tree['building'].code}/")
        box = page.locator(".qr-box svg").bounding_box()
        assert box and box["width"] >= 120 and abs(box["width"] - box["height"]) < 1  # square, big enough to scan
        assert fits_the_screen(page)
        screenshot("building-qr")
