from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        from core.events import state_check_register
        from volunteering.replay import signups_check

        state_check_register("volunteering.signup", signups_check)
