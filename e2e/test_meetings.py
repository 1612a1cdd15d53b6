"""A 社工委 meeting from the pages (issue 15, "Done when"): 天庆嘉园's community staff schedule the committee's
meeting, record attendance, mark it held, write, approve and publish the minutes, propose a resolution and adopt it
by a show of hands, and raise a need from it (prefilled, channel 居民议事会); a unit admin claims the need and resolves
it, and the resolution shows done (100%). The public page of the meeting, at 360 px, names no one and shows no phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ("张建国", "李秀英", "王志强")
PHONES = ("13911112222", "13933334444", "13955556666")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def both_widths(page, screenshot, name):
    """The page at 1280 px and on a phone (360 px, where it must fit), then back to the desktop."""
    screenshot(name)
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    screenshot(name)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def committee(root, tree, accounts, unit):
    """天庆嘉园社区社工委 on the community's committee seats: three residents and the film studio."""
    from meetings.services import body_create
    from people.services import committee_member_add, person_create

    since = datetime.date(2021, 9, 10)
    for name, phone, what in zip(NAMES, PHONES, ("社区党委", "居委会", "退役军人"), strict=True):
        person = person_create(actor=root, name=name, phone=phone, home=tree["entrance"], room="502",
                               is_resident=True)
        committee_member_add(actor=root, community=tree["tqjy"], since=since, person=person, represents=what)
    committee_member_add(actor=root, community=tree["tqjy"], since=since, organisation=unit["organisation"],
                         represents="驻区单位")
    return body_create(actor=accounts["community_staff"], kind="committee", name="天庆嘉园社区社工委",
                       place=tree["tqjy"], founded_on=since)


def test_staff_hold_a_committee_meeting_whose_resolution_raises_a_need_done_by_a_unit(
        page, live_server, login, screenshot, committee, accounts):
    from meetings.models import Meeting, Resolution
    from needs.models import Category, Need
    from needs.services import need_act

    base = live_server.url
    login("tqjy_staff")

    # The list, the body's page, and scheduling the meeting.
    page.goto(f"{base}/meetings/")
    expect(page.get_by_role("heading", name="会议", exact=True)).to_be_visible()
    both_widths(page, screenshot, "meetings-list")
    page.get_by_role("link", name="天庆嘉园社区社工委").first.click()
    expect(page.locator(".mtg-members")).to_contain_text("兰州电影制片厂")
    expect(page.locator("body")).to_contain_text("过半数")
    both_widths(page, screenshot, "meetings-body")
    page.get_by_role("link", name="安排会议").click()
    day = timezone.localdate()
    page.fill("#id_title", "社工委第二次全体会议")
    page.fill("#id_day", day.isoformat())
    page.fill("#id_start", "00:00")
    page.fill("#id_location", "社区二楼会议室")
    page.fill("#id_agenda", "加装电梯议题\n楼道清理")
    both_widths(page, screenshot, "meetings-schedule")
    page.get_by_role("button", name="安排").click()
    expect(page.locator(".messages .success")).to_be_visible()
    meeting = Meeting.objects.get(title="社工委第二次全体会议")
    assert page.url.endswith(f"/meetings/{meeting.pk}/")

    # Attendance in one form, then held.
    for radio in page.locator("#attendance input[value=present]").all():
        radio.check()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.locator("#attendance .counts-line")).to_contain_text("出席4人")
    page.get_by_role("button", name="标记会议已召开").click()
    expect(page.locator(".mtg-meta .badge.state-held")).to_be_visible()

    # Minutes: written, approved, published.
    page.fill("#minutes textarea[name=text]", "会议讨论了加装电梯议题，同意由社区牵头征求3号楼居民意见。")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="批准纪要").click()
    page.get_by_role("button", name="发布纪要").click()
    expect(page.locator("#minutes .badge.state-published")).to_be_visible()

    # A resolution proposed and adopted by a show of hands, then a need raised from it.
    page.locator("#resolutions summary", has_text="提出决议").click()
    page.fill("#resolutions input[name=title]", "为3号楼加装电梯征求意见")
    page.fill("#resolutions textarea[name=text]", "由社区牵头，组织3号楼居民议事。")
    page.get_by_role("button", name="提出", exact=True).click()
    resolution = Resolution.objects.get(meeting=meeting)
    card = page.locator(f"#resolution-{resolution.pk}")
    card.locator("summary", has_text="表决").click()
    card.locator("input[name$=votes_for]").fill("4")
    card.get_by_role("button", name="表决", exact=True).click()
    expect(card.locator(".badge.state-adopted")).to_be_visible()
    card.get_by_role("link", name="提出需求").click()
    expect(page.locator("#id_title")).to_have_value("为3号楼加装电梯征求意见")  # prefilled
    both_widths(page, screenshot, "meetings-need-form")
    page.get_by_role("button", name="创建").click()
    expect(page.locator(".messages .success")).to_be_visible()
    need = Need.objects.get(title="为3号楼加装电梯征求意见")
    assert need.channel == "council"
    both_widths(page, screenshot, "meetings-meeting")

    # The staff accept and publish the need; the unit claims it and resolves it from the need's page.
    staff = accounts["community_staff"]
    category = Category.objects.get_or_create(name="设施维修")[0]
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="worry")
    need_act(actor=staff, need=need, action="publish")
    page.goto(f"{base}/needs/{need.pk}/")
    expect(page.locator(".origins a")).to_have_attribute("href", f"/meetings/{meeting.pk}/#resolution-{resolution.pk}")
    page.context.clear_cookies()
    login("dy_admin")
    page.goto(f"{base}/needs/{need.pk}/")
    page.locator(".need-actions summary", has_text="认领").click()
    page.locator(".need-actions").get_by_role("button", name="认领").click()
    expect(page.locator(".badge.state-claimed")).to_be_visible()
    page.locator(".need-actions summary", has_text="办结").click()
    page.fill(".need-actions textarea[name=resolve-note]", "已征求3号楼居民意见，形成加装方案。")
    page.fill(".need-actions input[name=resolve-evidence]", "居民签字的意见表")
    page.locator(".need-actions").get_by_role("button", name="办结").click()
    expect(page.locator(".badge.state-resolved")).to_be_visible()

    # The resolution shows done, 100 %.
    page.context.clear_cookies()
    login("tqjy_staff")
    page.goto(f"{base}/meetings/{meeting.pk}/")
    card = page.locator(f"#resolution-{resolution.pk}")
    expect(card.locator(".progress .pct")).to_have_text("100%")
    expect(card.locator(".progress .badge.state-done")).to_be_visible()
    screenshot("meetings-done")

    # The public page, on a phone: the minutes and the resolution, no name, no phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/meetings/public/")
    assert fits_the_screen(page)
    screenshot("meetings-public-list")
    page.goto(f"{base}/meetings/public/{meeting.pk}/")
    expect(page.locator("h1")).to_have_text("社工委第二次全体会议")
    expect(page.locator(".resolution .progress .pct")).to_have_text("100%")
    page.locator(".mtg-section details > summary").click()
    text = page.locator("body").inner_text()
    assert "驻区单位 · 兰州电影制片厂" in text
    assert not [n for n in (*NAMES, *PHONES) if n in text]
    assert fits_the_screen(page)
    screenshot("meetings-public")
