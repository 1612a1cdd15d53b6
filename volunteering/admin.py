from django import forms
from django.contrib import admin

from core.admin_services import AuditedAdmin, ReadOnly, ServiceAdmin
from volunteering.models import Activity, Certificate, HoursCorrection, RecordEntry, ServiceHours, Signup, Volunteer
from volunteering.services import (
    ACTIVITY_FIELDS,
    activity_create,
    activity_update,
    volunteer_register,
    volunteer_update,
)


class ActivityAdminForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS


@admin.register(Activity)
class ActivityAdmin(ServiceAdmin):
    form = ActivityAdminForm
    service_create = staticmethod(activity_create)
    service_update = staticmethod(activity_update)
    subject_arg = "activity"
    list_display = ["name", "kind", "place", "starts_at", "ends_at", "capacity", "is_published", "is_cancelled"]
    list_filter = ["kind", "is_published", "is_cancelled"]
    search_fields = ["name", "pinyin", "place__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["place", "team", "organisation"]
    list_select_related = ["place"]

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled with a reason on the activity's page; records are never deleted


@admin.register(Volunteer)
class VolunteerAdmin(ServiceAdmin):
    service_create = staticmethod(volunteer_register)
    service_update = staticmethod(volunteer_update)
    subject_arg = "volunteer"
    fields = ["person", "id_card_number", "name_public"]
    list_display = ["number", "registered_on", "name_public"]
    search_fields = ["number"]
    autocomplete_fields = ["person"]

    def get_readonly_fields(self, request, obj=None):
        return ["person"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted automatically, nor by hand (VOLUNTEER_RECORD_YEARS)


class WrittenByServices(ReadOnly, AuditedAdmin):
    """Sign-ups, hours, corrections, record entries and certificates: read here, written only through
    volunteering.services (the organiser's certification, the old value kept, the events)."""


@admin.register(Signup)
class SignupAdmin(WrittenByServices):
    list_display = ["activity", "volunteer", "state", "is_walk_in", "checked_in_at", "checked_out_at"]
    list_filter = ["state", "is_walk_in"]
    search_fields = ["activity__name", "volunteer__number"]
    list_select_related = ["activity", "volunteer"]


@admin.register(ServiceHours)
class ServiceHoursAdmin(WrittenByServices):
    list_display = ["activity", "volunteer", "hours", "state", "certified_at"]
    list_filter = ["state"]
    search_fields = ["activity__name", "volunteer__number"]
    list_select_related = ["activity", "volunteer"]


@admin.register(HoursCorrection)
class HoursCorrectionAdmin(WrittenByServices):
    list_display = ["entry", "old_hours", "new_hours", "reason", "changed_at"]
    list_select_related = ["entry__activity", "entry__volunteer"]


@admin.register(RecordEntry)
class RecordEntryAdmin(WrittenByServices):
    list_display = ["volunteer", "kind", "title", "on", "hours"]
    list_filter = ["kind"]
    search_fields = ["title", "volunteer__number"]
    list_select_related = ["volunteer"]


@admin.register(Certificate)
class CertificateAdmin(WrittenByServices):
    list_display = ["number", "volunteer", "first_day", "last_day", "hours", "issuer", "issued_at"]
    search_fields = ["number", "volunteer__number"]
    exclude = ["handled_by"]
    list_select_related = ["volunteer", "issuer"]
