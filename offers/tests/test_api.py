"""The offers list and bookings in the API: the same rules and booking_act as the pages; refusals 422 with the
rule's words, conflicts 409, a booking one may not read 404, an action one may not take on a visible one 403,
and no 500 on odd input (ids 0 or huge, an unknown action, extra keys, wrong types)."""

import datetime

import pytest
from django.utils import timezone

from core.api import MAX_ID
from offers.models import Booking
from offers.services import booking_request, offer_create, offer_update, session_create
from people.masking import mask_name
from people.services import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client):
    def call(user, method, url, json=None):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"} if user else {}
        if method == "get":
            return client.get(f"/api/v1{url}", json, headers=headers)
        return client.post(f"/api/v1{url}", json or {}, content_type="application/json", headers=headers)
    call.client = client
    return call


def test_the_offers_list_filters_by_community_kind_and_words(call, offer, accounts, provider, tree, unit):
    other = offer_create(actor=provider, kind="clinic", name="义诊进社区", organisation=unit["organisation"],
                         communities=[tree["wlpd"]], is_published=True)
    offer_create(actor=provider, kind="lecture", name="未发布的讲座", organisation=unit["organisation"],
                 communities=[tree["tqjy"]])
    names = lambda body: [o["name"] for o in body["items"]]  # noqa: E731
    everything = call(accounts["resident"], "get", "/offers").json()
    assert names(everything) == ["义诊进社区", "爱心送考免费接送"]
    assert names(call(accounts["resident"], "get", "/offers", {"community": tree["tqjy"].code}).json()) == [
        "爱心送考免费接送"]
    assert names(call(accounts["resident"], "get", "/offers", {"community": tree["grid2"].code}).json()) == [
        "义诊进社区"]
    assert names(call(accounts["resident"], "get", "/offers", {"kind": "clinic"}).json()) == ["义诊进社区"]
    assert names(call(accounts["resident"], "get", "/offers", {"q": "jiesong"}).json()) == ["爱心送考免费接送"]
    first = call(accounts["resident"], "get", "/offers", {"limit": 1}).json()
    assert names(first) == ["义诊进社区"] and first["next"] == other.pk
    assert names(call(accounts["resident"], "get", "/offers", {"limit": 1, "before": first["next"]}).json()) == [
        "爱心送考免费接送"]
    for bad in ({"community": "天庆"}, {"kind": "party"}, {"limit": 0}, {"before": 0}, {"q": "x" * 51}):
        assert call(accounts["resident"], "get", "/offers", bad).status_code == 422
    assert names(call(None, "get", "/offers").json()) == names(everything)  # public: no token needed


