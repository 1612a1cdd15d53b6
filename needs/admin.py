"""Back office: categories and deadline policies are configured here; needs are read-only, because every
change to a need must go through needs.services.need_act and leave an event."""

from django.contrib import admin

from core.admin_services import AuditedAdmin, ReadOnly
from needs.models import CalendarDay, Category, DeadlinePolicy, Need


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("name", "parent", "keywords", "order")
    search_fields = ("name", "pinyin", "keywords")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    list_display = ("category", "concern_level", "accept_hours", "claim_days", "resolve_days", "report_in_minutes")
    list_filter = ("concern_level",)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(Need)
class NeedAdmin(ReadOnly, AuditedAdmin):
    list_display = ("id", "title", "state", "level", "category", "concern_level", "place", "submitted_at", "overdue")
    list_filter = ("state", "level", "concern_level", "channel", "overdue")
    search_fields = ("title",)
    date_hierarchy = "submitted_at"
