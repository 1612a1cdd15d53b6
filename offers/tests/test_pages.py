"""The offers pages as each kind of user opens them: the public list and an offer's page (no personal data), booking
for oneself and by staff for a resident who phones, the refusals in the rule's words with nothing written, my
bookings, the provider's today and tomorrow, and managing offers and their sessions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from offers import services
from offers.models import Booking, Offer, Session
from people import scopes
from people.models import PersonalDataAccess
from people.services import person_create, role_grant

pytestmark = pytest.mark.django_db


def events():
    return Event.objects.count()


@pytest.fixture
def tqjy_resident(root, tree, accounts):
    """A resident of 天庆嘉园社区 (the offer serves it): the shared resident lives in 1号楼2单元."""
    return accounts["resident"]


@pytest.fixture
def member_offer(accounts, tree, root):
    """A party member's own offer (a lecture): the member is shown masked."""
    user = accounts["party_member"]
    role_grant(actor=root, user=user, role="party_member")
    return services.offer_create(actor=user, kind="lecture", name="家庭用电安全讲座", person=scopes.person_of(user),
                                 communities=[tree["tqjy"]], residents_only=False, is_published=True)


def login(client, user):
    client.force_login(user)
    return client


# --- The public list and an offer's page ---

def test_the_public_list_shows_the_offer_without_personal_data(client, offer, session, member_offer, tree):
    response = client.get(reverse("offers:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "爱心送考免费接送" in text and "兰州电影制片厂" in text and "天庆嘉园社区" in text
    assert "party_member用户" not in text and "p*" in text  # the member masked
    assert "余2个名额" in text  # the next session one can book, with its free places


def test_the_list_filters_by_kind_community_and_pinyin(client, root, offer, member_offer, tree):
    assert "家庭用电" not in client.get(reverse("offers:list"), {"kind": "transport"}).content.decode()
    found = client.get(reverse("offers:list"), {"q": "axsk"}).content.decode()
    assert "爱心送考免费接送" in found and "家庭用电" not in found
    services.offer_create(actor=root, kind="clinic", name="五里铺义诊", organisation=offer.organisation,
                          communities=[tree["wlpd"]], is_published=True)
    wlpd = client.get(reverse("offers:list"), {"community": tree["wlpd"].code, "q": "yz"}).content.decode()
    assert "爱心送考" not in wlpd and "五里铺义诊" in wlpd
    assert client.get(reverse("offers:list"), {"community": "nonsense", "page": "x"}).status_code == 200


def test_the_list_searches_the_communities_with_offers_instead_of_listing_them(client, root, offer, tree):
    from places.services import place_create

    for i in range(30):
        community = place_create(actor=root, kind="community", name=f"东岗{i}号社区", code=f"620102010{100 + i}",
                                 parent=tree["subdistrict"])
        services.offer_create(actor=root, kind="clinic", name=f"东岗{i}号义诊", organisation=offer.organisation,
                              communities=[community], is_published=True)
    url = reverse("offers:list")
    page = client.get(url).content.decode()
    assert 'name="community_q"' in page and "<option" not in page.split('name="kind"')[0]  # no list of them
    chosen = client.get(url, {"community": tree["tqjy"].code}).content.decode()
    assert "爱心送考免费接送" in chosen and "东岗7号义诊" not in chosen
    assert f'value="{tree["tqjy"].code}" checked' in chosen
    pick = reverse("places:pick", args=["offer_community"])
    assert "东岗7号社区" in client.get(pick, {"name": "community", "community_q": "东岗7号"}).content.decode()
    assert "五里铺东社区" not in client.get(pick, {"name": "community", "community_q": "wlpd"}).content.decode()
    # 五里铺东 has no offer: not on offer to filter by, the list unfiltered and the field saying so
    wlpd = client.get(url, {"community": tree["wlpd"].code}).content.decode()
    assert "号义诊" in wlpd and "该选项不可选" in wlpd


def test_an_unpublished_offer_is_missing_for_the_public(client, provider, offer):
    services.offer_update(actor=provider, offer=offer, is_published=False)
    assert client.get(reverse("offers:detail", args=[offer.pk])).status_code == 404
    assert login(client, provider).get(reverse("offers:detail", args=[offer.pk])).status_code == 200


def test_the_detail_shows_the_rules_in_words_and_a_week_of_sessions(client, offer, session, provider, now):
    soon = now + datetime.timedelta(hours=5)
    services.session_create(actor=provider, offer=offer, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    later = now + datetime.timedelta(days=9)
    services.session_create(actor=provider, offer=offer, starts_at=later, ends_at=later + datetime.timedelta(hours=1))
    response = client.get(reverse("offers:detail", args=[offer.pk]))
    text = response.content.decode()
    assert "需至少提前24小时预约" in text and "可预约未来30天" in text
    assert reverse("offers:book", args=[session.pk]) in text  # three days ahead: bookable
    assert "最早可预约" in text
    assert "?from=" in text  # the sessions after the week: the "later" link
    week2 = client.get(reverse("offers:detail", args=[offer.pk]), {"from": (timezone.localdate()
                                                                            + datetime.timedelta(days=7)).isoformat()})
    assert timezone.localtime(later).strftime("%H:%M") in week2.content.decode()
    assert client.get(reverse("offers:detail", args=[offer.pk]), {"from": "2021-02-30"}).status_code == 400


# --- Booking ---

def test_a_resident_books_for_themself_and_is_confirmed(client, tqjy_resident, session):
    login(client, tqjy_resident)
    assert client.get(reverse("offers:book", args=[session.pk])).status_code == 200
    response = client.post(reverse("offers:book", args=[session.pk]), {"seats": "1", "note": "1号楼2单元门口"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("offers:booking", args=[booking.pk])
    assert booking.state == "confirmed" and booking.note == "1号楼2单元门口"
    page = client.get(response["Location"]).content.decode()
    assert "预约成功" in page


def test_a_refusal_shows_the_rules_words_keeps_the_typing_and_writes_nothing(client, tqjy_resident, offer, provider,
                                                                              now):
    soon = now + datetime.timedelta(hours=23)
    session = services.session_create(actor=provider, offer=offer, starts_at=soon,
                                      ends_at=soon + datetime.timedelta(hours=1))
    login(client, tqjy_resident)
    before = events()
    response = client.post(reverse("offers:book", args=[session.pk]), {"seats": "1", "note": "东门口接"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "需至少提前24小时预约" in text and "最早可预约" in text and "东门口接" in text
    assert Booking.objects.count() == 0 and events() == before


def test_someone_without_a_record_cannot_book(client, accounts, session):
    login(client, accounts["unit_admin"])
    assert client.get(reverse("offers:book", args=[session.pk])).status_code == 403
    assert client.post(reverse("offers:book", args=[session.pk]), {"seats": "1"}).status_code == 403
    assert Booking.objects.count() == 0


def test_staff_book_for_a_resident_who_phones(client, accounts, session):
    staff, person = accounts["community_staff"], scopes.person_of(accounts["resident"])
    login(client, staff)
    found = client.get(reverse("offers:book_pick", args=[session.pk]),
                       {"name": "person", "person_q": person.phone[-4:]})
    assert f'value="{person.pk}"' in found.content.decode() and person.name not in found.content.decode()
    response = client.post(reverse("offers:book", args=[session.pk]), {"person": str(person.pk), "seats": "1"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.person == person and booking.booked_by == staff


def test_staff_of_another_community_find_nobody_and_book_nobody(client, accounts, session):
    person = scopes.person_of(accounts["resident"])
    login(client, accounts["other_community_staff"])
    found = client.get(reverse("offers:book_pick", args=[session.pk]), {"name": "person", "person_q": "resident"})
    assert f'value="{person.pk}"' not in found.content.decode()
    response = client.post(reverse("offers:book", args=[session.pk]), {"person": str(person.pk), "seats": "1"})
    assert response.status_code == 422 and Booking.objects.count() == 0


def test_the_person_picker_is_not_for_residents(client, tqjy_resident, session):
    assert login(client, tqjy_resident).get(reverse("offers:book_pick", args=[session.pk])).status_code == 404


# --- My bookings, cancelling, the provider's page ---

@pytest.fixture
def booking(tqjy_resident, session):
    return services.booking_request(actor=tqjy_resident, session=session, note="1号楼2单元门口")


def test_my_bookings_lists_and_cancels(client, tqjy_resident, booking):
    login(client, tqjy_resident)
    page = client.get(reverse("offers:mine")).content.decode()
    assert "爱心送考免费接送" in page and reverse("offers:booking_act", args=[booking.pk, "cancel"]) in page
    response = client.post(reverse("offers:booking_act", args=[booking.pk, "cancel"]), {"next": "mine"})
    assert response.status_code == 302 and response["Location"] == reverse("offers:mine")
    booking.refresh_from_db()
    assert booking.state == "cancelled"


def test_cancelling_after_the_notice_is_refused_in_words(client, tqjy_resident, provider, offer, booking, now):
    services.offer_update(actor=provider, offer=offer, cancel_notice_hours=100)
    login(client, tqjy_resident)
    page = client.get(reverse("offers:mine")).content.decode()
    assert "需至少提前100小时取消" in page  # why there is no cancel button
    assert reverse("offers:booking_act", args=[booking.pk, "cancel"]) not in page
    before = events()
    response = client.post(reverse("offers:booking_act", args=[booking.pk, "cancel"]), {"next": "mine"})
    assert response.status_code == 422 and "100" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == "confirmed" and events() == before


def test_someone_elses_booking_is_missing(client, accounts, booking):
    login(client, accounts["other_community_staff"])
    assert client.get(reverse("offers:booking", args=[booking.pk])).status_code == 404
    assert client.post(reverse("offers:booking_act", args=[booking.pk, "cancel"])).status_code == 404
    booking.refresh_from_db()
    assert booking.state == "confirmed"


def _tomorrow_at_ten(now):
    """A session tomorrow at 10:00 local, booked the 24 hours' notice before — whatever the hour the tests run at."""
    start = timezone.localtime(now).replace(hour=10, minute=0, second=0) + datetime.timedelta(days=1)
    return start, min(now, start - datetime.timedelta(hours=25))


def test_the_provider_sees_tomorrows_bookings_and_marks_them(client, provider, offer, tqjy_resident, now):
    start, booked = _tomorrow_at_ten(now)
    session = services.session_create(actor=provider, offer=offer, starts_at=start,
                                      ends_at=start + datetime.timedelta(hours=1))
    booking = services.booking_request(actor=tqjy_resident, session=session, note="东门口", at=booked)
    login(client, provider)
    day = "tomorrow"
    page = client.get(reverse("offers:provider"), {"day": day}).content.decode()
    assert "东门口" in page and "r*" in page  # the person masked, the pick-up note in full
    assert "resident用户" not in page
    later = start + datetime.timedelta(minutes=5)
    services.booking_fulfil(actor=provider, booking=booking, at=later)
    booking.refresh_from_db()
    assert booking.state == "fulfilled"


def test_the_provider_marks_fulfilled_from_the_page_on_the_day(client, provider, offer, tqjy_resident, now):
    offer_today = services.offer_create(actor=provider, kind="transport", name="当日接送",
                                        organisation=offer.organisation, communities=list(offer.communities.all()),
                                        is_published=True)
    start = now + datetime.timedelta(minutes=30)
    if timezone.localtime(start).date() != timezone.localdate():
        pytest.skip("the half hour ahead is tomorrow")
    session = services.session_create(actor=provider, offer=offer_today, starts_at=start,
                                      ends_at=start + datetime.timedelta(hours=1))
    booking = services.booking_request(actor=tqjy_resident, session=session)
    login(client, provider)
    page = client.get(reverse("offers:provider")).content.decode()
    assert reverse("offers:booking_act", args=[booking.pk, "fulfil"]) in page
    response = client.post(reverse("offers:booking_act", args=[booking.pk, "fulfil"]), {"next": "provider"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "fulfilled"


def test_the_provider_page_is_not_for_residents(client, tqjy_resident):
    assert login(client, tqjy_resident).get(reverse("offers:provider")).status_code == 403


def test_a_provider_confirms_or_declines_a_requested_booking(client, provider, offer, session, tqjy_resident):
    services.offer_update(actor=provider, offer=offer, confirmation="provider")
    booking = services.booking_request(actor=tqjy_resident, session=session)
    assert booking.state == "requested"
    login(client, provider)
    page = client.get(reverse("offers:booking", args=[booking.pk])).content.decode()
    assert reverse("offers:booking_act", args=[booking.pk, "decline"]) in page
    before = events()
    refused = client.post(reverse("offers:booking_act", args=[booking.pk, "decline"]), {"reason": ""})
    assert refused.status_code == 422 and events() == before
    client.post(reverse("offers:booking_act", args=[booking.pk, "confirm"]))
    booking.refresh_from_db()
    assert booking.state == "confirmed"


def test_a_resident_cannot_mark_their_own_booking_fulfilled(client, tqjy_resident, booking):
    login(client, tqjy_resident)
    before = events()
    assert client.post(reverse("offers:booking_act", args=[booking.pk, "fulfil"])).status_code == 403
    booking.refresh_from_db()
    assert booking.state == "confirmed" and events() == before


# --- Managing offers ---

def test_a_unit_admin_creates_an_offer_and_its_weekly_slots(client, provider, unit, tree):
    login(client, provider)
    assert client.get(reverse("offers:offer_create")).status_code == 200
    response = client.post(reverse("offers:offer_create"), {
        "kind": "clinic", "name": "社区义诊", "organisation": unit["organisation"].pk,
        "communities": [tree["tqjy"].pk], "min_notice_hours": "2", "horizon_days": "14", "cancel_notice_hours": "0",
        "per_person_days": "30", "confirmation": "automatic", "residents_only": "on", "bookable": "on",
        "is_published": "on", "eligibility": ["elderly"]})
    offer = Offer.objects.get(name="社区义诊")
    assert response.status_code == 302 and offer.eligibility == ["elderly"]
    assert offer.organisation == unit["organisation"]
    first = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("offers:sessions_repeat", args=[offer.pk]), {
        "weekdays": ["0", "2", "4"], "start": "09:00", "end": "11:00", "first_day": first.isoformat(),
        "last_day": (first + datetime.timedelta(days=13)).isoformat(), "capacity": "10"})
    assert response.status_code == 302 and Session.objects.filter(offer=offer).count() == 6
    page = client.get(reverse("offers:sessions", args=[offer.pk])).content.decode()
    assert "已约0/10" in page
    one = Session.objects.filter(offer=offer).first()
    client.post(reverse("offers:session_cancel", args=[one.pk]), {"reason": "医生临时出诊"})
    one.refresh_from_db()
    assert one.is_cancelled


def test_too_many_slots_are_refused_in_words(client, provider, offer):
    login(client, provider)
    before = events()
    response = client.post(reverse("offers:sessions_repeat", args=[offer.pk]), {
        "weekdays": [str(d) for d in range(7)], "start": "08:00", "end": "09:00", "first_day": "2031-01-01",
        "last_day": "2032-12-31", "capacity": "1"})
    assert response.status_code == 422 and "400" in response.content.decode()
    assert events() == before


def test_one_session_is_added(client, provider, offer):
    login(client, provider)
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(reverse("offers:session_create", args=[offer.pk]),
                           {"day": day.isoformat(), "start": "14:00", "end": "15:00", "capacity": "3"})
    assert response.status_code == 302 and Session.objects.filter(offer=offer, capacity=3).exists()
    refused = client.post(reverse("offers:session_create", args=[offer.pk]),
                          {"day": day.isoformat(), "start": "15:00", "end": "14:00", "capacity": "3"})
    assert refused.status_code == 422


def test_an_offer_is_edited_by_its_provider_only(client, provider, accounts, offer):
    assert login(client, accounts["resident"]).get(reverse("offers:offer_update", args=[offer.pk])).status_code == 403
    before = events()
    assert client.post(reverse("offers:offer_update", args=[offer.pk]), {"name": "x"}).status_code == 403
    assert events() == before
    assert client.post(reverse("offers:session_create", args=[offer.pk]), {}).status_code == 403
    login(client, provider)
    response = client.post(reverse("offers:offer_update", args=[offer.pk]), {
        "kind": "transport", "name": "爱心送考免费接送", "communities": [c.pk for c in offer.communities.all()],
        "min_notice_hours": "48", "horizon_days": "30", "cancel_notice_hours": "0", "per_person_days": "30",
        "confirmation": "automatic", "residents_only": "on", "bookable": "on", "is_published": "on"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.min_notice_hours == 48


def test_the_manage_pages_are_for_providers_and_staff(client, provider, accounts, offer):
    assert login(client, accounts["resident"]).get(reverse("offers:manage")).status_code == 403
    assert "爱心送考免费接送" in login(client, provider).get(reverse("offers:manage")).content.decode()
    staff_page = login(client, accounts["community_staff"]).get(reverse("offers:manage"))
    assert "爱心送考免费接送" in staff_page.content.decode()


def test_staff_pick_the_providing_unit(client, accounts, unit):
    login(client, accounts["community_staff"])
    found = client.get(reverse("offers:provider_pick"), {"name": "organisation", "organisation_q": "lzdy"})
    assert "兰州电影制片厂" in found.content.decode()
    assert login(client, accounts["resident"]).get(reverse("offers:provider_pick")).status_code == 404


def test_a_member_offer_is_shown_masked_on_its_page(client, member_offer):
    text = client.get(reverse("offers:detail", args=[member_offer.pk])).content.decode()
    assert "party_member用户" not in text


def test_the_provider_is_shown_the_number_and_the_view_is_logged(client, provider, booking, accounts):
    person = booking.person
    login(client, provider)
    page = client.get(reverse("offers:booking", args=[booking.pk])).content.decode()
    assert person.phone not in page and reverse("offers:booking_contact", args=[booking.pk]) in page
    response = client.post(reverse("offers:booking_contact", args=[booking.pk]))
    assert response.status_code == 200 and f"tel:{person.phone}" in response.content.decode()
    assert PersonalDataAccess.objects.filter(viewer=provider, person=person).count() == 1
    login(client, accounts["resident"])  # the booker: their own booking, not the provider's button
    before = PersonalDataAccess.objects.count()
    assert client.post(reverse("offers:booking_contact", args=[booking.pk])).status_code == 403
    assert PersonalDataAccess.objects.count() == before


def test_a_full_session_puts_the_resident_on_the_waiting_list(client, accounts, provider, offer, now, tree, root):
    start = now + datetime.timedelta(days=2)
    one = services.session_create(actor=provider, offer=offer, starts_at=start,
                                  ends_at=start + datetime.timedelta(hours=1), capacity=1)
    other = person_create(actor=root, name="王大妈", phone="13900001234", home=tree["entrance"], is_resident=True)
    services.booking_request(actor=accounts["community_staff"], session=one, person=other)
    login(client, accounts["resident"])
    assert "加入候补" in client.get(reverse("offers:book", args=[one.pk])).content.decode()
    response = client.post(reverse("offers:book", args=[one.pk]), {"seats": "1"})
    page = client.get(response["Location"]).content.decode()
    assert "候补名单" in page and Booking.objects.get(person=scopes.person_of(accounts["resident"])).state == "waiting"


def test_a_place_offered_from_the_waiting_list_is_taken_on_my_bookings(client, accounts, provider, offer, now, tree,
                                                                        root):
    start = now + datetime.timedelta(days=2)
    one = services.session_create(actor=provider, offer=offer, starts_at=start,
                                  ends_at=start + datetime.timedelta(hours=1), capacity=1)
    other = person_create(actor=root, name="王大妈", phone="13900001234", home=tree["entrance"], is_resident=True)
    first = services.booking_request(actor=accounts["community_staff"], session=one, person=other)
    waiting = services.booking_request(actor=accounts["resident"], session=one)
    services.booking_cancel(actor=accounts["community_staff"], booking=first, reason="身体不适")
    waiting.refresh_from_db()
    assert waiting.state == "offered"
    login(client, accounts["resident"])
    page = client.get(reverse("offers:mine")).content.decode()
    assert "有空余名额" in page and reverse("offers:booking_act", args=[waiting.pk, "take_place"]) in page
    response = client.post(reverse("offers:booking_act", args=[waiting.pk, "take_place"]), {"next": "mine"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == "confirmed"


def test_a_party_member_offers_in_their_own_name(client, accounts, tree, root):
    user = accounts["party_member"]
    role_grant(actor=root, user=user, role="party_member")
    login(client, user)
    assert client.get(reverse("offers:manage")).status_code == 200
    form = client.get(reverse("offers:offer_create")).content.decode()
    assert 'name="organisation"' not in form
    response = client.post(reverse("offers:offer_create"), {
        "kind": "consultation", "name": "法律咨询", "communities": [tree["tqjy"].pk], "min_notice_hours": "0",
        "horizon_days": "30", "cancel_notice_hours": "0", "per_person_days": "30", "confirmation": "provider",
        "bookable": "on"})
    offer = Offer.objects.get(name="法律咨询")
    assert response.status_code == 302 and offer.person == scopes.person_of(user) and not offer.is_published


def test_staff_create_an_offer_for_a_unit_they_pick(client, accounts, unit, tree):
    login(client, accounts["community_staff"])
    before = events()
    refused = client.post(reverse("offers:offer_create"), {
        "kind": "clinic", "name": "义诊", "organisation_q": "没有这个单位", "communities": [tree["tqjy"].pk],
        "min_notice_hours": "0", "horizon_days": "30", "cancel_notice_hours": "0", "per_person_days": "30",
        "confirmation": "automatic"})
    assert refused.status_code == 422 and events() == before
    response = client.post(reverse("offers:offer_create"), {
        "kind": "clinic", "name": "义诊", "organisation": str(unit["organisation"].pk),
        "communities": [tree["tqjy"].pk], "min_notice_hours": "0", "horizon_days": "30", "cancel_notice_hours": "0",
        "per_person_days": "30", "confirmation": "automatic", "is_published": "on", "bookable": "on"})
    assert response.status_code == 302 and Offer.objects.get(name="义诊").organisation == unit["organisation"]


def test_the_public_reads_the_description_without_phones(client, provider, offer):
    services.offer_update(actor=provider, offer=offer, description="请拨打13912345678预约，4号楼3单元502室集合")
    text = client.get(reverse("offers:detail", args=[offer.pk])).content.decode()
    assert "13912345678" not in text and "502室" not in text and "139****5678" in text
    assert "13912345678" in login(client, provider).get(reverse("offers:detail", args=[offer.pk])).content.decode()


def test_staff_see_the_days_bookings_of_their_area(client, accounts, provider, offer, tqjy_resident, now):
    start, booked = _tomorrow_at_ten(now)
    session = services.session_create(actor=provider, offer=offer, starts_at=start,
                                      ends_at=start + datetime.timedelta(hours=1))
    booking = services.booking_request(actor=tqjy_resident, session=session, note="东门口", at=booked)
    day = "tomorrow"
    page = login(client, accounts["community_staff"]).get(reverse("offers:provider"), {"day": day})
    assert page.status_code == 200 and f'id="booking-{booking.pk}"' in page.content.decode()
    other = login(client, accounts["other_community_staff"]).get(reverse("offers:provider"), {"day": day})
    assert f'id="booking-{booking.pk}"' not in other.content.decode()


def test_a_session_beyond_the_horizon_says_when_it_opens(client, provider, offer, now):
    start = now + datetime.timedelta(days=33)
    session = services.session_create(actor=provider, offer=offer, starts_at=start,
                                      ends_at=start + datetime.timedelta(hours=1))
    week = timezone.localtime(start).date().isoformat()
    text = client.get(reverse("offers:detail", args=[offer.pk]), {"from": week}).content.decode()
    opens = timezone.localtime(start - datetime.timedelta(days=30))
    assert f"{opens.month}月{opens.day}日 {opens:%H:%M}起可预约" in text
    assert reverse("offers:book", args=[session.pk]) not in text
