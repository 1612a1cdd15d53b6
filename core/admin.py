from django.contrib import admin

from core.admin_services import AuditedAdmin, ReadOnly
from core.forms import AdminLoginForm
from core.models import Chain, Checkpoint, Event, InboxLine, OutboxMessage

admin.site.login_form = AdminLoginForm


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):
    """The event log is append-only: the admin reads it, nobody adds, changes or deletes through it."""

    list_display = ["at", "verb", "subject_type", "subject_id", "actor", "chain", "seq"]
    list_filter = ["chain", "verb", "subject_type"]
    search_fields = ["verb", "subject_type", "subject_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]


@admin.register(Chain)
class ChainAdmin(ReadOnly, admin.ModelAdmin):
    """The event log's chains (core.events), read only: each one's length and head, moved by appends alone."""

    list_display = ["name", "length", "head", "origin"]
    search_fields = ["name"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnly, admin.ModelAdmin):
    """The signed checkpoints (core.checkpoints), read only: made by the huey consumer or `manage.py checkpoint`."""

    list_display = ["id", "at", "root", "public_key"]
    search_fields = ["root"]
    date_hierarchy = "at"


@admin.register(InboxLine)
class InboxLineAdmin(AuditedAdmin):
    """Every app's notifications, read in the back office (written only through core.notify)."""

    list_display = ("user", "verb", "subject", "text", "at", "read_at")
    list_filter = ("verb",)
    search_fields = ("subject",)
    list_select_related = ("user",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly, admin.ModelAdmin):
    """The messages waiting for the gateway (core.notify), read only: a long list means the queue is not running.
    A contact's name and phone are not shown."""

    list_display = ("subject", "user", "created_at", "claimed_at")
    fields = ("subject", "user", "text", "created_at", "claimed_at")
    list_select_related = ("user",)
