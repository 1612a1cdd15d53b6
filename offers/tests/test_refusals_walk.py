"""The issue's bad input, as a resident meets it on the booking page and an app through the API: too late, too far
ahead, more places than the session has, not eligible, not a resident of the communities served, over the per-person
limit, the same session twice, cancelling after the notice, an offer that needs no booking. Each answers 422 with the
rule's Chinese words (the page above its form, the API under errors.__all__, as JSON) and writes nothing."""

import datetime

import pytest
from django.urls import reverse

from core.models import Event
from offers import services
from offers.models import Booking
from people import scopes
from people.services import api_token_issue

pytestmark = pytest.mark.django_db


def _session(provider, offer, now, hours, capacity=2):
    start = now + datetime.timedelta(hours=hours)
    return services.session_create(actor=provider, offer=offer, starts_at=start,
                                   ends_at=start + datetime.timedelta(hours=1), capacity=capacity)


def _refused_both_ways(client, user, session, words, seats=1):
    """The page and the API refuse the booking in the same words, nothing written."""
    written = Booking.objects.count(), Event.objects.count()
    client.force_login(user)
    page = client.post(reverse("offers:book", args=[session.pk]), {"seats": str(seats), "note": "东门口"})
    assert page.status_code == 422 and words in page.content.decode(), page.content.decode()[-3000:]
    client.logout()
    api = client.post("/api/v1/bookings", {"session": session.pk, "seats": seats}, content_type="application/json",
                      headers={"Authorization": f"Bearer {api_token_issue(user=user)[0]}"})
    assert api.status_code == 422 and api["Content-Type"].startswith("application/json")
    assert words in api.json()["errors"]["__all__"][0]
    assert (Booking.objects.count(), Event.objects.count() - 1) == written  # (the token's issue is an event)


@pytest.mark.parametrize("case", ["too late", "too far ahead", "more places than it has", "not eligible",
                                  "not a resident", "the same session twice", "needs no booking"])
def test_a_booking_refused_on_the_page_and_in_the_api(client, accounts, provider, offer, tree, now, case):
    resident = accounts["resident"]
    session = _session(provider, offer, now, 48)
    words = {"too late": "需至少提前24小时预约，最早可预约：", "too far ahead": "最多可提前30天预约",
             "more places than it has": "此场次共2个名额，最多可预约2个", "not eligible": "此项服务仅面向：残疾人",
             "not a resident": "此项服务仅面向天庆嘉园社区的居民", "the same session twice": "您已预约此场次",
             "needs no booking": "无需预约"}[case]
    seats, user = 1, resident
    if case == "too late":
        session = _session(provider, offer, now, 23)
    elif case == "too far ahead":
        session = _session(provider, offer, now, 24 * 40)
    elif case == "more places than it has":
        seats = 3
    elif case == "not eligible":
        services.offer_update(actor=provider, offer=offer, eligibility=["disabled"])
    elif case == "not a resident":
        user = accounts["party_member"]  # on record, living outside 天庆嘉园社区
        person = scopes.person_of(user)
        person.home = tree["grid2"]
        person.save()
    elif case == "the same session twice":
        services.booking_request(actor=resident, session=session)
    elif case == "needs no booking":
        services.offer_update(actor=provider, offer=offer, bookable=False)
    _refused_both_ways(client, user, session, words, seats)


def test_over_the_per_person_limit_on_the_page_and_in_the_api(client, accounts, provider, offer, now):
    services.offer_update(actor=provider, offer=offer, per_person_limit=1)
    services.booking_request(actor=accounts["resident"], session=_session(provider, offer, now, 48))
    _refused_both_ways(client, accounts["resident"], _session(provider, offer, now, 72),
                       "每人每30天最多预约1次，下次可预约：")


def test_cancelling_after_the_notice_on_the_page_and_in_the_api(client, accounts, provider, offer, now):
    services.offer_update(actor=provider, offer=offer, cancel_notice_hours=2, min_notice_hours=0)
    session = _session(provider, offer, now, 1)
    booking = services.booking_request(actor=accounts["resident"], session=session)
    events = Event.objects.count()
    client.force_login(accounts["resident"])
    page = client.post(reverse("offers:booking_act", args=[booking.pk, "cancel"]), {"reason": "", "next": "mine"})
    assert page.status_code == 422 and "需至少提前2小时取消，最晚可在" in page.content.decode()
    client.logout()
    api = client.post(f"/api/v1/bookings/{booking.pk}/actions/cancel", {}, content_type="application/json",
                      headers={"Authorization": f"Bearer {api_token_issue(user=accounts['resident'])[0]}"})
    assert api.status_code == 422 and "需至少提前2小时取消" in api.json()["errors"]["__all__"][0]
    assert Booking.objects.get(pk=booking.pk).state == "confirmed" and Event.objects.count() == events + 1
