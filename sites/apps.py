from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    label = "sites"
    verbose_name = _("Stations, facilities and micro-positions")

    def ready(self):
        from core.events import state_check_register
        from places.hooks import panel_register, poster_source_register
        from sites import panels, posters, rules  # noqa: F401  (rules: sites.operate_site)
        from sites.replay import loans_check

        panel_register(key="sites", template="sites/_place_sites.html", context=panels.sites_panel, order=40)
        poster_source_register(key="sites", function=posters.sites_in)  # a community's batch: its sites' posters
        state_check_register("sites.loan", loans_check)
