from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_services import ReadOnly
from interop.models import Open311Client, SmsMessage, SmsOptOut
from interop.services import open311_client_issue, open311_client_revoke, phone_digits, sms_opt_out
from needs.models import Channel


class Open311ClientForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("channel of its needs"), choices=Channel.choices, initial=Channel.OPEN311,
                                help_text=_("How the needs it files were found (12345 hotline, Open311 …)."))

    class Meta:
        model = Open311Client
        fields = ["name", "channel", "contact"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["name", "channel", "contact"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

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
