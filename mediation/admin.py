"""Back office: disputes and everything of their case file are read here, never written (every change goes through
mediation.services: its checks, its Step and its event). A case is private: only superusers open these pages,
whatever an account's model permissions, and the lists show the parties masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_services import AuditedAdmin, ReadOnly
from mediation.models import Agreement, BuildingPair, Dispute, Mediator, Party, Step
from mediation.selectors import party_label


class CaseFile(ReadOnly, AuditedAdmin):
    """Written only through mediation.services; read by superusers only (a case's readers use its page)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(BuildingPair)
class BuildingPairAdmin(CaseFile):
    list_display = ["building", "head", "manager", "property_company", "since"]
    search_fields = ["building__name"]
    list_select_related = ["building", "head", "manager", "property_company"]


@admin.register(Dispute)
class DisputeAdmin(CaseFile):
    list_display = ["id", "title", "kind", "state", "level", "outcome", "settled_level", "place", "received_at",
                    "overdue"]
    list_filter = ["state", "kind", "level", "outcome", "settled_level", "overdue"]
    search_fields = ["title"]
    date_hierarchy = "received_at"
    list_select_related = ["place"]


@admin.register(Party)
class PartyAdmin(CaseFile):
    list_display = ["dispute", "role", "shown", "refused"]
    list_filter = ["role", "refused"]
    list_select_related = ["dispute", "person"]
    exclude = ["phone"]  # a party's phone is read through the case's logged reveal

    @admin.display(description=_("party"))
    def shown(self, party):
        return party_label(party)


@admin.register(Mediator)
class MediatorAdmin(CaseFile):
    list_display = ["dispute", "kind", "level", "person", "team", "user", "added_at"]
    list_filter = ["kind", "level"]
    list_select_related = ["dispute", "person", "team", "user"]


@admin.register(Step)
class StepAdmin(CaseFile):
    list_display = ["dispute", "action", "state", "level", "actor", "at"]
    list_filter = ["action", "state", "level"]
    list_select_related = ["dispute", "actor"]


@admin.register(Agreement)
class AgreementAdmin(CaseFile):
    list_display = ["number", "dispute", "signed_on", "perform_by"]
    search_fields = ["number"]
    list_select_related = ["dispute"]
