from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    label = "mediation"
    verbose_name = _("Mediation")

    def ready(self):
        from mediation.selectors import need_mediation
        from needs.hooks import origins_register

        # A need turned into a dispute says so on its page (已转人民调解), linked for the case's readers only.
        origins_register(key="mediation", function=need_mediation)
