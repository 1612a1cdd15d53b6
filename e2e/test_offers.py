"""The offers list on a phone (issue 13, "Done when"): 老人 `laoren` of 五里铺东社区 books a free ride of 大桥出租车公司
25 hours ahead (confirmed at once), is refused 23 hours ahead with the earliest bookable time shown, and the taxi
company's admin marks the ride fulfilled on the provider's page — all at 360 px."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def rides(root, tree, accounts):
    """大桥出租车公司's free rides for the elderly and residents with mobility difficulties of 五里铺东社区, booked at
    least 24 hours ahead and confirmed automatically; laoren, an elderly resident recorded as eligible by the
    community's staff; a ride 25 hours ahead and one 23 hours ahead."""
    from django.contrib.auth.models import User

    from offers import services
    from people.services import organisation_create, person_account_link, person_create, role_grant
    from places.services import place_create

    taxi = organisation_create(actor=root, kind="non_public_enterprise", name="大桥出租车公司", place=tree["grid2"])
    admin = User.objects.create_user("daqiao", password="pass-12345")
    role_grant(actor=root, user=admin, role="unit_admin", organisation=taxi)
    building = place_create(actor=root, kind="building", name="3号楼", code="620102010002001001003",
                            parent=tree["compound2"])
    laoren = User.objects.create_user("laoren", password="pass-12345")
    role_grant(actor=root, user=laoren, role="resident")
    person = person_create(actor=root, name="张秀兰", phone="13909316688", home=building, room="201",
                           is_resident=True)
    person_account_link(actor=root, person=person, user=laoren)
    staff = accounts["other_community_staff"]  # 五里铺东社区's
    for group in ("elderly", "mobility"):
        services.eligibility_record(actor=staff, person=person, group=group, note="身份证、残疾人证已核验")
    offer = services.offer_create(
        actor=admin, kind="transport", name="爱心出租车免费接送", organisation=taxi, communities=[tree["wlpd"]],
        description="为行动不便的老年人和残疾人免费接送就医、办事。", eligibility=["elderly", "mobility", "disabled"],
        min_notice_hours=24, horizon_days=30, confirmation="automatic", is_published=True)
    now = timezone.now().replace(second=0, microsecond=0)
    hour = datetime.timedelta(hours=1)
    far, near = (services.session_create(actor=admin, offer=offer, starts_at=now + h * hour,
                                         ends_at=now + (h + 1) * hour, capacity=1) for h in (25, 23))
    return {"offer": offer, "far": far, "near": near, "person": person, "admin": admin}


def test_laoren_books_a_ride_and_the_taxi_company_marks_it_fulfilled(page, live_server, login, screenshot, rides):
    from offers.models import Booking, Session
    from people.models import PersonalDataAccess

    page.set_viewport_size(PHONE)
    login("laoren")
    expect(page.get_by_role("link", name="爱心出租车免费接送")).to_be_visible()  # on her home: her community's offers
    screenshot("offers-home-laoren")

    page.goto(f"{live_server.url}/offers/")
    expect(page.get_by_role("heading", name="实事清单")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("offers-list")
    page.get_by_role("link", name="爱心出租车免费接送").click()
    expect(page.locator(".rules")).to_contain_text("需至少提前24小时预约")
    expect(page.locator(".sessions-week")).to_contain_text("时间太近")  # the ride 23 hours ahead: no button
    assert fits_the_screen(page)
    screenshot("offers-detail")

    # 25 hours ahead: booked and confirmed at once.
    page.locator(f"a[href='/offers/sessions/{rides['far'].pk}/book/']").click()
    page.get_by_label("备注").fill("五里铺东小区3号楼门口，需要轮椅")
    assert fits_the_screen(page)
    screenshot("offers-book")
    page.get_by_role("button", name="预约").click()
    expect(page.locator(".outcome")).to_have_text("预约成功：名额已确认。")
    expect(page.locator(".badge.state-confirmed")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("offers-booked")
    booking = Booking.objects.get(person=rides["person"])
    assert booking.state == "confirmed" and booking.session == rides["far"]

    # 23 hours ahead: refused, with the earliest time one may book, and nothing written.
    page.goto(f"{live_server.url}/offers/sessions/{rides['near'].pk}/book/")
    page.get_by_label("备注").fill("东门口")
    page.get_by_role("button", name="预约").click()
    refusal = page.locator(".form-errors")
    expect(refusal).to_contain_text("需至少提前24小时预约")
    expect(refusal).to_contain_text("最早可预约")
    expect(page.get_by_label("备注")).to_have_value("东门口")  # what she typed is kept
    assert fits_the_screen(page)
    screenshot("offers-book-refused")
    assert Booking.objects.filter(person=rides["person"]).count() == 1

    page.goto(f"{live_server.url}/offers/mine/")
    expect(page.locator(".booking-card").first).to_contain_text("爱心出租车免费接送")
    assert fits_the_screen(page)
    screenshot("offers-mine")

    # The day of the ride: the taxi company's admin sees it on the phone and marks it fulfilled.
    now = timezone.now()
    Session.objects.filter(pk=rides["far"].pk).update(starts_at=now - datetime.timedelta(seconds=1),
                                                      ends_at=now + datetime.timedelta(hours=1))
    page.context.clear_cookies()
    login("daqiao")
    page.goto(f"{live_server.url}/offers/provider/")
    card = page.locator(f"#booking-{booking.pk}")
    expect(card).to_contain_text("五里铺东小区3号楼门口")  # where to pick her up
    expect(card).to_contain_text("张*")  # her name masked until the number is asked for
    expect(card).not_to_contain_text("张秀兰")
    assert fits_the_screen(page)
    screenshot("offers-provider")
    card.get_by_role("button", name="显示号码并拨打").click()  # to call her before setting off: the view logged
    card = page.locator(f"#booking-{booking.pk}")
    expect(card.get_by_role("link", name="拨打 张秀兰 13909316688")).to_have_attribute("href", "tel:13909316688")
    assert PersonalDataAccess.objects.filter(viewer=rides["admin"], person=rides["person"]).count() == 1
    screenshot("offers-provider-call")
    card.get_by_role("button", name="已完成").click()
    expect(page.locator(".messages .success")).to_be_visible()
    booking.refresh_from_db()
    assert booking.state == "fulfilled"
    screenshot("offers-provider-done")
