"""Signed webhooks (Standard Webhooks): which events another system may hear of, what each message says, and how it
is sent and retried.

- Which events make which type, and where a message may go: interop.webhook_rules (services check with it too).
- `event_heard` receives core.events.event_appended inside the writer's transaction: when an active subscription
  wants the type, it writes one WebhookDelivery per subscription there (an outbox: the change and its messages
  commit or roll back together) and enqueues the send on commit. Nobody subscribed costs one cache read.
- A payload holds what the public may read: a need through needs.public, text through people.public.public_text.
- `delivery_send` POSTs the JSON signed with the subscription's secret (webhook-id, webhook-timestamp,
  webhook-signature); a 2xx is delivered, 410 Gone disables the subscription, anything else is tried again on the
  spec's schedule (`RETRY_DELAYS`, ±10% jitter) until the last try fails. The minutely task sends whatever is due
  (`deliveries_send_due`), so a lost task or a restart delays a message, never loses it.
- The target is checked again at each send (webhook_rules.target_refusal: the name may resolve elsewhere by now).
"""

import datetime
import json
import logging
import random
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import db_task
from standardwebhooks import Webhook

from core.events import event_time
from interop.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from interop.services import webhook_subscription_disable
from interop.webhook_rules import event_type_of, target_refusal, wanted_types
from meetings.selectors import meeting_public
from needs.permissions import system_user
from needs.public import need_view
from people.public import place_path

log = logging.getLogger(__name__)


# Standard Webhooks' schedule: the first try at once, then after each failure these waits (then failed).
RETRY_DELAYS = [datetime.timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
                                                        10 * 3600)]
ATTEMPTS_MAX = 1 + len(RETRY_DELAYS)
JITTER = 0.1
ERROR_MAX = 300  # the columns' length
DUE_BATCH = 100  # deliveries one run of the minutely task sends at most; the next run takes the rest


# --- Who listens ----------------------------------------------------------------------------------------------

def event_heard(sender, event, subject, **kwargs) -> None:
    """core.events.event_appended, in the writer's transaction: the deliveries of the change, written with it. An
    admin's replay (interop.services, which cannot import this module) is sent from here too, once it commits."""
    if event.verb == "webhook_delivery_replay":
        transaction.on_commit(lambda: webhook_send(subject.pk))
        return
    event_type = event_type_of(event)  # first: most events make no message, and need no cache read
    if event_type is None or event_type not in wanted_types():
        return
    subscriptions = [s for s in WebhookSubscription.objects.filter(is_active=True) if event_type in s.event_types]
    if not subscriptions:
        return
    payload = {"type": event_type, "timestamp": event.at.isoformat(), "data": payload_data(event_type, subject)}
    for subscription in subscriptions:
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, message_id=f"msg_{secrets.token_urlsafe(18)}", event_type=event_type,
            payload=payload, created_at=event.at, next_attempt_at=event.at)
        transaction.on_commit(lambda pk=delivery.pk: webhook_send(pk))


# --- What a message says: only what the public may read ---------------------------------------------------

def _url(name: str, pk: int) -> str:
    return f"{settings.POSTERS_BASE_URL}{reverse(name, args=[pk])}"


def _need(need) -> dict:
    """A need as a visitor reads it: community › grid, the title with no name or room; the title of a need its
    reporter kept from the public (is_public off) not at all."""
    view = need_view(need, AnonymousUser())
    return {"id": need.pk, "title": view.title if need.is_public else "", "public": need.is_public,
            "place": view.place, "state": need.state,
            "state_label": str(need.get_state_display()), "category": need.category.name if need.category_id else "",
            "holder": need.holder_label, "url": _url("needs:detail", need.pk)}


def _booking(booking) -> dict:
    session = booking.session
    return {"id": booking.pk, "state": booking.state, "state_label": str(booking.get_state_display()),
            "offer": {"id": session.offer_id, "title": session.offer.name, "url": _url("offers:detail",
                                                                                      session.offer_id)},
            "session": {"id": session.pk, "starts_at": session.starts_at.isoformat()}}


