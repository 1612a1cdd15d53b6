"""Residents and grid workers on a 360 px phone: a resident reports with a photo and sees it; an anonymous QR
report is followed by its tracking reference; the grid worker calls back from the list and records the grade.
Screenshots: var/screenshots/follow-*-360.png."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import PHONE
from needs.models import Category, Need
from needs.services import need_act, need_submit
from people.models import PersonalDataAccess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="设施维修")[0]  # transactional tests flush the seeded ones


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    page.set_default_timeout(10_000)
    return page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_a_resident_submits_with_a_photo_and_sees_it(phone, live_server, login, screenshot, accounts, tree):
    login("resident1")
    phone.goto(f"{live_server.url}/needs/submit/")
    expect(phone.locator(".picker")).to_contain_text("1号楼2单元")  # their home, chosen already
    phone.fill("#id_title", "楼道里堆满杂物")
    phone.fill("#id_description", "消防通道被堵住了")
    phone.set_input_files("input[type=file]", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                                      "buffer": jpeg()}])
    screenshot("follow-resident-submit")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/needs/\d+/$"))
    need = Need.objects.get(title="楼道里堆满杂物")
    assert need.reporter.user == accounts["resident"] and need.place == tree["entrance"]
    expect(phone.locator(".messages")).to_contain_text(need.reference)
    thumbnail = phone.locator(".photos img").first
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320  # served, not a broken image
    with phone.expect_navigation():
        thumbnail.click()  # the photo itself
    assert phone.evaluate("document.contentType") == "image/jpeg"
    phone.go_back()
    assert fits_the_screen(phone)
    screenshot("follow-resident-sees-photo")


def test_an_anonymous_qr_report_is_followed_by_its_reference(phone, live_server, screenshot, accounts, tree,
                                                            category):
    phone.goto(f"{live_server.url}/needs/submit/?place={tree['building'].code}")
    expect(phone.locator("p.card")).to_contain_text("1号楼")
    phone.fill("#id_title", "单元门禁坏了")
    phone.fill("#id_contact_name", "王秀兰")
    phone.fill("#id_contact_phone", "13931001234")
    screenshot("follow-qr-report")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/needs/track/[0-9A-Z]{8}/$"))
    need = Need.objects.get(title="单元门禁坏了")
    assert need.channel == "qr" and need.contact_phone == "13931001234"
    expect(phone.locator(".reference")).to_have_text(need.reference)
    expect(phone.locator(".messages")).to_contain_text(need.reference)
    expect(phone.locator(".badge").first).to_have_text("已提交")
    screenshot("follow-qr-reference")

    # Later, from the public home, typed as one reads it off a text message.
    need_act(actor=accounts["community_staff"], need=need, action="accept", category=category,
             concern_level="annoyance")
    phone.goto(f"{live_server.url}/")
    phone.fill("#id_reference", f"{need.reference[:4].lower()} {need.reference[4:].lower()}")
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator(".reference")).to_have_text(need.reference)
    expect(phone.locator(".badge").first).to_have_text("已受理")
    expect(phone.locator(".timeline")).to_contain_text("受理")
    page_text = phone.locator("main").inner_text()
    assert "王秀兰" not in page_text and "13931001234" not in page_text and "1号楼" not in page_text
    assert fits_the_screen(phone)
    screenshot("follow-qr-tracked")


def test_the_grid_worker_calls_back_from_the_list_and_records_the_grade(phone, live_server, login, screenshot,
                                                                        accounts, tree, category):
    staff, unit = accounts["community_staff"], accounts["unit_admin"]
    at = timezone.now() - datetime.timedelta(days=12)
    need = need_submit(actor=accounts["resident"], title="楼道扶手松动", place=tree["building"], at=at)
    need = need_act(actor=staff, need=need, action="accept", category=category, concern_level="annoyance",
                    at=at + datetime.timedelta(hours=1))
    need = need_act(actor=staff, need=need, action="publish", at=at + datetime.timedelta(hours=2))
    need = need_act(actor=unit, need=need, action="claim", at=at + datetime.timedelta(hours=3))
    need_act(actor=unit, need=need, action="resolve", note="加固了扶手", evidence="居民签字",
             at=at + datetime.timedelta(days=2))

    login("tqjy_grid1")
    phone.goto(f"{live_server.url}/needs/callbacks/")
    card = phone.locator("article.callback", has_text="楼道扶手松动")
    expect(card).to_contain_text("139****0008")
    assert "13900000008" not in phone.content()
    screenshot("follow-callbacks")
    card.get_by_role("button", name="显示号码并拨打").click()
    call = phone.locator('a[href="tel:13900000008"]')
    expect(call).to_be_visible()  # swapped into the card in place
    assert PersonalDataAccess.objects.filter(viewer=accounts["grid_worker"], person=need.reporter).count() == 1
    screenshot("follow-callback-call")
    card = phone.locator("article.callback", has_text="楼道扶手松动")
    card.get_by_label("满意", exact=True).check()
    card.get_by_label("回访记录").fill("扶手很牢固了")
    card.get_by_role("button", name="记录回访").click()
    expect(phone.locator(".messages")).to_contain_text("已记录回访")
    expect(phone.locator("article.callback")).to_have_count(0)
    need = Need.objects.get(pk=need.pk)
    assert (need.rating, need.rated_by_follow_up, need.state) == ("satisfied", True, "closed")
    assert fits_the_screen(phone)
    screenshot("follow-callback-recorded")
