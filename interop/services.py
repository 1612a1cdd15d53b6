"""Every write of the interfaces: Open311 client applications, webhook subscriptions and their deliveries, SMS
opt-outs. Events name the records, never a key, a secret or a phone."""

import base64
import hashlib
import re
import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import event_append, event_time, verbs_declare
from core.services import ValidationError, require, validated
from interop import webhook_rules
from interop.models import DeliveryStatus, Open311Client, SmsOptOut, WebhookDelivery, WebhookSubscription
from needs.models import Channel
from needs.permissions import system_user
from people import scopes
from people.masking import mask_phone
from people.models import Person

verbs_declare({
    "open311_client_issue": "an Open311 client application given an api_key (shown once; only its hash kept)",
    "open311_client_revoke": "an Open311 client's api_key revoked: its requests are refused from then on",
    "webhook_subscription_create": "a webhook subscription created (its URL's host and event types; the secret "
                                   "shown once)",
    "webhook_subscription_update": "a webhook subscription's URL, event types or state changed (the fields named)",
    "webhook_subscription_disable": "a webhook subscription disabled: by an admin, or by a receiver's 410 Gone",
    "webhook_delivery_replay": "a webhook delivery sent again by an admin (the same webhook-id)",
    "sms_opt_out": "a phone number opted out of SMS (by its owner, a reply or staff; the number is not recorded)",
    "sms_opt_in": "a phone number that had opted out receives SMS again",
})


def key_hash(key: str) -> str:
    """Only an api_key's SHA-256 is stored: a copy of the database cannot file requests."""
    return hashlib.sha256(key.encode()).hexdigest()


def _require_admin(actor):
    require(scopes.is_superuser(actor), _("Only an administrator may manage the interfaces to other systems."))


# --- Open311 client applications ---

@transaction.atomic
def open311_client_issue(*, actor, name: str, channel: str = Channel.OPEN311, contact: str = "",
                         at=None) -> tuple[Open311Client, str]:
    """A new client application and its api_key (returned once, never stored)."""
    _require_admin(actor)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the needs it files were found.")})
    key = secrets.token_urlsafe(32)
    client = validated(Open311Client(name=name.strip(), key_hash=key_hash(key), key_prefix=key[:8], channel=channel,
                                     contact=contact.strip(), created_by=actor, created_at=at or timezone.now()),
                       exclude=["created_by"])
    client.save()
    event_append(actor=actor, verb="open311_client_issue", subject=client, data={"channel": channel}, at=at)
    return client, key


@transaction.atomic
def open311_client_revoke(*, actor, client: Open311Client, at=None) -> Open311Client:
    _require_admin(actor)
    if client.revoked_at is None:
        client.revoked_at = at or timezone.now()
        client.save(update_fields=["revoked_at"])
        event_append(actor=actor, verb="open311_client_revoke", subject=client, at=at)
    return client


# --- SMS opt-outs ---

def phone_key(phone: str) -> str:
    """A phone number as its opt-out is kept: the SHA-256 of its digits (0931-8123456 and 09318123456 are one)."""
    return hashlib.sha256(re.sub(r"\D", "", phone).encode()).hexdigest()


VIA = {"account", "reply", "staff"}


def phone_digits(phone: str) -> str:
    """The number's digits, or ValidationError when it cannot be a phone (the admin's form checks with it too)."""
    digits = re.sub(r"\D", "", phone or "")
    if not 7 <= len(digits) <= 15:
        raise ValidationError({"phone": _("Give the phone number that should receive no more SMS.")})
    return digits


def _is_sms_staff(actor) -> bool:
    return scopes.is_superuser(actor) or bool(scopes.roles(actor) & {"subdistrict_admin", "community_staff"})


def _owns_phone(actor, phone: str) -> bool:
    """The number is the phone of the actor's own person (as the sender finds it: interop.sms.phone_of)."""
    own = Person.objects.filter(user_id=getattr(actor, "pk", None)).values_list("phone", flat=True).first()
    return bool(own) and phone_key(own) == phone_key(phone)


@transaction.atomic
def sms_opt_out(*, actor, phone: str, via: str, at=None) -> SmsOptOut:
    """No more SMS to this number. Its owner (their account's phone, `via="account"`), a reply of 退订 received by
    the gateway (`via="reply"`, no actor) or staff on the person's word (`via="staff"`)."""
    digits = phone_digits(phone)
    if via not in VIA:
        raise ValidationError({"via": _("Say how the person asked to receive no more SMS.")})
    if via == "staff":
        require(_is_sms_staff(actor), _("Only staff may record that someone wants no more SMS."))
    if via == "account":
        require(_owns_phone(actor, digits) or _is_sms_staff(actor),
                _("Only the phone's owner or staff may stop or resume its SMS."))
    opt_out, created = SmsOptOut.objects.get_or_create(
        phone_hash=phone_key(digits), defaults={"phone_masked": mask_phone(digits), "via": via,
                                                "at": at or timezone.now()})
    if created:
        event_append(actor=actor, verb="sms_opt_out", subject=opt_out, data={"via": via}, at=at)
    return opt_out


