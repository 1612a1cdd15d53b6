from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")

    def ready(self):
        from core.views import chain_labels_register
        from places.selectors import chain_labels

        chain_labels_register(chain_labels)
