from django import forms
from django.contrib import admin

from core.admin_services import ServiceAdmin
from offers.models import EligibilityGroup, Offer
from offers.services import OFFER_FIELDS, offer_create, offer_update


class OfferAdminForm(forms.ModelForm):
    eligibility = forms.MultipleChoiceField(label=Offer._meta.get_field("eligibility").verbose_name,
                                            choices=EligibilityGroup.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=Offer._meta.get_field("eligibility").help_text)

    class Meta:
        model = Offer
        fields = OFFER_FIELDS


@admin.register(Offer)
class OfferAdmin(ServiceAdmin):
    form = OfferAdminForm
    service_create = staticmethod(offer_create)
    service_update = staticmethod(offer_update)
    subject_arg = "offer"
    list_display = ["name", "kind", "organisation", "confirmation", "is_published"]
    list_filter = ["kind", "is_published", "confirmation"]
    search_fields = ["name", "pinyin", "organisation__name"]
    autocomplete_fields = ["organisation", "person", "place", "communities"]
    list_select_related = ["organisation"]
