"""Accessibility (issue 12, item 9), in Chromium at 1280 and 360 px.

- axe-core (vendored: e2e/vendor/axe.min.js) finds no serious or critical violation on any public or resident
  page, with every <details> open (the phone's menu, the forms of a need's actions, the charts' tables, the board's
  map). The moderate and minor ones are counted in var/screenshots/axe-<who>-<page>-<width>.txt.
- The anonymous submit form is filled and sent with the keyboard alone, the place chosen with the picker.
- Each chart of the public ledger has its figures as a table beside it, there without JavaScript too.

Screenshots: var/screenshots/a11y-*-<width>.png."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from needs.models import Category, Channel, Need
from needs.services import need_act, need_submit
from offers.services import booking_request, offer_create, session_create
from sites.services import item_create, loan_create, site_create

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])

# Every page the public and a resident see; {…} from the `needs` fixture.
PUBLIC_PAGES = {
    "home": "/",
    "need": "/needs/{published}/",
    "need-proof": "/needs/{published}/proof/",
    "checkpoints": "/checkpoints/",
    "board-open": "/needs/?tab=open",
    "board-working": "/needs/?tab=working",
    "board-done": "/needs/?tab=done",
    "ledger-index": "/ledger/",
    "ledger-subdistrict": "/ledger/{subdistrict}/",
    "ledger-community": "/ledger/{community}/",
    "track": "/needs/track/",
    "track-need": "/needs/track/{reference}/",
    "submit": "/needs/submit/",
    "login": "/login/",
    "offers": "/offers/",
    "offer": "/offers/{offer}/",
    "station": "/sites/{station}/",
    "activities": "/volunteering/",
    "activity": "/volunteering/{activity}/",
    "certificate-verify": "/volunteering/verify/{certificate}/",
    "verify-form": "/volunteering/verify/",
}
RESIDENT_PAGES = {
    "home": "/",
    "mine": "/needs/mine/",
    "need-to-rate": "/needs/{resolved}/",
    "need-closed": "/needs/{closed}/",
    "submit": "/needs/submit/",
    "place": "/places/{community}/",
    "search": "/search/?q=ldd",
    "my-bookings": "/offers/mine/",
    "offer-book": "/offers/sessions/{session}/book/",
    "booking": "/offers/bookings/{booking}/",
    "my-volunteering": "/volunteering/me/",
    "activity-signed-up": "/volunteering/{activity}/",
    "checkin": "/volunteering/{activity}/c/{checkin_code}/",
}


@pytest.fixture
def needs(root, accounts, tree, unit, publish):
    """A need in each public state, the resident's: published, being handled, resolved (to rate) and closed."""
    unit_admin, resident, published = accounts["unit_admin"], accounts["resident"], publish

    def resolved(title):
        need = need_act(actor=unit_admin, need=published(title), action="claim")
        return need_act(actor=unit_admin, need=need, action="resolve", note="已更换", evidence="居民签字")

    closed = need_act(actor=resident, need=resolved("楼道灯不亮"), action="rate", rating="satisfied",
                      comment="谢谢")
    working = need_act(actor=unit_admin, need=published("楼道堆物"), action="claim")
    anonymous = need_submit(actor=AnonymousUser(), title="路面破损", place=tree["compound"], channel=Channel.ONLINE)
    # The offers list: the unit's free rides for 天庆嘉园社区, a session in three days, the resident's booking of it.
    offer = offer_create(actor=unit_admin, kind="transport", name="爱心免费接送", organisation=unit["organisation"],
                         communities=[tree["tqjy"]], min_notice_hours=24, is_published=True,
                         description="为行动不便的老人免费接送就医。")
    start = timezone.now() + datetime.timedelta(days=3)
    session = session_create(actor=unit_admin, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(
        hours=1), capacity=3)
    booking = booking_request(actor=resident, session=session, note="1号楼2单元门口")
    # A station with what it gives out and lends, one umbrella out.
    station = site_create(actor=root, kind="station", name="天庆嘉园便民驿站", place=tree["compound"],
                          operator=unit["organisation"], opening_hours="每天 8:00–20:00")
    item_create(actor=root, site=station, kind="consumable", name="创可贴", unit="片", stock=20, low_stock=5)
    umbrellas = item_create(actor=root, site=station, kind="lendable", name="雨伞", unit="把", units=4)
    loan_create(actor=root, item=umbrellas, borrower_name="李先生", borrower_phone="13800001111")
    volunteering = _volunteering(root, tree, unit, resident)
    return {**volunteering, "offer": offer.pk, "station": station.pk, "session": session.pk, "booking": booking.pk,
            "published": published("单元门禁损坏").pk, "working": working.pk, "resolved": resolved("路灯不亮").pk,
            "closed": closed.pk, "reference": anonymous.reference, "subdistrict": tree["subdistrict"].code,
            "community": tree["tqjy"].code}


