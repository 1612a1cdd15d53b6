"""Signed webhooks: a real receiver on 127.0.0.1 (a thread of http.server) verifies every delivery with
standardwebhooks; the retry schedule is driven by calling the due task with a moved clock, never by sleeping."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from core.events import VERBS
from core.models import Event
from interop import webhook_rules, webhooks
from interop.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from interop.services import (
    webhook_delivery_replay,
    webhook_subscription_create,
    webhook_subscription_disable,
    webhook_subscription_update,
)
from meetings.services import resolution_decide, resolution_propose
from needs.services import need_act, need_submit
from offers.services import booking_request
from volunteering.services import activity_create, activity_update


class Receiver:
    """An HTTP server answering the statuses it is given in turn (the last one then on), keeping what it got."""

    def __init__(self, statuses):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def verified(self, secret):
        """Every delivery's payload, each checked with the secret as a receiver does (raises if one is not)."""
        return [Webhook(secret).verify(body, headers)
                for headers, body in self.received]

    def ids(self):
        return [headers["webhook-id"] for headers, _body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    made = []

    def make(*statuses):
        made.append(Receiver(statuses or (200,)))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def subscribe(root, django_capture_on_commit_callbacks):
    def make(url, *types):
        with django_capture_on_commit_callbacks(execute=True):
            return webhook_subscription_create(actor=root, url=url, event_types=list(types))
    return make


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """A workflow action, committed: its deliveries' send task runs (huey is immediate in tests)."""
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return need_act(**kwargs)
    return run


def test_a_500_is_retried_on_the_schedule_with_the_same_id_then_delivered(receiver, subscribe, act, published,
                                                                          accounts):
    hook = receiver(500, 500, 200)
    subscription, secret = subscribe(hook.url, "need.claimed")
    assert secret.startswith("whsec_")
    act(actor=accounts["unit_admin"], need=published, action="claim")

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    first_try = delivery.tries.get().at
    wait = delivery.next_attempt_at - first_try  # 5 s ± 10%
    assert datetime.timedelta(seconds=4.5) <= wait <= datetime.timedelta(seconds=5.5)
    assert webhooks.deliveries_send_due(now=first_try + datetime.timedelta(seconds=4)) == 0  # not yet due
    assert len(hook.received) == 1

    assert webhooks.deliveries_send_due(now=first_try + datetime.timedelta(seconds=6)) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (2, DeliveryStatus.PENDING)
    wait = delivery.next_attempt_at - (first_try + datetime.timedelta(seconds=6))  # 5 min ± 10%
    assert datetime.timedelta(minutes=4.5) <= wait <= datetime.timedelta(minutes=5.5)

    assert webhooks.deliveries_send_due(now=first_try + datetime.timedelta(minutes=6)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert [t.status_code for t in delivery.tries.all()] == [500, 500, 200]
    assert hook.ids() == [delivery.message_id] * 3 and delivery.message_id.startswith("msg_")
    payloads = hook.verified(secret)
    assert payloads[0] == payloads[2] == {"type": "need.claimed", "timestamp": payloads[0]["timestamp"],
                                          "data": payloads[0]["data"]}
    assert payloads[0]["data"]["id"] == published.pk and payloads[0]["data"]["state"] == "claimed"
    assert webhooks.deliveries_send_due(now=first_try + datetime.timedelta(days=2)) == 0  # nothing more


def test_the_schedule_ends_in_failed_after_the_last_try(receiver, subscribe, act, published, accounts):
    hook = receiver(503)
    subscription, _secret = subscribe(hook.url, "need.claimed")
    act(actor=accounts["unit_admin"], need=published, action="claim")
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    moment = delivery.tries.get().at
    while delivery.status == DeliveryStatus.PENDING:
        moment = delivery.next_attempt_at
        webhooks.deliveries_send_due(now=moment)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, webhooks.ATTEMPTS_MAX)
    assert delivery.tries.count() == len(hook.received) == 8 and set(hook.ids()) == {delivery.message_id}
    tries = list(delivery.tries.all())
    waits = [later.at - earlier.at for earlier, later in zip(tries, tries[1:], strict=False)]
    for wait, delay in zip(waits, webhooks.RETRY_DELAYS, strict=True):  # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
        assert delay * 0.9 <= wait <= delay * 1.1


def test_a_410_disables_the_subscription_and_nothing_more_is_sent(receiver, subscribe, act, published, accounts):
    hook = receiver(410)
    subscription, _secret = subscribe(hook.url, "need.claimed", "need.resolved")
    act(actor=accounts["unit_admin"], need=published, action="claim")
    subscription.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert not subscription.is_active and "410" in subscription.disabled_reason
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert Event.objects.filter(verb="webhook_subscription_disable", subject_id=str(subscription.pk)).count() == 1

    act(actor=accounts["unit_admin"], need=published, action="resolve", note="已修好", evidence="照片")
    assert WebhookDelivery.objects.count() == 1  # a disabled subscription gets no new deliveries
    assert webhooks.deliveries_send_due(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert len(hook.received) == 1


def test_claimed_and_resolved_payloads_carry_no_name_phone_or_room(receiver, subscribe, act, accounts, tree,
                                                                    category):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "need.claimed", "need.resolved", "need.published")
    community, unit = accounts["community_staff"], accounts["unit_admin"]
    need = need_submit(actor=accounts["resident"], title="resident用户家4号楼3单元502室漏水，电话13900000008",
                       description="resident用户说漏了三天", place=tree["building"], category=category)
    need = need_act(actor=community, need=need, action="accept", category=category, concern_level="worry")
    act(actor=community, need=need, action="publish")
    act(actor=unit, need=need, action="claim")
    act(actor=unit, need=need, action="resolve", note="已修好，resident用户签字", evidence="照片")

    payloads = hook.verified(secret)
    assert [p["type"] for p in payloads] == ["need.published", "need.claimed", "need.resolved"]
    assert payloads[2]["data"]["state"] == "resolved" and payloads[1]["data"]["holder"]
    assert payloads[1]["data"]["url"].endswith(f"/needs/{need.pk}/")
    text = json.dumps(payloads, ensure_ascii=False)
    # "502室", not "502": a timestamp's microseconds may hold those digits
    for personal in ("resident用户", "13900000008", "502室", "4号楼", "1号楼"):
        assert personal not in text
    assert "某某" in payloads[0]["data"]["title"]


def test_a_need_kept_from_the_public_is_told_without_its_title(receiver, subscribe, accounts, tree, category,
                                                               django_capture_on_commit_callbacks):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "need.submitted")
    with django_capture_on_commit_callbacks(execute=True):
        need = need_submit(actor=accounts["resident"], title="家里水管漏水", place=tree["building"],
                           category=category, is_public=False)
    (payload,) = hook.verified(secret)
    assert payload["data"]["id"] == need.pk and payload["data"]["public"] is False
    assert payload["data"]["title"] == "" and "水管" not in json.dumps(payload, ensure_ascii=False)


