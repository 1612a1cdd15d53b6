from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_services import AuditedAdmin, ServiceAdmin
from people import models
from people.services import (
    api_token_revoke,
    organisation_create,
    organisation_update,
    person_account_link,
    person_create,
    person_update,
)


@admin.register(models.Organisation)
class OrganisationAdmin(ServiceAdmin):
    service_create = staticmethod(organisation_create)
    service_update = staticmethod(organisation_update)
    subject_arg = "organisation"
    list_display = ["name", "kind", "place", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "pinyin"]
    autocomplete_fields = ["place"]
    list_select_related = ["place"]


@admin.register(models.PartyOrganisation)
class PartyOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "level", "organisation", "place", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "pinyin"]
    autocomplete_fields = ["organisation", "place", "parent"]
    list_select_related = ["organisation", "place", "parent"]


@admin.register(models.CoBuildingAgreement)
class CoBuildingAgreementAdmin(AuditedAdmin):
    list_display = ["organisation", "place", "signed_on", "state"]
    list_filter = ["state"]
    search_fields = ["organisation__name", "place__name"]
    autocomplete_fields = ["organisation", "place"]
    list_select_related = ["organisation", "place"]


@admin.register(models.Person)
class PersonAdmin(ServiceAdmin):
    service_create = staticmethod(person_create)
    service_update = staticmethod(person_update)
    subject_arg = "person"
    list_display = ["name", "home", "is_resident", "user"]
    list_filter = ["is_resident", "gender"]
    search_fields = ["name", "pinyin", "phone"]
    autocomplete_fields = ["home", "user"]
    list_select_related = ["home", "user"]

    def save_model(self, request, obj, form, change):
        """The account link is its own service (it refuses to move a person between accounts)."""
        account = form.cleaned_data.get("user")
        super().save_model(request, obj, form, change)
        if account is not None and "user" in form.changed_data:
            person_account_link(actor=request.user, person=obj, user=account)


@admin.register(models.PartyMembership)
class PartyMembershipAdmin(AuditedAdmin):
    list_display = ["person", "party_organisation", "in_service", "joined_on"]
    list_filter = ["in_service"]
    search_fields = ["person__name", "party_organisation__name"]
    autocomplete_fields = ["person", "party_organisation"]
    list_select_related = ["person", "party_organisation"]


@admin.register(models.OrganisationReport)
class OrganisationReportAdmin(AuditedAdmin):
    list_display = ["party_organisation", "community", "reported_on"]
    search_fields = ["party_organisation__name", "community__name"]
    autocomplete_fields = ["party_organisation", "community"]
    list_select_related = ["party_organisation", "community"]


@admin.register(models.MemberReport)
class MemberReportAdmin(AuditedAdmin):
    list_display = ["membership", "community", "state", "reported_on", "grid_branch", "placed_on"]
    list_filter = ["state", "community"]
    search_fields = ["membership__person__name", "community__name"]
    raw_id_fields = ["membership"]
    autocomplete_fields = ["community", "grid_branch"]
    list_select_related = ["membership__person", "membership__party_organisation", "community", "grid_branch"]


class TeamMemberInline(admin.TabularInline):
    model = models.TeamMember
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(models.Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "community", "organisation", "founded_on"]
    search_fields = ["name", "pinyin"]
    autocomplete_fields = ["community", "organisation"]
    list_select_related = ["community", "organisation"]
    inlines = [TeamMemberInline]


@admin.register(models.TeamMember)
class TeamMemberAdmin(AuditedAdmin):
    list_display = ["team", "person", "is_leader", "joined_on"]
    list_filter = ["is_leader", "team"]
    search_fields = ["team__name", "person__name"]
    autocomplete_fields = ["team", "person"]
    list_select_related = ["team", "person"]


@admin.register(models.CommitteeMember)
class CommitteeMemberAdmin(AuditedAdmin):
    list_display = ["community", "person", "organisation", "represents", "since"]
    list_filter = ["community"]
    search_fields = ["person__name", "organisation__name", "represents"]
    autocomplete_fields = ["community", "person", "organisation"]
    list_select_related = ["community", "person", "organisation"]


@admin.register(models.Honour)
class HonourAdmin(AuditedAdmin):
    list_display = ["title", "place", "organisation", "awarded_on", "awarded_by"]
    search_fields = ["title", "awarded_by"]
    autocomplete_fields = ["place", "organisation"]
    list_select_related = ["place", "organisation"]


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "place", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__username", "place__name", "organisation__name"]
    autocomplete_fields = ["user", "place", "organisation"]
    list_select_related = ["user", "place", "organisation"]


class ReadOnlyAdmin(AuditedAdmin):
    """Records written only by the application: the access log and API tokens are read, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "viewer", "person", "fields", "reason"]
    search_fields = ["viewer__username", "person__name"]
    date_hierarchy = "at"
    list_select_related = ["viewer", "person"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Anyone's tokens can be revoked here, through the service (api_token_revoke: its check and its event);
    their secret is never shown, only its hash is stored."""

    list_display = ["user", "name", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    exclude = ["key_hash"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "revoke" says what it does, and goes through the service
        return actions

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        tokens = list(queryset)
        for token in tokens:
            api_token_revoke(actor=request.user, token=token)
        self.message_user(request, ngettext("%(n)d API token revoked.", "%(n)d API tokens revoked.",
                                           len(tokens)) % {"n": len(tokens)})

    def delete_model(self, request, obj):
        """The delete button of a token's page: a revocation too."""
        api_token_revoke(actor=request.user, token=obj)


@admin.register(models.CallerVersion)
class CallerVersionAdmin(ReadOnlyAdmin):
    """The number the API's kept callers are valid under (people/api.py), moved by the application alone."""

    list_display = ["value"]

    def has_delete_permission(self, request, obj=None):
        return False