def test_a_visitor_reads_the_published_offers_as_the_public_pages_show_them(call, offer, session, accounts,
                                                                             provider, unit, tree):
    from people import scopes

    member = accounts["party_member"]
    own = offer_create(actor=member, kind="consultation", name="法律咨询", person=scopes.person_of(member),
                       communities=[tree["tqjy"]], is_published=True,
                       description="party_member用户 律师，电话 13800001234，住 3单元502室")
    hidden = offer_create(actor=provider, kind="lecture", name="未发布的讲座", organisation=unit["organisation"],
                          communities=[tree["tqjy"]])
    listed = call(None, "get", "/offers")
    assert listed.status_code == 200 and [o["name"] for o in listed.json()["items"]] == ["法律咨询", "爱心送考免费接送"]
    one = call(None, "get", f"/offers/{own.pk}").json()
    assert one["provider"] == mask_name("party_member用户")
    for text in ("party_member用户", "13800001234", "502室"):
        assert text not in str(one) and text not in str(listed.json())
    assert call(member, "get", f"/offers/{own.pk}").json()["description"].startswith("party_member用户")  # its own
    detail = call(None, "get", f"/offers/{offer.pk}")
    assert detail.status_code == 200 and [s["id"] for s in detail.json()["sessions"]] == [session.pk]
    assert call(None, "get", f"/offers/{hidden.pk}").status_code == 404
    assert call(accounts["resident"], "get", f"/offers/{hidden.pk}").status_code == 404
    assert call(provider, "get", f"/offers/{hidden.pk}").status_code == 200  # a token: those who manage it
    client_logged_in = call.client
    client_logged_in.force_login(provider)
    assert client_logged_in.get(f"/api/v1/offers/{hidden.pk}").status_code == 200  # or the session
    client_logged_in.logout()
    bad = client_logged_in.get("/api/v1/offers", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "令牌" in bad.json()["detail"]  # a token sent must be valid


def test_an_offer_with_its_sessions_and_free_places(call, offer, session, accounts, provider):
    booking_request(actor=accounts["resident"], session=session)
    body = call(accounts["party_member"], "get", f"/offers/{offer.pk}").json()
    assert body["provider"] == "兰州电影制片厂" and body["min_notice_hours"] == 24
    assert [(s["id"], s["capacity"], s["free"]) for s in body["sessions"]] == [(session.pk, 2, 1)]
    assert "resident用户" not in str(body)
    offer_update(actor=provider, offer=offer, is_published=False)
    assert call(accounts["party_member"], "get", f"/offers/{offer.pk}").status_code == 404
    assert call(provider, "get", f"/offers/{offer.pk}").status_code == 200  # its provider still sees it
    for pk in (0, MAX_ID, MAX_ID + 1, 10**30):
        assert call(provider, "get", f"/offers/{pk}").status_code in (404, 422)


def test_booking_through_the_api(call, session, accounts):
    got = call(accounts["resident"], "post", "/bookings", {"session": session.pk, "note": "小区门口"})
    assert got.status_code == 201, got.content
    body = got.json()
    assert body["state"] == "confirmed" and body["person"] == "resident用户"  # their own name, in full
    assert [e["action"] for e in body["events"]] == ["request", "confirm"] and "cancel" in body["actions"]
    again = call(accounts["resident"], "post", "/bookings", {"session": session.pk})
    assert again.status_code == 422 and "您已预约此场次" in again.json()["errors"]["__all__"][0]


def test_a_refusal_is_422_with_the_rules_words_and_writes_nothing(call, offer, provider, accounts, now):
    soon = session_create(actor=provider, offer=offer, starts_at=now + datetime.timedelta(hours=23),
                          ends_at=now + datetime.timedelta(hours=24))
    got = call(accounts["resident"], "post", "/bookings", {"session": soon.pk})
    assert got.status_code == 422 and "需至少提前24小时预约，最早可预约：" in got.json()["errors"]["__all__"][0]
    assert Booking.objects.count() == 0


def test_odd_bodies_are_422_never_500(call, session, accounts):
    for body in ({}, {"session": 0}, {"session": MAX_ID}, {"session": MAX_ID + 1}, {"session": "x"},
                 {"session": session.pk, "seats": 0}, {"session": session.pk, "seats": 10**6},
                 {"session": session.pk, "state": "confirmed"}, {"session": session.pk, "note": "x" * 301},
                 {"session": session.pk, "person": 10**12}, {"session": [1]}):
        got = call(accounts["resident"], "post", "/bookings", body)
        assert got.status_code == 422, (body, got.status_code, got.content)
    assert Booking.objects.count() == 0


def test_staff_book_for_a_resident_who_phones(call, session, accounts, resident):
    got = call(accounts["community_staff"], "post", "/bookings", {"session": session.pk, "person": resident.pk})
    assert got.status_code == 201 and got.json()["state"] == "confirmed"
    outside = call(accounts["other_community_staff"], "post", "/bookings",
                   {"session": session.pk, "person": resident.pk})
    assert outside.status_code == 422  # a person they may not open is as one that does not exist
    assert Booking.objects.count() == 1


def test_lists_mine_my_offers_and_my_area(call, session, accounts, provider, resident):
    mine = booking_request(actor=accounts["resident"], session=session)
    theirs = booking_request(actor=accounts["party_member"], session=session)

    def ids(user, of=None):
        got = call(user, "get", "/bookings", {"of": of} if of else None)
        assert got.status_code == 200, got.content
        return [b["id"] for b in got.json()["items"]]

    assert ids(accounts["resident"]) == [mine.pk] == ids(accounts["resident"], "mine")
    assert ids(provider, "provider") == [theirs.pk, mine.pk] == ids(provider)
    assert ids(provider, "mine") == []
    assert ids(accounts["community_staff"], "scope") == [theirs.pk, mine.pk]
    assert ids(accounts["other_community_staff"]) == []
    assert call(accounts["resident"], "get", "/bookings", {"of": "all"}).status_code == 422
    body = call(provider, "get", f"/bookings/{mine.pk}").json()
    assert body["person"] == mask_name("resident用户")  # the provider reads it masked


def test_actions_answer_200_403_404_409_422(call, offer, provider, session, accounts):
    offer_update(actor=provider, offer=offer, confirmation="provider")
    booking = booking_request(actor=accounts["resident"], session=session)
    url = f"/bookings/{booking.pk}/actions"
    assert call(accounts["resident"], "post", f"{url}/confirm").status_code == 403
    assert call(accounts["other_community_staff"], "post", f"{url}/confirm").status_code == 404
    assert call(provider, "post", f"{url}/decline", {}).status_code == 422
    assert call(provider, "post", f"{url}/decline", {"reason": "x", "extra": 1}).status_code == 422
    assert call(provider, "post", f"{url}/teleport").status_code == 404
    assert call(provider, "post", f"{url}/offer_place").status_code == 404  # the system's: no endpoint
    assert call(provider, "post", "/bookings/0/actions/confirm").status_code in (404, 422)
    assert call(provider, "post", f"/bookings/{MAX_ID}/actions/confirm").status_code == 404
    assert call(provider, "post", f"/bookings/{10**30}/actions/confirm").status_code in (404, 422)
    ok = call(provider, "post", f"{url}/confirm")
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    assert call(accounts["resident"], "post", f"{url}/cancel", {"reason": "有事"}).json()["state"] == "cancelled"
    again = call(accounts["resident"], "post", f"{url}/cancel", {})
    assert again.status_code == 409 and again.json()["state"] == "cancelled" and "已取消" in again.json()["detail"]
    assert Booking.objects.get(pk=booking.pk).state == "cancelled"


def test_a_page_of_bookings_costs_a_few_queries_per_booking(call, offer, provider, accounts, now,
                                                            django_assert_max_num_queries):
    from people import scopes

    person = scopes.person_of(accounts["resident"])
    for day in range(10):
        start = now + datetime.timedelta(days=2, hours=day)
        session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(
            hours=1))
        booking_request(actor=accounts["community_staff"], session=session, person=person)
    headers = {"Authorization": f"Bearer {api_token_issue(user=provider)[0]}"}
    from django.test import Client

    client = Client()
    client.get("/api/v1/bookings", headers=headers)  # the token's first use records it
    with django_assert_max_num_queries(30):
        got = client.get("/api/v1/bookings", headers=headers)
    assert got.status_code == 200 and len(got.json()["items"]) == 10
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ten:
        client.get("/api/v1/bookings", headers=headers)
    for day in range(10, 40):  # a page of 40: as many queries as a page of 10 (names read for the page at once)
        start = now + datetime.timedelta(days=2, hours=day)
        session = session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(
            hours=1))
        booking_request(actor=accounts["community_staff"], session=session, person=person)
    staff = {"Authorization": f"Bearer {api_token_issue(user=accounts['community_staff'])[0]}"}
    client.get("/api/v1/bookings", headers=staff)
    client.get("/api/v1/bookings", headers=headers)  # the caller read again: the bookings above moved its version
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as forty:
        got = client.get("/api/v1/bookings", headers=headers)
    assert len(got.json()["items"]) == 40 and len(forty) == len(ten)
    assert {b["person"] for b in got.json()["items"]} == {mask_name(person.name)}  # the provider: masked
    assert {b["person"] for b in client.get("/api/v1/bookings", headers=staff).json()["items"]} == {person.name}


