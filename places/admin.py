from django.contrib import admin

from core.admin_services import AuditedAdmin, ServiceAdmin
from places.models import Coverage, Place
from places.services import place_create, place_update


@admin.register(Place)
class PlaceAdmin(ServiceAdmin):
    service_create = staticmethod(place_create)
    service_update = staticmethod(place_update)
    subject_arg = "place"
    list_display = ["code", "name", "kind", "parent", "households", "residents"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "pinyin"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Coverage)
class CoverageAdmin(AuditedAdmin):
    list_display = ["place", "organisation", "person", "since", "until"]
    list_filter = ["place__kind", "since"]
    search_fields = ["place__name", "place__code", "organisation__name"]
    autocomplete_fields = ["place", "organisation", "person"]
    list_select_related = ["place", "organisation", "person"]
