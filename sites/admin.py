from django import forms
from django.contrib import admin

from core.admin_services import AuditedAdmin, ReadOnly, ServiceAdmin
from sites.forms import PhotoChecked
from sites.models import Item, Loan, Site, StockMovement
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


class WrittenByServices(ReadOnly, AuditedAdmin):
    """A station's items, stock movements and loans: read here, written only on the station's desk and in the API
    (sites.services: the item's row lock, the rules, the events)."""


@admin.register(Item)
class ItemAdmin(WrittenByServices):
    list_display = ["name", "site", "kind", "stock", "low_stock", "units", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]


@admin.register(StockMovement)
class StockMovementAdmin(WrittenByServices):
    list_display = ["at", "item", "kind", "change", "stock_after", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "at"
    exclude = ["person", "recipient"]  # whom it went to is the station's operators' to read
    list_select_related = ["item__site"]


@admin.register(Loan)
class LoanAdmin(WrittenByServices):
    list_display = ["lent_at", "item", "due_on", "returned_at", "lost_at"]
    date_hierarchy = "lent_at"
    exclude = ["person", "borrower_name", "borrower_phone"]  # the borrower is the station's operators' to read
    list_select_related = ["item__site"]
