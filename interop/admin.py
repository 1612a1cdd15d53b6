from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_services import ReadOnly
from interop.models import (
    Open311Client,
    SmsMessage,
    SmsOptOut,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from interop.services import (
    open311_client_issue,
    open311_client_revoke,
    phone_digits,
    sms_opt_out,
    webhook_delivery_replay,
    webhook_subscription_create,
    webhook_subscription_disable,
)
from interop.webhook_rules import EVENT_TYPES, target_refusal
from needs.models import Channel


class IssuedOnce(admin.ModelAdmin):
    """A record created through its service with a secret shown once (an api_key, a webhook's secret): the add form
    asks `form.Meta.fields`; once made it is read, never edited or deleted here (its service revokes or disables it),
    since the needs and the event log name it."""

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else self.form.Meta.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class Open311ClientForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("channel of its needs"), choices=Channel.choices, initial=Channel.OPEN311,
                                help_text=_("How the needs it files were found (12345 hotline, Open311 …)."))

    class Meta:
        model = Open311Client
        fields = ["name", "channel", "contact"]


@admin.register(Open311Client)
class Open311ClientAdmin(IssuedOnce):
    """Client applications of Open311: issued through the service (the api_key shown once, in the message after
    saving; only its hash is kept) and revoked through it. A client is never edited or deleted: its needs name
    their channel, and the event log names the client."""

    form = Open311ClientForm
    list_display = ["name", "key_prefix", "channel_label", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["channel"]
    search_fields = ["name", "contact"]
    readonly_fields = ["name", "key_prefix", "channel", "contact", "created_by", "created_at", "revoked_at",
                       "last_used_at"]
    actions = ["revoke"]

    @admin.display(description=_("channel of its needs"), ordering="channel")
    def channel_label(self, client):
        return Channel(client.channel).label if client.channel in Channel.values else client.channel

    def save_model(self, request, obj, form, change):
        client, key = open311_client_issue(actor=request.user, name=form.cleaned_data["name"],
                                           channel=form.cleaned_data["channel"],
                                           contact=form.cleaned_data["contact"])
        obj.pk = client.pk
        obj.refresh_from_db()
        messages.warning(request, _("The api_key of “%(name)s” is %(key)s — copy it now: it is not shown again.") % {
            "name": client.name, "key": key})

    @admin.action(description=_("Revoke the selected Open311 clients"), permissions=["view"])
    def revoke(self, request, queryset):
        clients = list(queryset)
        for client in clients:
            open311_client_revoke(actor=request.user, client=client)
        self.message_user(request, ngettext("%(n)d Open311 client revoked.", "%(n)d Open311 clients revoked.",
                                           len(clients)) % {"n": len(clients)})


# --- SMS: the send log (read only) and the opt-outs (recorded through the service, as staff) ---

@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnly, admin.ModelAdmin):
    """Every SMS the sender tried: the number masked, what became of it and why."""

    list_display = ["at", "phone_masked", "status", "backend", "text", "subject"]
    list_filter = ["status", "backend"]
    search_fields = ["subject"]
    date_hierarchy = "at"


class SmsOptOutForm(forms.ModelForm):
    phone = forms.CharField(label=_("phone"), max_length=20,
                            help_text=_("The number that should receive no more SMS, on the person's word."))

    class Meta:
        model = SmsOptOut
        fields = []

    def clean(self):
        phone_digits(self.cleaned_data.get("phone", ""))  # its message is the phone field's
        return self.cleaned_data


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    """The numbers that receive no SMS, masked (only their hash is kept). Staff add one through the service; the
    person resumes SMS on their own page (/interop/sms/)."""

    form = SmsOptOutForm
    list_display = ["phone_masked", "via", "at"]
    list_filter = ["via"]

    def get_fields(self, request, obj=None):
        return ["phone_masked", "via", "at"] if obj is not None else ["phone"]

    def get_readonly_fields(self, request, obj=None):
        return ["phone_masked", "via", "at"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = sms_opt_out(actor=request.user, phone=form.cleaned_data["phone"], via="staff").pk
        obj.refresh_from_db()


# --- Signed webhooks: subscriptions (created and disabled through the services) and the delivery log ---

class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    # The choices are a callable: their labels in the request's language, not in the one active at import.
    event_types = forms.MultipleChoiceField(
        label=capfirst(_("event types")), widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(name, f"{name} · {label}") for name, (label, _rule) in EVENT_TYPES.items()])

    class Meta:
        model = WebhookSubscription
        fields = ["url", "event_types", "description"]

    def clean_url(self):
        """The service's check of the target, said on the field (a private address, a host that is not found)."""
        if refusal := target_refusal(self.cleaned_data["url"]):
            raise ValidationError(refusal)
        return self.cleaned_data["url"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(IssuedOnce):
    """Where other systems hear of changes. Created through the service (its URL checked, the secret shown once in
    the message after saving), disabled through it; never edited or deleted here: its deliveries are the log."""

    form = WebhookSubscriptionForm
    list_display = ["url", "types", "is_active", "last_delivery", "created_at", "disabled_reason"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = ["url", "description", "event_types", "is_active", "disabled_reason", "created_by",
                       "created_at", "disabled_at"]
    actions = ["disable"]

    @admin.display(description=_("event types"))
    def types(self, subscription):
        return ", ".join(subscription.event_types)

    @admin.display(description=_("last delivery"))
    def last_delivery(self, subscription):
        last = subscription.deliveries.order_by("-created_at", "-id").first()
        return last.get_status_display() if last else "—"

    def save_model(self, request, obj, form, change):
        subscription, secret = webhook_subscription_create(
            actor=request.user, url=form.cleaned_data["url"], event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"])
        obj.pk = subscription.pk
        obj.refresh_from_db()
        messages.warning(request, _("The signing secret of %(url)s is %(secret)s — copy it now: it is not shown "
                                    "again.") % {"url": subscription.url, "secret": secret})

    @admin.action(description=_("Disable the selected webhook subscriptions"), permissions=["view"])
    def disable(self, request, queryset):
        subscriptions = list(queryset)
        for subscription in subscriptions:
            webhook_subscription_disable(actor=request.user, subscription=subscription)
        self.message_user(request, ngettext("%(n)d webhook subscription disabled.",
                                            "%(n)d webhook subscriptions disabled.", len(subscriptions))
                          % {"n": len(subscriptions)})


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    """The delivery log: every message, what became of it and each try; an admin replays one (the same webhook-id,
    sent again now)."""

    list_display = ["created_at", "event_type", "subscription", "status", "attempts", "last_status_code",
                    "delivered_at", "next_attempt_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "subscription__url"]
    date_hierarchy = "created_at"
    fields = ["subscription", "message_id", "event_type", "status", "attempts", "last_status_code", "last_error",
              "created_at", "delivered_at", "next_attempt_at", "payload"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    @admin.action(description=_("Replay the selected deliveries (the same webhook-id)"), permissions=["view"])
    def replay(self, request, queryset):
        deliveries = list(queryset.select_related("subscription"))
        replayed = 0
        for delivery in deliveries:
            try:
                webhook_delivery_replay(actor=request.user, delivery=delivery)
                replayed += 1
            except ValidationError as error:
                self.message_user(request, f"{delivery.message_id}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, ngettext("%(n)d delivery sent again.", "%(n)d deliveries sent again.",
                                            replayed) % {"n": replayed})
