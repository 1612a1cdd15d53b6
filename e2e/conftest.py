"""Browser tests: headless Debian Chromium (never a downloaded browser) against pytest-django's live server.

Everything under e2e/ is marked `browser`, so `make test` (-m "not browser") skips it and
`make test-browser` runs it. The browser asks for Chinese, as a community worker's phone does.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the fixtures' ORM calls are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": DESKTOP}


@pytest.fixture
def screenshot(page):
    """Save the whole page as var/screenshots/<name>-<width>.png."""
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str):
        page.screenshot(path=folder / f"{name}-{page.viewport_size['width']}.png", full_page=True)

    return take


@pytest.fixture
def login(page, live_server):
    def log_in(username: str, password: str = "pass-12345"):
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit].wide")
        page.wait_for_url(f"{live_server.url}/")

    return log_in


@pytest.fixture
def publish(accounts, tree):
    """publish(title): a resident's need at the entrance, accepted and published by 天庆嘉园's staff."""
    from needs.models import Category
    from needs.services import need_act, need_submit

    category = Category.objects.get_or_create(name="设施维修")[0]
    staff, resident = accounts["community_staff"], accounts["resident"]

    def published(title):
        need = need_submit(actor=resident, title=title, place=tree["entrance"], description="晚上看不见")
        need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance")
        return need_act(actor=staff, need=need, action="publish")

    return published
