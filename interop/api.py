"""Webhook subscriptions in the API (/api/v1/webhooks), for administrators only (403 to anyone else): list and
create them (the secret answered once), disable one, read its delivery log and replay a delivery. The writes go
through interop.services, as the admin's do."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from core.api import Body, Detail, FieldErrors, Id, Offset, refused
from core.services import require
from interop import webhook_rules
from interop.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from interop.services import webhook_delivery_replay, webhook_subscription_create, webhook_subscription_disable
from people import scopes

router = Router(tags=["webhooks"])

def _admin(request) -> None:
    require(scopes.is_superuser(request.user))


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    disabled_reason: str
    created_at: datetime.datetime
    disabled_at: datetime.datetime | None


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="whsec_…: the key to verify its deliveries with; shown only in this answer")


class SubscriptionPage(Schema):
    count: int
    items: list[SubscriptionOut]


class SubscriptionIn(Body):
    url: str = Field(max_length=500, description="http:// or https:// on a public address")
    event_types: list[str] = Field(min_length=1, max_length=len(webhook_rules.EVENT_TYPES),
                                         description="among " + ", ".join(webhook_rules.EVENT_TYPES))
    description: str = Field("", max_length=200)


class AttemptOut(Schema):
    at: datetime.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    message_id: str = Field(description="the webhook-id header, the same on every retry and replay")
    event_type: str
    payload: dict
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    tries: list[AttemptOut]

    @staticmethod
    def resolve_tries(delivery):
        return list(delivery.tries.all())


class DeliveryPage(Schema):
    count: int
    items: list[DeliveryOut]


class Paging(Schema):
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


ADMIN_ERRORS = {401: Detail, 403: Detail}


@router.get("", response={200: SubscriptionPage, **ADMIN_ERRORS}, summary="Webhook subscriptions (admins)")
def subscription_list(request, paging: Query[Paging]):
    _admin(request)
    subscriptions = WebhookSubscription.objects.order_by("-created_at", "-id")
    return {"count": subscriptions.count(),
            "items": list(subscriptions[paging.offset:paging.offset + paging.limit])}


@router.post("", response={201: SubscriptionCreatedOut, 422: FieldErrors, **ADMIN_ERRORS},
             summary="Subscribe a URL to event types: the answer holds its secret, once")
def subscription_create(request, payload: SubscriptionIn):
    _admin(request)
    try:
        subscription, secret = webhook_subscription_create(actor=request.user, url=payload.url,
                                                           event_types=payload.event_types,
                                                           description=payload.description)
    except ValidationError as error:
        return refused(error)
    return Status(201, {**SubscriptionOut.from_orm(subscription).model_dump(), "secret": secret})


@router.post("/{int:subscription_id}/disable", response={200: SubscriptionOut, 404: Detail, **ADMIN_ERRORS},
             summary="Disable a subscription: nothing more is sent to it")
def subscription_disable(request, subscription_id: Id):
    _admin(request)
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    return webhook_subscription_disable(actor=request.user, subscription=subscription)


@router.get("/{int:subscription_id}/deliveries", response={200: DeliveryPage, 404: Detail, **ADMIN_ERRORS},
            summary="A subscription's delivery log, newest first, with each try")
def delivery_list(request, subscription_id: Id, paging: Query[Paging]):
    _admin(request)
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    deliveries = subscription.deliveries.order_by("-created_at", "-id").prefetch_related("tries")
    return {"count": deliveries.count(), "items": list(deliveries[paging.offset:paging.offset + paging.limit])}


@router.post("/deliveries/{int:delivery_id}/replay",
             response={200: DeliveryOut, 404: Detail, 422: FieldErrors, **ADMIN_ERRORS},
             summary="Send a delivery again now, with the same webhook-id")
def delivery_replay(request, delivery_id: Id):
    _admin(request)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    try:
        webhook_delivery_replay(actor=request.user, delivery=delivery)
    except ValidationError as error:
        return refused(error)
    return WebhookDelivery.objects.prefetch_related("tries").get(pk=delivery.pk)