# --- An offer's sessions (GET /api/v1/offers/{id}/sessions) ---

def test_an_offers_sessions_with_their_free_places_soonest_first_and_paged(call, offer, session, provider,
                                                                           resident, accounts, now):
    later = session_create(actor=provider, offer=offer, starts_at=now + datetime.timedelta(days=5),
                           ends_at=now + datetime.timedelta(days=5, hours=1), capacity=3)
    session_create(actor=provider, offer=offer, starts_at=now - datetime.timedelta(days=1),
                   ends_at=now - datetime.timedelta(hours=23), capacity=3)  # begun: not to come
    booking_request(actor=accounts["resident"], session=session, person=resident, seats=2)
    body = call(None, "get", f"/offers/{offer.pk}/sessions").json()  # public, as the offer
    assert body["count"] == 2
    assert [(s["id"], s["capacity"], s["free"]) for s in body["items"]] == [(session.pk, 2, 0), (later.pk, 3, 3)]
    page = call(accounts["resident"], "get", f"/offers/{offer.pk}/sessions", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [s["id"] for s in page["items"]] == [later.pk]
    day = timezone.localdate(later.starts_at)
    only = call(None, "get", f"/offers/{offer.pk}/sessions", {"starts_from": day.isoformat()}).json()
    assert [s["id"] for s in only["items"]] == [later.pk]
    before = call(None, "get", f"/offers/{offer.pk}/sessions",
                  {"starts_until": (day - datetime.timedelta(days=1)).isoformat()}).json()
    assert [s["id"] for s in before["items"]] == [session.pk]


def test_the_sessions_of_an_unpublished_offer_are_its_managers_only(call, offer, session, provider, accounts):
    offer_update(actor=provider, offer=offer, is_published=False)
    assert call(provider, "get", f"/offers/{offer.pk}/sessions").json()["count"] == 1
    for user in (None, accounts["resident"], accounts["other_community_staff"]):
        hidden = call(user, "get", f"/offers/{offer.pk}/sessions")
        assert hidden.status_code == 404 and "detail" in hidden.json()


@pytest.mark.parametrize("url, params, status", [
    ("/offers/999999/sessions", {}, 404), (f"/offers/{MAX_ID + 1}/sessions", {}, 422),
    ("/offers/0/sessions", {}, 422), ("/offers/x/sessions", {}, 404),
    ("/offers/{offer}/sessions", {"limit": 0}, 422), ("/offers/{offer}/sessions", {"starts_from": "2021-13-01"}, 422),
    ("/offers/{offer}/sessions", {"offset": -1}, 422)])
def test_bad_values_for_the_sessions_answer_in_the_error_shape(call, offer, url, params, status):
    response = call(None, "get", url.format(offer=offer.pk), params)
    assert response.status_code == status and "detail" in response.json()
