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


def test_it_fills_the_big_screen(open_page, scenario, tree, accounts):
    page = open_page("jd_admin", "/ledger/screen/?period=2021-Q3", 1920)
    check(page, width=1920, charts=5)
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    page.shot("screen")
