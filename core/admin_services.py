"""Admin writes of domain records append their events: through the app's services where they exist, and
otherwise (reference tables, corrections of a record) as Django's admin saves them, with one event per
saved or deleted record in the admin's transaction. So the audit trail, and the caches keyed on the chain's
head (the ledger's), see every write made in the admin."""

import inspect

from django.contrib import admin

from core.events import event_append, verbs_declare


def _shown(value):
    """A field's new value for the event: a related record by its key (its text may be a person's name)."""
    if value is None:
        return ""
    return value.pk if hasattr(value, "_meta") else str(value)


def _record_event(request, obj, action: str, data: dict):
    event_append(actor=request.user, verb=f"{obj._meta.model_name}_{action}", subject=obj,
                 data={"via": "admin", **data})


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes as the admin does, each with its event."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for audited in (model, *(inline.model for inline in self.inlines)):  # inline rows get their events too
            verbs_declare({f"{audited._meta.model_name}_{action}": f"a {audited._meta.verbose_name} {done} in the admin"
                           for action, done in (("create", "created"), ("change", "changed"), ("delete", "deleted"))})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _record_event(request, obj, "change" if change else "create",
                      {name: _shown(form.cleaned_data.get(name)) for name in form.changed_data})

    def delete_model(self, request, obj):
        _record_event(request, obj, "delete", {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a team's members): each saved or deleted row gets its event too."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _record_event(request, obj, "delete", {})
            obj.delete()
        changed = {obj.pk: fields for obj, fields in formset.changed_objects}
        for obj in instances:
            created = obj.pk is None
            obj.save()
            _record_event(request, obj, "create" if created else "change",
                          {name: _shown(getattr(obj, name, None)) for name in changed.get(obj.pk, [])})
        formset.save_m2m()


class ServiceAdmin(AuditedAdmin):
    """`save_model` calls the create service, or the update service with the fields that changed (each
    appends its own event); deletes are AuditedAdmin's.

    Subclasses set `service_create` / `service_update` (as staticmethods) and `subject_arg`, the update
    service's keyword for the record (e.g. "place").
    """

    service_create = None
    service_update = None
    subject_arg = ""

    def save_model(self, request, obj, form, change):
        accepted = set(inspect.signature(self.service_create).parameters) - {"actor"}
        fields = {name: value for name, value in form.cleaned_data.items() if name in accepted}
        if change:
            # The form has already copied its values onto `obj`; the service compares with the stored row.
            stored = self.model.objects.get(pk=obj.pk)
            self.service_update(actor=request.user, **{self.subject_arg: stored}, **fields)
        else:
            obj.pk = self.service_create(actor=request.user, **fields).pk
        obj.refresh_from_db()


class ReadOnly:
    """A ModelAdmin mixin for records written only through their app's services (their locks, rules and events)
    or by the system: read in the back office, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
