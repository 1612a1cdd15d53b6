from django import forms
from django.contrib import admin

from core.admin_services import ServiceAdmin
from sites.forms import PhotoChecked
from sites.models import Site
from sites.services import SITE_FIELDS, site_create, site_update


class SiteAdminForm(PhotoChecked, forms.ModelForm):
    class Meta:
        model = Site
        fields = SITE_FIELDS
        field_classes = {"photo": forms.FileField}


@admin.register(Site)
class SiteAdmin(ServiceAdmin):
    form = SiteAdminForm
    service_create = staticmethod(site_create)
    service_update = staticmethod(site_update)
    subject_arg = "site"
    list_display = ["name", "kind", "place", "operator", "opening_hours"]
    list_filter = ["kind"]
    search_fields = ["name", "pinyin", "place__name"]
    autocomplete_fields = ["place", "operator"]
    list_select_related = ["place", "operator"]
