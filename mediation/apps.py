from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    label = "mediation"
    verbose_name = _("Mediation")

    def ready(self):
        from core.events import state_check_register
        from mediation.replay import disputes_check
        from mediation.selectors import need_mediation
        from mediation.views import place_panel
        from needs.hooks import origins_register
        from places.hooks import panel_register

        # A need turned into a dispute says so on its page (已转人民调解), linked for the case's readers only.
        origins_register(key="mediation", function=need_mediation)
        # A building's pair (楼院长 + 物业楼长) on its place page and its entrances', for its staff and the pair.
        panel_register(key="mediation", template="mediation/_place_pair.html", context=place_panel, order=45)
        state_check_register("mediation.dispute", disputes_check)
