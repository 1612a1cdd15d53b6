"""Every write of the interfaces: Open311 client applications, webhook subscriptions and their deliveries, SMS
opt-outs. Events name the records, never a key, a secret or a phone."""

import hashlib
import re
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import event_append, verbs_declare
from core.services import ValidationError, require, validated
from interop.models import Open311Client, SmsOptOut
from needs.models import Channel
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
