from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "interop"
    label = "interop"
    verbose_name = _("Interfaces")

    def ready(self):
        from core.events import event_appended
        from core.middleware import nul_refused_by_views_register
        from core.notify import sms_sender_register
        from interop.sms import sms_send
        from interop.webhooks import event_heard

        sms_sender_register(sms_send)  # core.notify sends the messages marked sms through it
        event_appended.connect(event_heard, dispatch_uid="interop.webhooks")  # each change's webhook deliveries
        # Open311 refuses a NUL in its own list of errors, the SMS gateway's callback in JSON.
        nul_refused_by_views_register("/open311/")
        nul_refused_by_views_register("/interop/sms/reply")
