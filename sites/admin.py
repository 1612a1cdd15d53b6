from django.contrib import admin

from core.admin_services import ServiceAdmin
from sites.models import Site
from sites.services import site_create, site_update


@admin.register(Site)
class SiteAdmin(ServiceAdmin):
    service_create = staticmethod(site_create)
    service_update = staticmethod(site_update)
    subject_arg = "site"
    list_display = ["name", "kind", "place", "operator", "opening_hours"]
    list_filter = ["kind"]
    search_fields = ["name", "pinyin", "place__name"]
    autocomplete_fields = ["place", "operator"]
    list_select_related = ["place", "operator"]
