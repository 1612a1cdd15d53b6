"""Interfaces to a city's other systems: Open311 client applications, signed webhooks and the SMS send log.

Nothing here holds a domain record: Open311 files needs through needs.services, webhooks carry what the public
may read of a record, and an SMS is a notification of core.notify sent by another road.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Client(models.Model):
    """An application allowed to file requests through Open311 (a 12345 hotline system, a city's 311 app). Its
    `api_key` is shown once when an admin issues it; only its SHA-256 is kept, as for API tokens."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key begins"), max_length=8, editable=False)  # to tell keys apart in lists
    channel = models.CharField(_("channel of its needs"), max_length=12, default="open311",
                               help_text=_("How the needs it files were found (12345 hotline, Open311 …)."))
    contact = models.CharField(_("who runs it"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"


class WebhookSubscription(models.Model):
    """Where another system hears of changes: a URL, the event types it wants and the secret its deliveries are
    signed with (Standard Webhooks: `whsec_` + base64, shown once when an admin creates it)."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (no more retries)")


class WebhookDelivery(models.Model):
    """One message to one subscription, written in the transaction of the change it tells of (an outbox, as
    core.notify's): `message_id` is the `webhook-id` header, the same on every retry and replay."""

    subscription = models.ForeignKey(WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
                                     related_name="deliveries")
    message_id = models.CharField(_("message id"), max_length=40, unique=True)
    event_type = models.CharField(_("event type"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
                   models.Index(fields=["subscription", "-created_at"], name="webhook_log")]

    def __str__(self):
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the receiver answered, or why it could not be reached."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class SmsStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    OPTED_OUT = "opted_out", _("Not sent: the person opted out")
    NO_PHONE = "no_phone", _("Not sent: no phone on record")


class SmsMessage(models.Model):
    """The send log of SMS: the number masked (personal data never reaches a log in full), the text, the backend
    and what became of it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    subject = models.CharField(_("about"), max_length=60, blank=True)  # core.notify's key: "needs.need:12"
    text = models.TextField(_("text"))
    backend = models.CharField(_("backend"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS sent")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.phone_masked} {self.text[:30]}"


class SmsOptOut(models.Model):
    """A phone number that receives no SMS (回复TD退订, or the person's own choice on their account page). Kept as
    the SHA-256 of the number, so that the list of who opted out is not a list of phones."""

    phone_hash = models.CharField(max_length=64, unique=True)
    phone_masked = models.CharField(_("phone"), max_length=20)
    via = models.CharField(_("how"), max_length=20)  # "account", "reply", "staff"
    at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")
        ordering = ["-at"]

    def __str__(self):
        return self.phone_masked
