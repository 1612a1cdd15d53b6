"""The offers pages cost the same number of queries for a page of 2 offers or bookings as for a full page: the public
list, managing offers, the provider's day (a page of cards at a time) and my bookings read what each card shows
once for the page, never once per card (measured on a demo of 2,000 offers, 5,000 sessions and 3,000 bookings)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offers import services
from offers.models import Booking, Offer, Session
from offers.views import PROVIDER_PAGE
from people import scopes
from people.models import Person

pytestmark = pytest.mark.django_db


def offers_with_sessions(provider, offer, now, n):
    """n published offers like `offer`, each with a session within its notice, a full one and a free one."""
    made = []
    for i in range(n):
        one = services.offer_create(actor=provider, kind="clinic", name=f"量测义诊{i:02d}",
                                    organisation=offer.organisation, communities=list(offer.communities.all()),
                                    min_notice_hours=24, is_published=True)
        for hours, capacity in ((5, 3), (30, 1), (50, 4)):
            start = now + datetime.timedelta(hours=hours)
            services.session_create(actor=provider, offer=one, starts_at=start,
                                    ends_at=start + datetime.timedelta(hours=1), capacity=capacity)
        made.append(one)
    return made


def fill(session, people):
    at = session.starts_at
    Booking.objects.bulk_create([Booking(session=session, person=p, state="confirmed", seats=1, created_at=at,
                                         changed_at=at) for p in people])


def residents(tree, n):
    return Person.objects.bulk_create([Person(name=f"量测居民{i}", home=tree["entrance"], is_resident=True)
                                       for i in range(n)])


def count_queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # the session and the user read once, as on every page
    connection.queries_log.clear()  # (a full log would capture nothing)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200 and len(context.captured_queries) > 2
    return len(context.captured_queries), response.content.decode()


def test_the_public_list_reads_the_next_session_of_a_page_of_offers_at_once(client, provider, offer, tree):
    now = timezone.now()
    few = offers_with_sessions(provider, offer, now, 2)
    for one in few:  # the session 30 hours ahead is full: the card shows the next one, 50 hours ahead
        fill(Session.objects.get(offer=one, capacity=1), residents(tree, 1))
    small, text = count_queries(client, reverse("offers:list"))
    assert text.count("余4个名额") == 2  # the session within the notice and the full one passed over
    offers_with_sessions(provider, offer, now, 12)
    full, _ = count_queries(client, reverse("offers:list"))
    assert full == small <= 8


def test_managing_offers_reads_their_sessions_once_for_the_page(client, provider, offer):
    now = timezone.now()
    offers_with_sessions(provider, offer, now, 2)
    client.force_login(provider)
    small, _ = count_queries(client, reverse("offers:manage"))
    offers_with_sessions(provider, offer, now, 18)
    full, text = count_queries(client, reverse("offers:manage"))
    assert full == small <= 16 and Offer.objects.count() == 21


def _today_session(provider, offer, capacity):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(hours=23)
    return services.session_create(actor=provider, offer=offer, starts_at=start,
                                   ends_at=start + datetime.timedelta(minutes=30), capacity=capacity)


def test_the_provider_day_is_a_page_of_cards_read_at_once(client, provider, offer, tree, accounts):
    session = _today_session(provider, offer, 200)
    fill(session, residents(tree, 2))
    client.force_login(provider)
    small, _ = count_queries(client, reverse("offers:provider"))
    fill(session, residents(tree, PROVIDER_PAGE + 10))
    full, text = count_queries(client, reverse("offers:provider"))
    assert full == small <= 12
    assert text.count('class="booking-card"') == PROVIDER_PAGE and 'href="?page=2"' in text
    second, text = count_queries(client, reverse("offers:provider"), {"page": 2})
    assert text.count('class="booking-card"') == 12 and second == small
    # A button on page 2 comes back to page 2 of the same day: refused in words (confirmed already: whatever the
    # hour the tests run at), or done.
    booking = Booking.objects.filter(session=session).order_by("-pk").first()
    assert booking.state == "confirmed"
    refused = client.post(reverse("offers:booking_act", args=[booking.pk, "confirm"]),
                          {"next": "provider", "day": "today", "page": 2})
    assert refused.status_code == 409 and refused.content.decode().count('class="booking-card"') == 12
    done = client.post(reverse("offers:booking_act", args=[booking.pk, "cancel"]),
                       {"next": "provider", "day": "today", "page": 2, "reason": "车辆故障"})
    assert done.status_code == 302 and done["Location"] == reverse("offers:provider") + "?day=today&page=2"
    # Staff see their area's bookings of the day beside their own offers', as few queries.
    client.force_login(accounts["community_staff"])
    staff, text = count_queries(client, reverse("offers:provider"))
    assert staff <= 14 and text.count('class="booking-card"') == PROVIDER_PAGE


def test_my_bookings_read_their_offers_once(client, provider, offer, tree, accounts, now):
    resident = accounts["resident"]
    person = scopes.person_of(resident)
    client.force_login(resident)
    for hours in (30, 40):
        start = now + datetime.timedelta(hours=hours)
        services.booking_request(actor=resident, session=services.session_create(
            actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1)))
    small, _ = count_queries(client, reverse("offers:mine"))
    for hours in range(50, 50 + 20 * 15, 15):
        start = now + datetime.timedelta(hours=hours)
        fill(services.session_create(actor=provider, offer=offer, starts_at=start,
                                     ends_at=start + datetime.timedelta(hours=1)), [person])
    full, text = count_queries(client, reverse("offers:mine"))
    assert full == small <= 14 and text.count('class="booking-card"') == 22
