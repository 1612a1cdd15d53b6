from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "offers"
    label = "offers"
    verbose_name = _("Offers and bookings")

    def ready(self):
        from core.events import state_check_register
        from needs.hooks import suggestions_register
        from offers import matching
        from offers.replay import bookings_check

        suggestions_register(key="offers", function=matching.offer_suggestions)  # a need's suggested claimants
        state_check_register("offers.booking", bookings_check)
