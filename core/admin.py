from django.contrib import admin

from core.forms import AdminLoginForm
from core.models import Event

admin.site.login_form = AdminLoginForm


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is append-only: the admin reads it, nobody adds, changes or deletes through it."""

    list_display = ["at", "verb", "subject_type", "subject_id", "actor"]
    list_filter = ["verb", "subject_type"]
    search_fields = ["verb", "subject_type", "subject_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