@transaction.atomic
def sms_opt_in(*, actor, phone: str, at=None) -> None:
    """SMS again to this number: its owner's choice, or staff on their word."""
    require(_owns_phone(actor, phone or "") or _is_sms_staff(actor),
            _("Only the phone's owner or staff may stop or resume its SMS."))
    opt_out = SmsOptOut.objects.filter(phone_hash=phone_key(phone or "")).first()
    if opt_out is not None:
        event_append(actor=actor, verb="sms_opt_in", subject=opt_out, data={"via": opt_out.via}, at=at)
        opt_out.delete()


# --- Webhook subscriptions and deliveries (interop/webhooks.py builds and sends the messages) ---

def webhook_secret() -> str:
    """A new signing secret as Standard Webhooks writes it: whsec_ and the base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _subscription_checked(url: str, event_types) -> tuple[str, list[str]]:
    """The URL and event types of a subscription, or ValidationError (an unknown type, a URL that is not http(s)
    or that reaches a private network)."""
    url = (url or "").strip()
    if len(url) > WebhookSubscription._meta.get_field("url").max_length:
        raise ValidationError({"url": _("The URL is too long.")})
    if refusal := webhook_rules.target_refusal(url):
        raise ValidationError({"url": refusal})
    types = list(dict.fromkeys(event_types or []))
    if not types or not all(isinstance(t, str) and t in webhook_rules.EVENT_TYPES for t in types):
        raise ValidationError({"event_types": _("Choose event types among: %(types)s.") % {
            "types": ", ".join(webhook_rules.EVENT_TYPES)}})
    return url, types


@transaction.atomic
def webhook_subscription_create(*, actor, url: str, event_types, description: str = "",
                                at=None) -> tuple[WebhookSubscription, str]:
    """A subscription and its secret (returned to be shown once; the sender signs with it)."""
    _require_admin(actor)
    url, types = _subscription_checked(url, event_types)
    secret = webhook_secret()
    subscription = validated(WebhookSubscription(url=url, event_types=types, description=(description or "").strip(),
                                                 secret=secret, created_by=actor, created_at=event_time(at)),
                             exclude=["created_by", "secret"])
    subscription.save()
    event_append(actor=actor, verb="webhook_subscription_create", subject=subscription, at=at,
                 data={"host": urlsplit(url).hostname, "event_types": types})
    webhook_rules.subscriptions_changed()
    transaction.on_commit(webhook_rules.subscriptions_changed)
    return subscription, secret


@transaction.atomic
def webhook_subscription_update(*, actor, subscription: WebhookSubscription, url: str | None = None,
                                event_types=None, description: str | None = None, is_active: bool | None = None,
                                at=None) -> WebhookSubscription:
    """Change a subscription's URL, event types, description, or turn it on again (is_active=True)."""
    _require_admin(actor)
    url, types = _subscription_checked(subscription.url if url is None else url,
                                       subscription.event_types if event_types is None else event_types)
    changed = {}
    for field, value in (("url", url), ("event_types", types), ("description", description), ("is_active", is_active)):
        if value is not None and value != getattr(subscription, field):
            changed[field] = value
    if not changed:
        return subscription
    for field, value in changed.items():
        setattr(subscription, field, value)
    if changed.get("is_active"):
        subscription.disabled_at, subscription.disabled_reason = None, ""
    validated(subscription, exclude=["created_by", "secret"]).save()
    event_append(actor=actor, verb="webhook_subscription_update", subject=subscription, at=at,
                 data={"fields": sorted(changed)})
    webhook_rules.subscriptions_changed()
    transaction.on_commit(webhook_rules.subscriptions_changed)
    return subscription


@transaction.atomic
def webhook_subscription_disable(*, actor, subscription: WebhookSubscription, reason: str = "",
                                 at=None) -> WebhookSubscription:
    """No more messages to it: by an admin, or by the sender (as the system user) when the receiver answered 410."""
    require(scopes.is_superuser(actor) or getattr(actor, "pk", None) == system_user().pk,
            _("Only an administrator may manage the interfaces to other systems."))
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.is_active:
        reason = (reason or "").strip()[:200] or _("Disabled by an administrator.")
        subscription.is_active, subscription.disabled_at = False, event_time(at)
        subscription.disabled_reason = reason
        subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
        event_append(actor=actor, verb="webhook_subscription_disable", subject=subscription, at=at,
                     data={"by_receiver": not scopes.is_superuser(actor)})
        webhook_rules.subscriptions_changed()
        transaction.on_commit(webhook_rules.subscriptions_changed)
    return subscription


@transaction.atomic
def webhook_delivery_replay(*, actor, delivery: WebhookDelivery, at=None) -> WebhookDelivery:
    """Send a delivery again now, with the same webhook-id (a receiver that lost it, or one that was down past the
    last retry): it is pending again with a fresh schedule, its past tries kept."""
    _require_admin(actor)
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if not delivery.subscription.is_active:
        raise ValidationError(_("The subscription is disabled: turn it on again before replaying its deliveries."))
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, event_time(at)
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    event_append(actor=actor, verb="webhook_delivery_replay", subject=delivery, at=at,
                 data={"subscription": delivery.subscription_id, "event_type": delivery.event_type})
    return delivery  # interop.webhooks hears the event and sends it once this commits