def test_a_redirect_is_not_followed(receiver, subscribe, act, published, accounts):
    hook = receiver(302)
    subscription, _secret = subscribe(hook.url, "need.claimed")
    act(actor=accounts["unit_admin"], need=published, action="claim")
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.last_status_code, len(hook.received)) == (DeliveryStatus.PENDING, 302, 1)


def test_a_rolled_back_action_leaves_no_delivery(receiver, subscribe, published, accounts,
                                                 django_capture_on_commit_callbacks):
    hook = receiver(200)
    subscribe(hook.url, "need.claimed")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                need_act(actor=accounts["unit_admin"], need=published, action="claim")
                raise RuntimeError("the writer's transaction fails after the event")
    assert WebhookDelivery.objects.count() == 0 and callbacks == [] and hook.received == []


def test_nobody_subscribed_writes_nothing(receiver, subscribe, act, published, accounts):
    act(actor=accounts["unit_admin"], need=published, action="claim")
    assert WebhookDelivery.objects.count() == 0
    subscribe(receiver().url, "booking.cancelled")  # another type only
    act(actor=accounts["unit_admin"], need=published, action="resolve", note="已修好", evidence="照片")
    assert WebhookDelivery.objects.count() == 0


def test_a_booking_confirmed_at_once_is_delivered_without_the_person(receiver, subscribe, session, accounts,
                                                                     django_capture_on_commit_callbacks):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "booking.confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_request(actor=accounts["resident"], session=session)
    assert booking.state == "confirmed"  # the offer confirms automatically
    (payload,) = hook.verified(secret)
    assert payload["type"] == "booking.confirmed"
    assert payload["data"]["offer"]["title"] == "爱心送考免费接送"
    assert payload["data"]["session"]["id"] == session.pk
    assert "resident用户" not in json.dumps(payload, ensure_ascii=False)