def _volunteering(root, tree, unit, resident) -> dict:
    """The resident a volunteer with last week's certified clean-up and its certificate, signed up for Saturday's."""
    from people.services import organisation_create
    from volunteering import services as v
    from volunteering.models import Signup

    office = organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会", place=tree["tqjy"],
                                 contact_phone="0931-8123456")
    volunteer = v.volunteer_register(actor=resident, person=resident.person)
    now = timezone.now().replace(microsecond=0)
    begun = now - datetime.timedelta(days=7)
    past = v.activity_create(actor=root, kind="clean_up", name="周六环境清洁与垃圾分类", place=tree["tqjy"],
                             organisation=office, starts_at=begun, ends_at=begun + datetime.timedelta(hours=2),
                             at=begun - datetime.timedelta(days=2))
    v.signup_create(actor=resident, activity=past, at=begun - datetime.timedelta(days=1))
    v.checkin(actor=resident, activity=past, code=past.checkin_code, at=begun)
    v.checkout(actor=resident, signup=Signup.objects.get(activity=past, volunteer=volunteer),
               at=begun + datetime.timedelta(hours=2))
    v.hours_propose(activity=past)
    v.hours_certify(actor=root, entries_or_activity=past)
    certificate = v.certificate_issue(actor=resident, volunteer=volunteer, first_day=begun.date(),
                                      last_day=timezone.localdate(), issuer=office, person_in_charge="李主任",
                                      contact="0931-8123456")
    start = now + datetime.timedelta(days=3)
    coming = v.activity_create(actor=root, kind="clean_up", name="周六环境清洁与垃圾分类", place=tree["tqjy"],
                               organisation=office, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                               capacity=20, description="每周六上午，工具由物业提供。")
    v.signup_create(actor=resident, activity=coming)
    return {"activity": coming.pk, "checkin_code": coming.checkin_code, "certificate": certificate.number}


