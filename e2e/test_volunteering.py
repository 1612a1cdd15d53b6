"""Volunteering on a phone (issue 14, "Done when"), at 360 px: a resident of 天庆嘉园 registers as a volunteer and
signs up for the Saturday clean-up and waste-sorting drive of 天庆嘉园社区 (a weekly series), checks in with the URL
the organiser's check-in QR code encodes; 天庆嘉园's community staff propose the hours from the check-ins and
certify them all; the volunteer asks for a certificate, downloads the PDF (read, and drawn to PNG to look at), and
its QR code opens the public verification page."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import PHONE
from places.tests.qr import expected, page_modules, pdf_pages, svg_modules

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def clean_up(root, tree, accounts):
    """天庆嘉园社区居民委员会's clean-up every Saturday morning: this week's about to start (check-in open, sign-up
    still open), three more weeks of it."""
    from people.services import organisation_create
    from volunteering import services

    office = organisation_create(actor=root, kind="community_office", name="天庆嘉园社区居民委员会", place=tree["tqjy"],
                                 contact_phone="0931-8123456")
    staff = accounts["community_staff"]
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=20)
    first = services.activity_create(
        actor=staff, kind="clean_up", name="周六环境清洁与垃圾分类", place=tree["tqjy"], organisation=office,
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), capacity=20,
        description="社区+物业+志愿者：清理楼道、绿化带和卫生死角，在小区门口宣传垃圾分类。")
    services.activities_repeat(actor=staff, activity=first, last_day=(start + datetime.timedelta(days=21)).date())
    return {"activity": first, "office": office}


def test_a_volunteer_signs_up_checks_in_by_qr_and_gets_a_verifiable_certificate(page, live_server, login, screenshot,
                                                                                clean_up):
    from volunteering.models import Activity, Certificate, ServiceHours, Signup

    base, activity = live_server.url, clean_up["activity"]
    page.set_viewport_size(PHONE)

    # The resident finds the clean-up, registers as a volunteer on the way, and signs up.
    login("resident1")
    page.goto(f"{base}/volunteering/")
    expect(page.get_by_role("heading", name="志愿活动")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("volunteering-list")
    page.locator(f"a[href='/volunteering/{activity.pk}/']").click()
    expect(page.locator(".facts")).to_contain_text("天庆嘉园社区居民委员会")
    page.get_by_role("link", name="登记为志愿者").click()
    assert fits_the_screen(page)
    screenshot("volunteering-register")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".messages .success")).to_contain_text("ZY")
    page.get_by_role("button", name="报名").click()
    expect(page.locator(".messages .success")).to_contain_text("报名成功")
    expect(page.locator(".badge.state-signed_up")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("volunteering-signed-up")

    # At the activity the organiser's phone shows the check-in code; the volunteer scans it (opens its URL).
    page.context.clear_cookies()
    login("tqjy_staff")
    page.goto(f"{base}/volunteering/{activity.pk}/code/")
    url = page.locator(".qr-url a").inner_text()
    assert url == f"{base}/volunteering/{activity.pk}/c/{activity.checkin_code}/"
    assert svg_modules(page.content()) == expected(url)  # the code drawn is that URL
    assert fits_the_screen(page)
    screenshot("volunteering-checkin-code")
    page.context.clear_cookies()
    login("resident1")
    page.goto(url)
    assert fits_the_screen(page)
    screenshot("volunteering-checkin")
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".messages .success")).to_contain_text("已签到")
    expect(page.get_by_role("button", name="签退")).to_be_visible()
    screenshot("volunteering-checked-in")
    signup = Signup.objects.get(activity=activity)
    assert signup.checked_in_at is not None

    # Two hours later (the activity and the check-in moved back, as the clock would have): it has ended.
    shift = datetime.timedelta(hours=2, minutes=30)
    Activity.objects.filter(pk=activity.pk).update(starts_at=activity.starts_at - shift,
                                                   ends_at=activity.ends_at - shift)
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=activity.starts_at - shift)

    # The organiser proposes the hours from the check-ins and certifies them all.
    page.context.clear_cookies()
    login("tqjy_staff")
    page.goto(f"{base}/volunteering/{activity.pk}/list/")
    expect(page.locator(".roster-row")).to_contain_text("resident用户")
    page.get_by_role("button", name="按签到生成时长").click()
    expect(page.locator(".hours-line")).to_contain_text("2.00小时")
    page.get_by_role("button", name="全部认证（1）").click()
    expect(page.locator(".badge.state-certified")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("volunteering-certified")
    entry = ServiceHours.objects.get(activity=activity)
    assert entry.state == "certified" and entry.hours == 2

    # The volunteer's record shows the hours; they ask for a certificate and download it.
    page.context.clear_cookies()
    login("resident1")
    page.goto(f"{base}/volunteering/me/")
    expect(page.locator(".vol-summary .total")).to_have_text("2")
    expect(page.locator(".services")).to_contain_text("周六环境清洁与垃圾分类")
    page.get_by_label("单位负责人").fill("李主任")
    page.get_by_label("联系电话").fill("0931-8123456")
    assert fits_the_screen(page)
    screenshot("volunteering-mine")
    page.get_by_role("button", name="出具证明").click()
    expect(page.locator(".messages .success")).to_contain_text("已出具")
    certificate = Certificate.objects.get()
    with page.expect_download() as download:
        page.get_by_role("link", name=certificate.number).click()
    content = Path(download.value.path()).read_bytes()
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "volunteering-certificate.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(folder / "volunteering-certificate.pdf"),
                    str(folder / "volunteering-certificate")], check=True)  # looked at: var/screenshots
    sheet = pdf_pages(content)[0]
    text = "".join(sheet.extract_text().split())
    assert "志愿服务记录证明" in text and "resident用户" in text and certificate.number in text and "2.00" in text
    verify = f"{base}/volunteering/verify/{certificate.number}/"
    assert page_modules(sheet) == expected(verify)  # its QR code opens the verification page

    # Anyone who scans it reads the certificate as it was issued.
    page.context.clear_cookies()
    page.goto(verify)
    expect(page.locator(".verified")).to_contain_text("该证明真实有效")
    expect(page.locator(".verified")).to_contain_text("resident用户")
    expect(page.locator(".verified")).to_contain_text("天庆嘉园社区居民委员会")
    expect(page.locator(".verified")).not_to_contain_text("0931-8123456")
    assert fits_the_screen(page)
    screenshot("volunteering-verified")
    altered = certificate.number[:-1] + ("A" if certificate.number[-1] != "A" else "B")
    response = page.goto(f"{base}/volunteering/verify/{altered}/")
    assert response.status == 404
    expect(page.locator(".not-found")).to_contain_text("未找到该证明")
    screenshot("volunteering-not-found")
