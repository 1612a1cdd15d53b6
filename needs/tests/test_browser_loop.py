"""The whole loop in a real browser on a 360 px phone: resident submits → staff accept and publish →
the unit claims and resolves → the resident rates. Screenshots go to var/screenshots/needs-*.png."""

from pathlib import Path

import pytest
from django.conf import settings

from needs.models import Need, State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def as_user(browser, live_server):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    contexts = []

    def open_as(username):
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pass-12345")
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
        page.shot = lambda name: page.screenshot(path=folder / f"needs-{name}-360.png", full_page=True)
        return page

    yield open_as
    for context in contexts:
        context.close()


def act(page, label, fill=None):
    """Open the action's form (if it has one), fill it, and submit it."""
    summary = page.locator("summary", has_text=label)
    if summary.count():
        summary.first.click()
        form = summary.first.locator("xpath=..").locator("form")
        for selector, value in (fill or {}).items():
            field = form.locator(selector)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(label=value)
            elif field.get_attribute("type") == "radio":
                field.check()
            else:
                field.fill(value)
        form.locator("button[type=submit]").click()
    else:
        page.locator("form.inline button", has_text=label).click()
    page.wait_for_load_state()


def test_it_walks_the_loop_on_a_phone(as_user, live_server, accounts, tree, category):
    resident = as_user("resident1")
    resident.goto(f"{live_server.url}/needs/submit/?place={tree['building'].code}")
    resident.fill("#id_title", "4号楼3单元加装电梯")
    resident.fill("#id_description", "老人上下楼困难")
    resident.shot("submit")
    assert resident.evaluate("document.documentElement.scrollWidth") <= 360
    resident.click("form.card button[type=submit]")
    resident.wait_for_load_state()
    need = Need.objects.get(title="4号楼3单元加装电梯")
    assert need.channel == "qr"

    staff = as_user("tqjy_staff")
    staff.goto(f"{live_server.url}/needs/triage/")
    staff.click("text=4号楼3单元加装电梯")
    act(staff, "受理", {"select[name=accept-category]": "加装电梯", "select[name=accept-concern_level]": "忧心事"})
    act(staff, "发布到认领大厅")
    staff.shot("staff")
    assert Need.objects.get(pk=need.pk).state == State.PUBLISHED

    unit = as_user("dy_admin")
    unit.goto(f"{live_server.url}/needs/")
    unit.click("text=某楼某单元加装电梯")  # the board's card: the title in general terms (needs.public)
    act(unit, "认领", {"select[name=claim-organisation]": "兰州电影制片厂"})
    act(unit, "办结", {"textarea[name=resolve-note]": "已召开加装电梯咨询会", "input[name=resolve-evidence]": "签到表"})
    unit.shot("unit")
    assert Need.objects.get(pk=need.pk).state == State.RESOLVED

    resident.goto(f"{live_server.url}/needs/{need.pk}/")
    act(resident, "评价", {"input[name=rate-rating][value=very_satisfied]": "", "textarea[name=rate-comment]": "谢谢"})
    resident.shot("rated")
    need = Need.objects.get(pk=need.pk)
    assert need.state == State.CLOSED and need.rating == "very_satisfied"
    assert "很满意" in resident.content() and resident.locator("summary", has_text="评价").count() == 0