@pytest.fixture
def axe_page(browser, live_server):
    """A page of its own context that lets axe in: add_script_tag(path=…) inlines the script, which the
    Content-Security-Policy (no inline script) would stop."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-12345")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/")


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is, every <details> opened first (what they hide is on the page too)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_load_state("networkidle")  # the board's map arrives when its <details> opens
    page.add_script_tag(path=AXE)
    return page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")


def check_pages(page, base, who, pages, needs, viewport):
    """Each page: no serious or critical violation; the others counted in a report per page."""
    page.set_viewport_size(viewport)
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    width, blocking = viewport["width"], {}
    for name, path in pages.items():
        response = page.goto(base + path.format(**needs))
        assert response.ok, (name, response.status)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        page.screenshot(path=folder / f"a11y-{who}-{name}-{width}.png", full_page=True)
        (folder / f"axe-{who}-{name}-{width}.txt").write_text("".join(
            f"{v['impact']}\t{v['id']}\t{len(v['nodes'])}\t{v['help']}\n" for v in violations) or "none\n")
        found = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
                 for v in violations if v["impact"] in BLOCKING]
        if found:
            blocking[name] = found
    assert blocking == {}


@VIEWPORTS
def test_public_pages_have_no_serious_violation(axe_page, live_server, needs, viewport):
    check_pages(axe_page, live_server.url, "public", PUBLIC_PAGES, needs, viewport)


@VIEWPORTS
def test_resident_pages_have_no_serious_violation(axe_page, live_server, needs, viewport):
    log_in(axe_page, live_server.url, "resident1")
    axe_page.goto(f"{live_server.url}/needs/{needs['resolved']}/")
    expect(axe_page.locator("form[action$='/act/rate/'] button")).to_have_text("评价")  # the rate form is there
    check_pages(axe_page, live_server.url, "resident", RESIDENT_PAGES, needs, viewport)


def tab_to(page, selector: str, most: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@VIEWPORTS
def test_the_anonymous_submit_form_works_with_the_keyboard_alone(page, live_server, tree, screenshot, viewport):
    """Tab, typing, the arrow keys, Space and Enter only: no click, no fill."""
    category = Category.objects.get_or_create(name="设施维修")[0]
    page.set_viewport_size(viewport)
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/needs/submit/")
    keys = page.keyboard

    # The first Tab shows the skip link; Enter on it takes the next Tab past the header, to the form's first field.
    keys.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot("a11y-skip-link")
    keys.press("Enter")
    keys.press("Tab")
    expect(page.locator("#id_title")).to_be_focused()
    keys.type("楼道灯不亮了")
    tab_to(page, "#id_description")
    keys.type("晚上看不见台阶")
    tab_to(page, "#id_category")
    while page.input_value("#id_category") != str(category.pk):
        keys.press("ArrowDown")

    # The place: type its initials, Enter searches (it does not send the form), Tab into the choices, an arrow
    # key to the one wanted, Space to choose it.
    tab_to(page, "#id_place_q")
    keys.type("1hl")
    choices = page.locator("#id_place_results .picker-choice")
    expect(choices).to_have_count(2)  # 1号楼 and 1号楼2单元
    keys.press("Enter")
    expect(choices).to_have_count(2)
    expect(page.locator("#id_place_q")).to_be_focused()
    assert Need.objects.count() == 0 and page.input_value("#id_title") == "楼道灯不亮了"  # not sent
    wanted = ["1号楼2单元" in text for text in choices.all_inner_texts()].index(True)
    page.wait_for_load_state("networkidle")  # the search typed and the one Enter asked for have both answered
    keys.press("Tab")
    assert page.evaluate("document.activeElement.name") == "place"
    for _ in range(wanted):
        keys.press("ArrowDown")
    keys.press("Space")
    assert page.locator("input[name=place]:checked").get_attribute("value") == tree["entrance"].code

    tab_to(page, "#id_affected")
    keys.press("ControlOrMeta+A")
    keys.type("3")
    tab_to(page, "#id_show_name")
    keys.press("Space")
    tab_to(page, "#id_contact_phone")
    keys.type("13800001111")
    screenshot("a11y-keyboard-submit")
    tab_to(page, "form.card button[type=submit]")
    keys.press("Enter")

    page.wait_for_url(re.compile(r"/needs/track/\w+/"))  # (with the skip link's #content: a redirect keeps it)
    need = Need.objects.get(title="楼道灯不亮了")
    assert (need.description, need.category, need.place, need.affected, need.show_name, need.is_public,
            need.contact_phone) == ("晚上看不见台阶", category, tree["entrance"], 3, True, True, "13800001111")
    assert need.reference in page.url
    screenshot("a11y-keyboard-sent")


def chart_tables(page) -> list[dict]:
    """Each chart on the page with the table of its block: the chart's label, the block's title, the table's
    caption and rows, and whether the table is shown now."""
    return page.evaluate("""() => [...document.querySelectorAll('.ledger-chart')].map(chart => {
        const block = chart.closest('.ledger-block'), table = block.querySelector('details.chart-data table');
        return {id: chart.id, role: chart.getAttribute('role'), label: chart.getAttribute('aria-label'),
                title: block.querySelector('h3').textContent.trim(),
                caption: table && table.caption.textContent.trim(), rows: table ? table.tBodies[0].rows.length : 0,
                shown: !!table && table.checkVisibility()};
    })""")


@pytest.mark.parametrize("place", ["subdistrict", "community"])
def test_each_chart_of_the_ledger_has_its_table_with_or_without_javascript(browser, live_server, needs, place):
    path = f"{live_server.url}/ledger/{needs[place]}/"
    drawn = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = drawn.new_page()
    page.goto(path)
    expect(page.locator(".ledger-chart[data-drawn=true] svg").first).to_be_visible()
    charts = chart_tables(page)
    assert len(charts) >= 4
    for chart in charts:
        assert chart["role"] == "img" and chart["title"] in chart["label"] and "表格" in chart["label"]
        assert chart["caption"] == chart["title"] and chart["rows"] > 0
    drawn.close()

    # Without JavaScript no chart is drawn: the same tables are there, each opened from its summary by the keyboard.
    plain = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = plain.new_page()
    page.goto(path)
    assert page.locator(".ledger-chart[data-drawn]").count() == 0
    assert [{**c, "shown": False} for c in chart_tables(page)] == [{**c, "shown": False} for c in charts]
    for chart in charts:
        block = page.locator(".ledger-block", has=page.locator(f"#{chart['id']}"))
        block.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(block.get_by_role("table", name=chart["title"])).to_be_visible()
    assert all(c["shown"] for c in chart_tables(page))
    plain.close()
