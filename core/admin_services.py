"""Admin writes of domain records go through the services, so that each appends its event."""

import inspect

from django.contrib import admin


class ServiceAdmin(admin.ModelAdmin):
    """`save_model` calls the create service, or the update service with the fields that changed.

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
