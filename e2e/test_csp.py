"""The Content-Security-Policy (core/middleware.py) in Chromium: the pages people use, with what their scripts do
(charts drawn and their tooltips shown, the board's map opened, a picker searched with Enter, the worklist's
tick-all, the admin's forms), report no violation in the console — and still work. The API tokens page at 1280
and 360 px: var/screenshots/tokens-<width>.png."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from needs.services import need_act, need_submit
from people.services import api_token_issue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def needs(accounts, tree, unit, publish):
    """Needs on the board and in the ledger: two published (one claimed), one rated."""
    unit_admin, resident, published = accounts["unit_admin"], accounts["resident"], publish

    done = need_act(actor=unit_admin, need=published("楼道灯不亮"), action="claim")
    done = need_act(actor=unit_admin, need=done, action="resolve", note="已更换", evidence="居民签字")
    need_act(actor=resident, need=done, action="rate", rating="satisfied", comment="谢谢")
    need_act(actor=unit_admin, need=published("楼道堆物"), action="claim")
    published("单元门禁损坏")
    need_submit(actor=resident, title="路面破损", place=tree["compound"])  # waits on the worklist
    return done


@pytest.fixture
def violations(page):
    """Every console message of the policy, as Chromium reports a blocked script, style, handler or eval."""
    found = []
    page.on("console", lambda m: found.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text
            else None)
    return found


def show_tips(page):
    """Each chart's (and map's) first tooltip, as a pointer over it shows it."""
    page.evaluate("""() => document.querySelectorAll('.ledger-chart[data-drawn], .grid-map-canvas[data-drawn]')
      .forEach(el => echarts.getInstanceByDom(el).dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0}))""")
    page.wait_for_timeout(300)


def visit(page, base, path):
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")


def log_in_as(page, base, login, username, password="pass-12345"):
    page.context.clear_cookies()
    login(username, password)


def test_the_pages_break_no_rule_of_the_policy(page, live_server, login, root, tree, accounts, needs, violations):
    base = live_server.url
    page.set_default_timeout(10_000)
    # The public: home, the ledger's charts, the board's map (ECharts loaded on demand), the submit form's picker.
    visit(page, base, "/")
    assert "script-src 'self'" in page.request.get(f"{base}/").headers["content-security-policy"]
    visit(page, base, f"/ledger/{tree['subdistrict'].code}/")
    expect(page.locator(".ledger-chart[data-drawn] svg").first).to_be_visible()
    show_tips(page)
    expect(page.locator(".ledger-chart div", has_text="天庆嘉园").first).to_be_attached()  # a tooltip, as elements
    visit(page, base, "/needs/")
    page.locator("details.board-map > summary").click()
    expect(page.locator(".grid-map-canvas[data-drawn] svg")).to_be_visible()
    show_tips(page)
    visit(page, base, "/needs/submit/")
    page.fill("#id_place_q", "1hl")
    page.press("#id_place_q", "Enter")  # picker.js: searches, does not send the form
    expect(page.locator("#id_place_results .picker-choice")).to_have_count(2)
    assert page.url.endswith("/needs/submit/")

    # Staff: the worklist's tick-all (worklist.js), the dashboard with its map, the big screen.
    log_in_as(page, base, login, "tqjy_staff")
    visit(page, base, "/needs/triage/")
    page.get_by_label("勾选本页全部").check()
    boxes = page.locator("input[name=need]")
    assert boxes.count() >= 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    log_in_as(page, base, login, "jd_admin")
    visit(page, base, "/ledger/dashboard/")
    expect(page.locator(".grid-map-canvas[data-drawn] svg")).to_be_visible()
    show_tips(page)
    visit(page, base, "/ledger/screen/")
    show_tips(page)
    visit(page, base, "/api/v1/docs")  # Swagger UI from static files
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    # The admin: its index, a change form, an autocomplete (select2), the tokens' list with its action.
    log_in_as(page, base, login, "root", "root-pass-123")
    visit(page, base, "/admin/")
    visit(page, base, f"/admin/needs/need/{needs.pk}/change/")
    expect(page.locator("#need_form")).to_be_visible()
    visit(page, base, "/admin/people/roleassignment/add/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    visit(page, base, "/admin/people/apitoken/")
    assert violations == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_owner_revokes_a_token_on_the_tokens_page(page, live_server, login, screenshot, accounts, violations,
                                                      viewport):
    staff = accounts["community_staff"]
    api_token_issue(user=staff, name="12345 热线对接")
    api_token_issue(user=staff, name="大屏")
    page.set_viewport_size(viewport)
    login("tqjy_staff")
    if viewport is PHONE:
        page.locator(".navmenu > summary").click()
    page.get_by_role("link", name="API 令牌").click()
    expect(page.get_by_role("heading", name="API 令牌")).to_be_visible()
    expect(page.locator("table.tokens tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("tokens")
    page.locator("tr", has_text="大屏").get_by_role("button", name="吊销").click()
    expect(page.locator(".messages")).to_contain_text("API 令牌已吊销")
    expect(page.locator("table.tokens tbody tr")).to_have_count(1)
    screenshot("tokens-revoked")
    assert violations == []
