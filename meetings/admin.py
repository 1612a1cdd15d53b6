from django import forms
from django.contrib import admin

from core.admin_services import AuditedAdmin, ReadOnly, ServiceAdmin
from meetings.models import AgendaItem, Attachment, Attendance, Body, Meeting, Member, Minutes, Resolution, Vote
from meetings.services import body_create, body_update

BODY_FORM_FIELDS = ("kind", "name", "place", "founded_on", "description", "quorum_numerator", "quorum_denominator",
                    "quorum_strict", "pass_numerator", "pass_denominator", "pass_strict", "pass_base")


class BodyAdminForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = BODY_FORM_FIELDS


@admin.register(Body)
class BodyAdmin(ServiceAdmin):
    form = BodyAdminForm
    service_create = staticmethod(body_create)
    service_update = staticmethod(body_update)
    subject_arg = "body"
    list_display = ["name", "kind", "place", "founded_on"]
    list_filter = ["kind"]
    search_fields = ["name", "place__name"]
    autocomplete_fields = ["place"]
    list_select_related = ["place"]

    def has_delete_permission(self, request, obj=None):
        return False  # its meetings and minutes are records; a body that stopped meeting stays on file


class WrittenByServices(ReadOnly, AuditedAdmin):
    """Members, meetings, attendance, minutes, attachments, resolutions and votes: read here, written only through
    meetings.services (the transition tables, minutes in versions, quorum, one vote each, the events)."""


@admin.register(Member)
class MemberAdmin(WrittenByServices):
    list_display = ["body", "represents", "organisation", "since", "until"]
    list_filter = ["body__kind"]
    search_fields = ["body__name", "represents", "organisation__name"]
    list_select_related = ["body", "organisation"]


@admin.register(Meeting)
class MeetingAdmin(WrittenByServices):
    list_display = ["title", "body", "starts_at", "state", "is_public"]
    list_filter = ["state", "is_public", "body__kind"]
    search_fields = ["title", "body__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["body"]


@admin.register(AgendaItem)
class AgendaItemAdmin(WrittenByServices):
    list_display = ["meeting", "order", "title"]
    list_select_related = ["meeting__body"]


@admin.register(Attendance)
class AttendanceAdmin(WrittenByServices):
    list_display = ["meeting", "member", "presence", "recorded_at"]
    list_filter = ["presence"]
    list_select_related = ["meeting__body", "member__body", "member__organisation", "member__person"]


@admin.register(Minutes)
class MinutesAdmin(WrittenByServices):
    list_display = ["meeting", "version", "state", "approved_at", "published_at"]
    list_filter = ["state"]
    list_select_related = ["meeting__body"]


@admin.register(Attachment)
class AttachmentAdmin(WrittenByServices):
    list_display = ["name", "minutes", "is_public", "uploaded_at"]
    list_select_related = ["minutes__meeting__body"]


@admin.register(Resolution)
class ResolutionAdmin(WrittenByServices):
    list_display = ["meeting", "number", "title", "state", "votes_for", "votes_against", "votes_abstain",
                    "decided_at"]
    list_filter = ["state", "vote_mode"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting__body"]


@admin.register(Vote)
class VoteAdmin(WrittenByServices):
    list_display = ["resolution", "member", "choice", "cast_at"]
    list_filter = ["choice"]
    list_select_related = ["resolution__meeting__body", "member__body", "member__organisation", "member__person"]