def _activity(activity) -> dict:
    return {"id": activity.pk, "title": activity.name, "starts_at": activity.starts_at.isoformat(),
            "ends_at": activity.ends_at.isoformat(), "place": place_path(activity.place),
            "url": _url("volunteering:detail", activity.pk)}


def _resolution(resolution) -> dict:
    meeting = meeting_public(resolution.meeting)  # the public's reading: names on record replaced, no phone
    shown = next(r for r in meeting["resolutions"] if r["id"] == resolution.pk)
    return {"id": resolution.pk, "number": shown["number"], "title": shown["title"], "text": shown["text"],
            "state": shown["state"], "meeting": {"id": meeting["id"], "title": meeting["title"],
                                                 "body": meeting["body"]}}


PAYLOADS = {"need": _need, "booking": _booking, "activity": _activity, "resolution": _resolution}


def payload_data(event_type: str, subject) -> dict:
    return PAYLOADS[event_type.split(".")[0]](subject)


# --- Sending --------------------------------------------------------------------------------------------------

def _claim(pk: int, now) -> WebhookDelivery | None:
    """Take a due delivery for this try: its next time moved past the try's timeout, so that another worker (the
    minutely task, a replay) does not send it at the same time."""
    lease = now + datetime.timedelta(seconds=settings.WEBHOOKS_TIMEOUT + 60)
    claimed = WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
                                              subscription__is_active=True).update(
        next_attempt_at=lease)
    return WebhookDelivery.objects.select_related("subscription").get(pk=pk) if claimed else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer (3xx: not delivered, retried), never followed: it could lead to an
    address the target check refused."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST of the message: (status code, error); the timestamp is the try's, as the spec has it."""
    subscription = delivery.subscription
    if refusal := target_refusal(subscription.url):
        return None, refusal
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
    stamp = datetime.datetime.now(datetime.UTC)
    headers = {"content-type": "application/json", "webhook-id": delivery.message_id,
               "webhook-timestamp": str(int(stamp.timestamp())),
               "webhook-signature": Webhook(subscription.secret).sign(delivery.message_id, stamp, body),
               "user-agent": "minsheng-webhooks"}
    request = urllib.request.Request(subscription.url, data=body.encode(), headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (OSError, ValueError) as error:
        return None, str(error)[:ERROR_MAX] or type(error).__name__


def retry_at(attempts: int, now) -> datetime.datetime | None:
    """When to try again after `attempts` failed tries (±10% jitter), or None: no more tries."""
    if attempts >= ATTEMPTS_MAX:
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return now + delay * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (spread, not secrecy)


def delivery_send(pk: int, now=None) -> WebhookDelivery | None:
    """Try a due delivery once, record the try, and set what comes next. None when it was not due."""
    now = event_time(now)
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    started = time.monotonic()
    status_code, error = _post(delivery)
    WebhookAttempt.objects.create(delivery=delivery, at=now, status_code=status_code, error=error,
                                  duration_ms=int((time.monotonic() - started) * 1000))
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif status_code == 410:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        webhook_subscription_disable(actor=system_user(), subscription=delivery.subscription,
                                     reason=str(_("The receiver answered 410 Gone.")))
    else:
        delivery.next_attempt_at = retry_at(delivery.attempts, now)
        if delivery.next_attempt_at is None:
            delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at",
                                 "next_attempt_at"])
    if delivery.status == DeliveryStatus.FAILED and status_code != 410:
        log.warning("webhook %s to subscription %s failed after %d tries", delivery.message_id,
                    delivery.subscription_id, delivery.attempts)
    return delivery


def deliveries_send_due(now=None) -> int:
    """Send the deliveries whose time has come (the minutely task): the retries, and any whose task was lost."""
    now = event_time(now)
    due = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
                                              subscription__is_active=True)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:DUE_BATCH])
    return sum(1 for pk in due if delivery_send(pk, now) is not None)


@db_task()
def webhook_send(pk: int):
    """One try of a new or replayed delivery, enqueued when its transaction commits (as core.notify's messages)."""
    delivery_send(pk)