def test_an_activity_published_is_delivered(receiver, subscribe, leader, team, tree, now,
                                            django_capture_on_commit_callbacks):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "activity.published")
    start = now + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        draft = activity_create(actor=leader, kind="clean_up", name="周六环境清洁", place=tree["building"],
                                starts_at=start, ends_at=start + datetime.timedelta(hours=2), team=team,
                                is_published=False)
    assert hook.received == []  # not published yet
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(actor=leader, activity=draft, is_published=True)
    (payload,) = hook.verified(secret)
    assert payload["type"] == "activity.published" and payload["data"]["id"] == draft.pk
    assert payload["data"]["title"] == "周六环境清洁" and "1号楼" not in payload["data"]["place"]


def test_a_resolution_adopted_is_delivered_in_public_words(receiver, subscribe, held, staff,
                                                           django_capture_on_commit_callbacks):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "resolution.adopted")
    rejected = resolution_propose(actor=staff, meeting=held, title="拆除车棚")
    adopted = resolution_propose(actor=staff, meeting=held, title="3号楼楼道清理",
                                 text="委员一牵头，电话13800000001，4号楼3单元502室配合")
    with django_capture_on_commit_callbacks(execute=True):
        resolution_decide(actor=staff, resolution=rejected, votes_for=0, votes_against=4)
        resolution_decide(actor=staff, resolution=adopted, votes_for=4)
    (payload,) = hook.verified(secret)
    assert payload["type"] == "resolution.adopted" and payload["data"]["id"] == adopted.pk
    assert payload["data"]["meeting"]["id"] == held.pk
    assert payload["data"]["title"] == "某楼楼道清理"  # a building in general terms, as on the public page
    for personal in ("委员一", "13800000001", "502"):
        assert personal not in payload["data"]["text"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest", "http://[::1]/hook", "http://0.0.0.0/"])
def test_a_private_target_is_refused_when_subscribing(root, url):
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_create(actor=root, url=url, event_types=["need.claimed"])
    assert "内网" in str(refused.value)  # 该地址位于内网、本机回环或保留网段
    assert not WebhookSubscription.objects.exists() and not Event.objects.filter(
        verb="webhook_subscription_create").exists()


@pytest.mark.parametrize("url, types", [("ftp://example.com/hook", ["need.claimed"]), ("not a url", ["need.claimed"]),
                                        ("https://example.com/hook", ["need.eaten"]), ("https://example.com/", [])])
def test_a_bad_url_or_event_type_is_refused(root, settings, url, types):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the URL's form and the types are checked all the same
    with pytest.raises(ValidationError):
        webhook_subscription_create(actor=root, url=url, event_types=types)
    assert not WebhookSubscription.objects.exists()


def test_a_private_target_is_refused_again_at_send(receiver, subscribe, act, published, accounts, settings):
    hook = receiver(200)
    subscription, _secret = subscribe(hook.url, "need.claimed")
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # as if the name now resolved to a private address
    act(actor=accounts["unit_admin"], need=published, action="claim")
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert hook.received == [] and delivery.last_status_code is None
    assert "内网" in delivery.last_error and delivery.status == DeliveryStatus.PENDING


def test_replay_sends_again_with_the_same_id(receiver, subscribe, act, published, accounts, root,
                                             django_capture_on_commit_callbacks):
    hook = receiver(200)
    _subscription, secret = subscribe(hook.url, "need.claimed")
    act(actor=accounts["unit_admin"], need=published, action="claim")
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(PermissionDenied):
        webhook_delivery_replay(actor=accounts["community_staff"], delivery=delivery)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_replay(actor=root, delivery=delivery)
    delivery.refresh_from_db()
    assert hook.ids() == [delivery.message_id] * 2 and len(hook.verified(secret)) == 2
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.tries.count() == 2
    assert Event.objects.filter(verb="webhook_delivery_replay").count() == 1


def test_only_an_admin_manages_subscriptions(accounts, root, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    for role in ("subdistrict_admin", "community_staff", "resident"):
        with pytest.raises(PermissionDenied):
            webhook_subscription_create(actor=accounts[role], url="https://example.com/h", event_types=["need.closed"])
    subscription, _secret = webhook_subscription_create(actor=root, url="https://example.com/h",
                                                        event_types=["need.closed"])
    with pytest.raises(PermissionDenied):
        webhook_subscription_disable(actor=accounts["subdistrict_admin"], subscription=subscription)
    webhook_subscription_update(actor=root, subscription=subscription, event_types=["need.closed", "need.claimed"])
    assert WebhookSubscription.objects.get().event_types == ["need.closed", "need.claimed"]
    webhook_subscription_disable(actor=root, subscription=subscription)
    assert not WebhookSubscription.objects.get().is_active


def test_every_event_type_comes_from_a_declared_verb():
    events = {"need.submitted": ("need.submit", {"from": None, "to": "submitted"}),
              "need.closed": ("need.rate", {"from": "resolved", "to": "closed"}),
              "booking.confirmed": ("booking.request", {"from": None, "to": "confirmed"}),
              "activity.published": ("activity_update", {"is_published": True, "fields": ["is_published"]}),
              "resolution.adopted": ("resolution_decide", {"state": "adopted"})}
    for expected, (verb, data) in events.items():
        assert verb in VERBS and webhook_rules.event_type_of(Event(verb=verb, data=data)) == expected
    assert webhook_rules.event_type_of(Event(verb="need.rate", data={"from": "closed", "to": "closed"})) is None
    assert webhook_rules.event_type_of(Event(verb="resolution_decide", data={"state": "rejected"})) is None
    assert webhook_rules.event_type_of(Event(verb="activity_update", data={"fields": ["name"]})) is None


# --- The admin API ---

def test_the_api_is_for_admins_only(client, accounts):
    assert client.get("/api/v1/webhooks").status_code == 401
    client.force_login(accounts["subdistrict_admin"])
    for method, path in (("get", "/api/v1/webhooks"), ("post", "/api/v1/webhooks"),
                         ("post", "/api/v1/webhooks/1/disable"), ("get", "/api/v1/webhooks/1/deliveries"),
                         ("post", "/api/v1/webhooks/deliveries/1/replay")):
        response = getattr(client, method)(path, data={"url": "https://example.com/h", "event_types": ["need.claimed"]}
                                           if path == "/api/v1/webhooks" and method == "post" else None,
                                           content_type="application/json")
        assert response.status_code == 403 and "detail" in response.json(), path
    assert not WebhookSubscription.objects.exists()


def test_the_api_creates_lists_disables_and_replays(client, root, receiver, act, published, accounts):
    hook = receiver(200)
    client.force_login(root)
    response = client.post("/api/v1/webhooks", {"url": hook.url, "event_types": ["need.claimed"]},
                           content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]

    act(actor=accounts["unit_admin"], need=published, action="claim")
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries").json()
    assert log["count"] == 1 and log["items"][0]["status"] == "delivered"
    assert log["items"][0]["tries"][0]["status_code"] == 200
    replayed = client.post(f"/api/v1/webhooks/deliveries/{log['items'][0]['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["message_id"] == log["items"][0]["message_id"]

    bad = client.post("/api/v1/webhooks", {"url": hook.url, "event_types": ["need.eaten"]},
                      content_type="application/json")
    assert bad.status_code == 422 and "event_types" in bad.json()["errors"]
    assert client.post(f"/api/v1/webhooks/{created['id']}/disable").json()["is_active"] is False
    assert client.post("/api/v1/webhooks/999999/disable").status_code == 404


# --- The admin pages ---

def test_the_admin_creates_a_subscription_showing_its_secret_once_and_replays(client, root, receiver, act,
                                                                            published, accounts, settings,
                                                                            django_capture_on_commit_callbacks):
    hook = receiver(200)
    client.force_login(root)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    refused = client.post("/admin/interop/webhooksubscription/add/", {
        "url": "http://10.0.0.8/hook", "event_types": ["need.claimed"], "description": ""})
    assert refused.status_code == 200 and not WebhookSubscription.objects.exists()  # the form says why
    assert "内网" in refused.content.decode()
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/interop/webhooksubscription/add/", {
            "url": hook.url, "event_types": ["need.claimed"], "description": "区级大屏"}, follow=True)
    subscription = WebhookSubscription.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(subscription.secret in m for m in shown)
    assert subscription.secret not in client.get(f"/admin/interop/webhooksubscription/{subscription.pk}/change/"
                                                 ).content.decode()
    assert client.get("/admin/interop/webhooksubscription/").status_code == 200

    act(actor=accounts["unit_admin"], need=published, action="claim")
    delivery = WebhookDelivery.objects.get()
    page = client.get(f"/admin/interop/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and delivery.message_id in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/interop/webhookdelivery/", {"action": "replay", "_selected_action": [delivery.pk]})
    assert hook.ids() == [delivery.message_id] * 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/interop/webhooksubscription/", {"action": "disable",
                                                             "_selected_action": [subscription.pk]})
    assert not WebhookSubscription.objects.get().is_active
