from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def report_url(place) -> str | None:
    """Where a QR poster's "report a problem here" leads (places.hooks.report_url): the need form with the place
    filled in (needs.views.submit reads ?place=), for a place a need may be about."""
    from django.urls import reverse

    from needs.actions import NEED_PLACE_KINDS

    return f"{reverse('needs:submit')}?place={place.code}" if place.kind in NEED_PLACE_KINDS else None


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Needs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.events import state_check_register
        from needs.replay import needs_check
        from places.hooks import report_url_register

        report_url_register(report_url)
        state_check_register("needs.need", needs_check)
