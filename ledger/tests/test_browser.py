"""The dashboard, the big screen and the public ledger in Chromium at 1920, 1280 and 360 px: charts drawn,
nothing wider than the screen, no figure's text spilling out of its box. Screenshots go to
var/screenshots/ledger-<page>-<width>.png."""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1920, 1280, 360)

OVERFLOWING = """() => [...document.querySelectorAll('.figure, .sfig, .screen-deeds li, h1, .ledger-block')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className + ': ' + e.textContent.trim().slice(0, 40))"""


@pytest.fixture
def open_page(browser, live_server):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    contexts = []

    def open_as(username, path, width, height=1080):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if username:
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "pass-12345")
            page.press("#id_password", "Enter")
            page.wait_for_load_state()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.shot = lambda name: page.screenshot(path=folder / f"ledger-{name}-{width}.png", full_page=True)
        return page

    yield open_as
    for context in contexts:
        context.close()


def check(page, *, width, charts):
    drawn = page.locator(".ledger-chart[data-drawn=true] svg")
    assert drawn.count() >= charts
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_it_draws_the_dashboard_and_the_public_ledger(open_page, scenario, tree, accounts, width):
    page = open_page("jd_admin", "/ledger/dashboard/?period=2021-Q3", width)
    assert "拱星墩街道" in page.locator("h1").inner_text()
    check(page, width=width, charts=5)
    page.shot("dashboard")
    page = open_page(None, f"/ledger/{tree['tqjy'].code}/?period=2021-Q3", width)
    assert "天庆嘉园社区幸福账单" in page.locator("h1").inner_text()
    check(page, width=width, charts=4)
    page.shot("public")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768), (1280, 720)])
def test_it_fills_the_big_screen_whatever_its_size(open_page, scenario, tree, accounts, width, height):
    """Laid out for 1920 × 1080 and scaled: on a 1280 or 1366 screen the deeds column is on it too."""
    page = open_page("jd_admin", "/ledger/screen/?period=2021-Q3", width, height)
    check(page, width=width, charts=5)
    assert page.evaluate("document.documentElement.scrollHeight") <= height
    deeds = page.locator(".screen-deeds").bounding_box()
    assert deeds["x"] + deeds["width"] <= width and deeds["y"] + deeds["height"] <= height
    assert deeds["width"] > width * 0.2  # scaled, not squeezed
    page.shot("screen")


def test_the_chart_tooltip_names_the_row_in_full(open_page, scenario, tree, accounts):
    page = open_page(None, f"/ledger/{tree['subdistrict'].code}/?period=2021-Q3", 1280)
    labels = page.evaluate("JSON.parse(document.getElementById('chart-grid-data').textContent)")
    assert labels["names"] == ["天庆嘉园第一网格", "五里铺东第一网格"]
    assert labels["labels"] == ["天庆嘉园第一", "五里铺东第一"]  # short on the axis, in full in the tooltip
    el = page.locator("#chart-grid")
    el.scroll_into_view_if_needed()
    page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-grid'))"
                  ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})")
    tip = el.locator("div", has_text=labels["names"][0]).last
    tip.wait_for()
    assert labels["names"][0] in tip.inner_text()
