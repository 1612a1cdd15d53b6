from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("Organisations and people")

    def ready(self):
        from people import panels, receivers, scopes  # noqa: F401  (receivers: a changed password revokes API tokens)
        from places.hooks import administered_places_register, panel_register

        panel_register(key="coverage", template="people/_place_coverage.html", context=panels.coverage_panel,
                       order=10)
        panel_register(key="community", template="people/_place_community.html", context=panels.community_panel,
                       order=20)
        panel_register(key="organisations", template="people/_place_organisations.html",
                       context=panels.organisations_panel, order=30)
        administered_places_register(scopes.administered_places)
